#!/usr/bin/env python3
"""The whole test suite, stage by stage, with one closing line `N passed, N failed`.

Stages: unit (pytest), lint (planemo lint of every tool), tools (planemo test
of every tool against the embedded Galaxy), workflows (planemo test of every
workflow in workflows/), imports (the GTN tutorials' Galaxy-ML workflows imported with this
suite's tool ids: Galaxy must report no tool-state correction), pulsar (the tutorial workflow with training and
prediction routed by TPV to a Pulsar server, compared with a local run), browser (headless Chromium against the embedded Galaxy),
benchmark (benchmarks/run_benchmark.py on 300 rows, 1 epoch: it still runs and
prints every row; its timings are not judged).
The server is started for the stages that need it and stopped at the end.

    python3 scripts/dev/test_suite.py                 # everything
    python3 scripts/dev/test_suite.py --only unit,lint
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "results"
TOOLS_PYTHON = ROOT / ".venv" / "tools" / "bin" / "python"
GALAXY_PYTHON = ROOT / ".venv" / "galaxy" / "bin" / "python"
PLANEMO = ROOT / ".venv" / "planemo" / "bin" / "planemo"
GALAXY_CTL = [sys.executable, str(ROOT / "embedded_galaxy" / "galaxy_ctl.py")]
NEEDS_GALAXY = {"tools", "workflows", "imports", "pulsar", "browser"}
# The lint commands are independent, single-threaded and mostly start-up; two at a time keep both of CI's
# 2 cores busy (measured 2026-12-06 on 2 loaded cores: 465 s one at a time, 184 s two at a time).
LINT_WORKERS = 2


def junit_counts(path: Path) -> tuple[int, int]:
    """(passed, failed) from a JUnit XML report; skipped tests count as neither."""
    if not path.exists():
        return 0, 1
    root = ET.parse(path).getroot()
    suites = [root] if root.tag == "testsuite" else list(root.iter("testsuite"))
    total = sum(int(s.get("tests", 0)) for s in suites)
    failed = sum(int(s.get("failures", 0)) + int(s.get("errors", 0)) for s in suites)
    skipped = sum(int(s.get("skipped", 0)) for s in suites)
    return total - failed - skipped, failed


def planemo_counts(path: Path) -> tuple[int, int]:
    if not path.exists():
        return 0, 1
    summary = json.loads(path.read_text()).get("summary", {})
    failed = summary.get("num_failures", 0) + summary.get("num_errors", 0)
    return summary.get("num_tests", 0) - failed - summary.get("num_skips", 0), failed


def run(cmd: list[str]) -> int:
    print("+ " + " ".join(map(str, cmd)), flush=True)
    return subprocess.run(list(map(str, cmd)), cwd=ROOT).returncode


def run_captured(cmd: list) -> tuple[int, str]:
    """Exit status and output (stdout and stderr, interleaved) of a command, for printing as one block."""
    result = subprocess.run(list(map(str, cmd)), cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    return result.returncode, result.stdout


def run_parallel(commands: list[list], workers: int) -> list[bool]:
    """Run commands ``workers`` at a time; print each one's command line and output together, in order.

    Each command's output is captured and printed whole once it ends, so the
    outputs of commands running side by side never interleave.
    """
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(run_captured, command) for command in commands]
        results = []
        for command, future in zip(commands, futures):
            code, output = future.result()
            print("+ " + " ".join(map(str, command)), flush=True)
            print(output, end="" if output.endswith("\n") or not output else "\n", flush=True)
            if code != 0:
                print(f"(exit status {code})", flush=True)
            results.append(code == 0)
    return results


def stage_unit() -> tuple[int, int]:
    report = RESULTS / "unit-tests.xml"
    report.unlink(missing_ok=True)
    # Two workers (pytest-xdist): most unit time is the bad-input sweep's subprocesses, which wait on
    # TensorFlow's start-up; CI has 2 cores.
    # junit_family legacy: the bad-input sweep records each case's error line as a property
    # (scripts/dev/bad_input_messages.py lists them), which the default family drops.
    code = run([TOOLS_PYTHON, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", "2", "-o",
                "junit_family=legacy", "tests", f"--junitxml={report}"])
    if code == 5:  # pytest: no tests collected
        print("no unit tests were collected")
        return 0, 1
    return junit_counts(report)


def tool_xmls() -> list[Path]:
    return sorted(path for path in (ROOT / "tools").glob("*.xml")
                  if ET.parse(path).getroot().tag == "tool")


def shed_copy() -> Path:
    """The files .shed.yml ships, copied under a path that ends like remote_repository_url.

    shed_lint warns unless the repository's path ends with the last segments of
    remote_repository_url (it expects monorepo paths such as tools/NAME); a
    clone can sit in any folder, so lint a copy at a path of the right shape.
    """
    import shutil

    url = next(line.split(":", 1)[1].strip() for line in (ROOT / ".shed.yml").read_text().splitlines()
               if line.startswith("remote_repository_url:"))
    target = RESULTS / "shed-lint" / Path(*url.rstrip("/").split("/")[-2:])
    shutil.rmtree(RESULTS / "shed-lint", ignore_errors=True)
    target.mkdir(parents=True)
    for name in (".shed.yml", "README.md", "LICENSE", "tools", "test-data"):
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, target / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, target / name)
    return target


def stage_lint() -> tuple[int, int]:
    """planemo lint of every tool, workflow_lint of every workflow, shed_lint of the repository."""
    commands = [[PLANEMO, "lint", path] for path in tool_xmls()]
    commands += [[PLANEMO, "workflow_lint", "--iwc", path.parent] for path in workflow_files()]
    # version_bumped asks the public Tool Shed, which these machines cannot reach.
    # The TPV rules a server admin installs: TPV's own linter (it lives in Galaxy's venv).
    commands.append([ROOT / ".venv" / "galaxy" / "bin" / "tpv", "lint", ROOT / "deploy" / "tpv" / "keras_tools.yml"])
    commands.append([PLANEMO, "shed_lint", "--tools", "--ensure_metadata", "--skip", "version_bumped", shed_copy()])
    results = run_parallel(commands, LINT_WORKERS)
    return sum(results), len(results) - sum(results)


def stage_tools() -> tuple[int, int]:
    run([*GALAXY_CTL, "test-tools"])
    return planemo_counts(RESULTS / "tool-tests.json")


def workflow_files() -> list[Path]:
    return sorted(path for path in (ROOT / "workflows").glob("*/*") if path.suffix == ".ga"
                  or path.name.endswith(".gxwf.yml"))


def stage_workflows() -> tuple[int, int]:
    workflows = workflow_files()
    if not workflows:
        print("no workflows in workflows/")
        return 0, 0
    run([*GALAXY_CTL, "test-workflow"])  # every workflow folder, in planemo's chunks
    return planemo_counts(RESULTS / "workflow-tests.json")


def checks_command(command: str, report_name: str) -> tuple[int, int]:
    """A galaxy_ctl command that writes {"passed": N, "failed": N, ...} to results/REPORT_NAME."""
    report = RESULTS / report_name
    report.unlink(missing_ok=True)
    run([*GALAXY_CTL, command])
    if not report.exists():
        return 0, 1
    counts = json.loads(report.read_text())
    return counts["passed"], counts["failed"]


def stage_imports() -> tuple[int, int]:
    """The GTN tutorials' Galaxy-ML workflows imported with this suite's tool ids: one check a step."""
    return checks_command("test-imports", "import-check.json")


def stage_pulsar() -> tuple[int, int]:
    """The tutorial workflow with training and prediction on Pulsar: each check counts once."""
    return checks_command("test-pulsar", "pulsar-test.json")


def stage_browser() -> tuple[int, int]:
    tests = ROOT / "browser_tests"
    if not tests.exists():
        print("no browser tests")
        return 0, 0
    report = RESULTS / "browser-tests.xml"
    report.unlink(missing_ok=True)
    run([GALAXY_PYTHON, "-m", "pytest", "-q", "-p", "no:cacheprovider", tests, f"--junitxml={report}"])
    return junit_counts(report)


def stage_benchmark() -> tuple[int, int]:
    out = RESULTS / "benchmark-smoke"
    code = run([sys.executable, ROOT / "benchmarks" / "run_benchmark.py", "--rows", "300", "--repeats", "1",
                "--epochs", "1", "--out", out])
    table = (out / "benchmark.txt").read_text() if (out / "benchmark.txt").exists() else ""
    expected = ("(a) tool: training end to end", "(b) bare Keras: training end to end", "(c) galaxy-ml",
                "(d) tool prediction", "(e) loading", "(f) mask_zero model: padding skipped", "(g) training",
                "(h) tool, one thread", "profile of the training tool")
    missing = [row for row in expected if row not in table]
    if missing:
        print(f"benchmark table lacks: {missing}")
    return (1, 0) if code == 0 and not missing else (0, 1)


GALAXY_START_LOG = RESULTS / "galaxy-start.log"


def start_galaxy_in_background() -> subprocess.Popen:
    """`galaxy_ctl.py configure` then `start` (which waits until Galaxy answers), output to a log file."""
    print(f"+ galaxy_ctl.py configure && galaxy_ctl.py start, in the background (log: {GALAXY_START_LOG})",
          flush=True)
    command = " && ".join(" ".join(map(str, [*GALAXY_CTL, verb])) for verb in ("configure", "start"))
    log = open(GALAXY_START_LOG, "w")
    return subprocess.Popen(["bash", "-c", command], cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)


def galaxy_ready(starting: subprocess.Popen) -> bool:
    """Wait for the background start; print its log; True when Galaxy started."""
    code = starting.wait()
    print(GALAXY_START_LOG.read_text(), end="", flush=True)
    if code != 0:
        print(f"Galaxy did not start (exit status {code})")
    return code == 0


# In the order they run: the quick ones first, so a broken change fails fast.
STAGE_RUNNERS = {"unit": stage_unit, "lint": stage_lint, "tools": stage_tools, "workflows": stage_workflows,
                 "imports": stage_imports, "pulsar": stage_pulsar, "browser": stage_browser, "benchmark": stage_benchmark}
STAGES = tuple(STAGE_RUNNERS)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", default=",".join(STAGES), help=f"comma-separated stages of {', '.join(STAGES)}")
    args = parser.parse_args(argv)
    stages = [stage for stage in STAGES if stage in args.only.split(",")]
    RESULTS.mkdir(exist_ok=True)
    totals: dict[str, tuple[int, int, float]] = {}
    # Galaxy's start (about 110 s on a fresh database, mostly one process importing and migrating) runs
    # in the background while the stages before the first one that needs it (unit, lint) run.
    starting = start_galaxy_in_background() if NEEDS_GALAXY & set(stages) else None
    galaxy_started = False
    try:
        for stage in stages:
            if stage in NEEDS_GALAXY and not galaxy_started:
                galaxy_started = True  # stopped at the end whether or not the start succeeded
                if not galaxy_ready(starting):
                    totals["galaxy start"] = (0, 1, 0.0)
                    break
            print(f"=== {stage} ===", flush=True)
            started = time.monotonic()
            passed, failed = STAGE_RUNNERS[stage]()
            totals[stage] = (passed, failed, time.monotonic() - started)
    finally:
        if starting is not None and starting.poll() is None:
            starting.wait()  # a start still running when a stage broke off: let it finish, then stop it
        if starting is not None:
            run([*GALAXY_CTL, "stop"])
    print("\n=== summary ===")
    for stage, (passed, failed, seconds) in totals.items():
        print(f"{stage:>12}: {passed} passed, {failed} failed ({seconds:.0f} s)")
    passed = sum(item[0] for item in totals.values())
    failed = sum(item[1] for item in totals.values())
    print(f"{passed} passed, {failed} failed")
    return 1 if failed or not passed else 0


if __name__ == "__main__":
    sys.exit(main())
