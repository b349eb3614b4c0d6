"""Test the tools and workflows against the running embedded Galaxy with `planemo test`.

planemo runs as a command of its own venv; the targets are split into balanced groups run
as parallel planemo processes, whose JSON reports are merged into one.  Prints a closing
line `N passed, N failed`; the return value is the exit status (1 when a test failed or none ran).
"""

import json
import subprocess
import xml.etree.ElementTree as ET

from galaxy_configure import tool_files
from galaxy_paths import PLANEMO_VENV, RESULTS, ROOT, CtlError, load_settings
from galaxy_serve import reload_tools, server_keys

# Tool and workflow tests run as this many planemo processes at once: a test's time is mostly
# Galaxy's own per-job work (upload, queue, metadata), so two at a time shorten the stage on
# 2 cores (the job runner has 2 workers).
TEST_PROCESSES = 2


def planemo_command(targets, report_name):
    keys = server_keys()
    command = [PLANEMO_VENV / "bin" / "planemo", "test", "--engine", "external_galaxy",
               "--galaxy_url", keys["url"], "--galaxy_admin_key", keys["admin_key"],
               "--galaxy_user_key", keys["user_key"],
               "--test_output", RESULTS / f"{report_name}.html", "--test_output_json", RESULTS / f"{report_name}.json",
               "--test_output_junit", RESULTS / f"{report_name}.xml"]
    if (ROOT / "test-data").is_dir():
        command += ["--test_data", ROOT / "test-data"]
    return [str(c) for c in command + list(targets)]


def count_tests(target):
    """A tool XML's number of tests; a workflow counts as one."""
    if not str(target).endswith(".xml"):
        return 1
    tests = ET.parse(target).getroot().find("tests")
    return 1 if tests is None else max(len(tests.findall("test")), 1)


def balanced_groups(targets, n_groups):
    """Tools split into groups of about equal numbers of tests (largest first)."""
    groups = [[] for _ in range(n_groups)]
    sizes = [0] * n_groups
    for target in sorted(targets, key=lambda t: -count_tests(t)):
        smallest = sizes.index(min(sizes))
        groups[smallest].append(target)
        sizes[smallest] += count_tests(target)
    return [group for group in groups if group]


def merge_reports(parts, report_json):
    """One planemo JSON report from several: tests concatenated, summary numbers added."""
    merged = {"summary": {}, "tests": []}
    for part in parts:
        data = json.loads(part.read_text())
        merged["tests"] += data.get("tests", [])
        for key, value in data.get("summary", {}).items():
            if isinstance(value, (int, float)):
                merged["summary"][key] = merged["summary"].get(key, 0) + value
        merged.setdefault("version", data.get("version"))
    report_json.write_text(json.dumps(merged, indent=2))


def report_counts(report_json):
    summary = json.loads(report_json.read_text())["summary"]
    failed = summary.get("num_failures", 0) + summary.get("num_errors", 0)
    skipped = summary.get("num_skips", 0)
    passed = summary.get("num_tests", 0) - failed - skipped
    print(f"{passed} passed, {failed} failed" + (f", {skipped} skipped" if skipped else ""))
    return 1 if failed or not passed else 0


def planemo_test(targets, report_name, processes=1):
    """`planemo test` against the running server, in ``processes`` parallel groups; prints 'N passed, N failed'."""
    RESULTS.mkdir(exist_ok=True)
    report_json = RESULTS / f"{report_name}.json"
    report_json.unlink(missing_ok=True)
    groups = balanced_groups(targets, processes) if processes > 1 else [list(targets)]
    names = [report_name] if len(groups) == 1 else [f"{report_name}-{i}" for i in range(1, len(groups) + 1)]
    for name in names:
        (RESULTS / f"{name}.json").unlink(missing_ok=True)
    running = [subprocess.Popen(planemo_command(group, name), cwd=ROOT) for group, name in zip(groups, names)]
    for process in running:
        process.wait()
    parts = [RESULTS / f"{name}.json" for name in names]
    missing = [part for part in parts if not part.exists()]
    if missing:
        print("0 passed, 0 failed")
        raise CtlError(f"planemo wrote no {', '.join(str(p.relative_to(ROOT)) for p in missing)}: no test ran")
    if len(parts) > 1:
        merge_reports(parts, report_json)
    code = report_counts(report_json)
    print(f"report: {', '.join(f'{RESULTS.relative_to(ROOT)}/{name}.html' for name in names)}")
    return code


def test_tools(tools=()):
    """The tools' own <tests> (default: every tool of the configured tools folder)."""
    tools = list(tools) or tool_files(load_settings()["tools_dir"])
    if not tools:
        raise CtlError("no tool to test")
    reload_tools()  # test the tools as they are on disk now
    return planemo_test(tools, "tool-tests", TEST_PROCESSES)


def test_workflows(workflows):
    """The workflows' tests, each from the -tests.yml beside it."""
    return planemo_test(workflows, "workflow-tests", TEST_PROCESSES)
