"""Test the tools and workflows against the running embedded Galaxy with `planemo test`.

planemo runs as a command of its own venv. As the IUC's and IWC's CI do, planemo's own
`ci_find_tools` / `ci_find_repos --chunk_count N --chunk K` split the tools (or the workflow
folders) into chunks, one `planemo test` process tests each chunk, and
`planemo merge_test_reports` merges their JSON reports into one (`planemo test_reports` then
writes its HTML). Prints a closing line `N passed, N failed`; the return value is the exit
status (1 when a test failed or none ran).
"""

import json
import subprocess

from galaxy_configure import tool_files
from galaxy_paths import PLANEMO_VENV, RESULTS, ROOT, CtlError, load_settings
from galaxy_serve import reload_tools, server_keys

PLANEMO = PLANEMO_VENV / "bin" / "planemo"
# Tool and workflow tests run as this many planemo processes at once: a test's time is mostly
# Galaxy's own per-job work (upload, queue, metadata), so two at a time shorten the stage on
# 2 cores (the job runner has 2 workers).
TEST_PROCESSES = 2


def planemo_command(targets, report_name):
    keys = server_keys()
    command = [PLANEMO, "test", "--engine", "external_galaxy",
               "--galaxy_url", keys["url"], "--galaxy_admin_key", keys["admin_key"],
               "--galaxy_user_key", keys["user_key"],
               "--test_output", RESULTS / f"{report_name}.html", "--test_output_json", RESULTS / f"{report_name}.json",
               "--test_output_junit", RESULTS / f"{report_name}.xml"]
    if (ROOT / "test-data").is_dir():
        command += ["--test_data", ROOT / "test-data"]
    return [str(c) for c in command + list(targets)]


def planemo_chunks(finder, folder, count=TEST_PROCESSES):
    """planemo's own split of a folder's tools (``ci_find_tools``) or workflow folders (``ci_find_repos``)."""
    chunks = []
    for chunk in range(count):
        found = subprocess.run([str(PLANEMO), finder, "--chunk_count", str(count), "--chunk", str(chunk), str(folder)],
                               cwd=ROOT, capture_output=True, text=True)
        if found.returncode != 0:
            raise CtlError(f"planemo {finder} failed: {found.stderr.strip()[-500:]}")
        chunks.append(found.stdout.split())
    return [chunk for chunk in chunks if chunk]


def report_counts(report_json):
    summary = json.loads(report_json.read_text())["summary"]
    failed = summary.get("num_failures", 0) + summary.get("num_errors", 0)
    skipped = summary.get("num_skips", 0)
    passed = summary.get("num_tests", 0) - failed - skipped
    print(f"{passed} passed, {failed} failed" + (f", {skipped} skipped" if skipped else ""))
    return 1 if failed or not passed else 0


def planemo_test(chunks, report_name):
    """One `planemo test` process per chunk, side by side; their reports merged; prints 'N passed, N failed'."""
    RESULTS.mkdir(exist_ok=True)
    report_json = RESULTS / f"{report_name}.json"
    names = [report_name] if len(chunks) == 1 else [f"{report_name}-{i}" for i in range(1, len(chunks) + 1)]
    for name in {report_name, *names}:  # no report of an earlier run may pass for this one's
        for suffix in (".json", ".xml", ".html"):
            (RESULTS / f"{name}{suffix}").unlink(missing_ok=True)
    running = [subprocess.Popen(planemo_command(chunk, name), cwd=ROOT) for chunk, name in zip(chunks, names)]
    for process in running:
        process.wait()
    parts = [RESULTS / f"{name}.json" for name in names]
    missing = [part for part in parts if not part.exists()]
    if missing:
        print("0 passed, 0 failed")
        raise CtlError(f"planemo wrote no {', '.join(str(p.relative_to(ROOT)) for p in missing)}: no test ran")
    if len(parts) > 1:
        for command in (["merge_test_reports", *parts, report_json],
                        ["test_reports", report_json, "--test_output", RESULTS / f"{report_name}.html"]):
            if subprocess.run([str(part) for part in [PLANEMO, *command]], cwd=ROOT).returncode != 0:
                raise CtlError(f"planemo {command[0]} failed")
    code = report_counts(report_json)
    print(f"report: {RESULTS.relative_to(ROOT)}/{report_name}.html")
    return code


def test_tools(tools=()):
    """The tools' own <tests>: the given tool XMLs in one process, or every configured tool in planemo's chunks."""
    tools_dir = load_settings()["tools_dir"]
    if not tool_files(tools_dir):
        raise CtlError("no tool to test")
    reload_tools()  # test the tools as they are on disk now
    chunks = [list(tools)] if tools else planemo_chunks("ci_find_tools", tools_dir)
    return planemo_test(chunks, "tool-tests")


def test_workflows(workflows=()):
    """The workflows' tests, each from the -tests.yml beside it: the given files, or every workflow folder."""
    chunks = [list(workflows)] if workflows else planemo_chunks("ci_find_repos", ROOT / "workflows")
    if not chunks:
        raise CtlError("no workflow to test in workflows/")
    return planemo_test(chunks, "workflow-tests")
