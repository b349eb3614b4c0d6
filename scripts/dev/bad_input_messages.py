#!/usr/bin/env python3
"""Every bad-input case of the last unit-test run with the one error line the tool gave.

Reads the JUnit report that `make test` / `make unit` writes (results/unit-tests.xml), where
tests/test_bad_input_sweep.py records each case's error line, and prints a Markdown table.

    python3 scripts/dev/bad_input_messages.py [results/unit-tests.xml]
"""

from __future__ import annotations

import re
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    report = Path(args[0]) if args else ROOT / "results" / "unit-tests.xml"
    rows = []
    for case in ET.parse(report).getroot().iter("testcase"):
        match = re.fullmatch(r"test_bad_input\[(.*)\]", case.get("name", ""))
        if not match:
            continue
        error = next((p.get("value", "") for p in case.iter("property") if p.get("name") == "error"), "")
        status = "failed" if case.find("failure") is not None or case.find("error") is not None else "passed"
        rows.append((match.group(1), status, error.removeprefix("Error: ")))
    print("| case | result | the error line (after `Error: `) |\n| --- | --- | --- |")
    for name, status, error in sorted(rows):
        cell = error.replace("|", "\\|")  # a '|' inside a Markdown table cell
        print(f"| {name} | {status} | {cell} |")
    print(f"\n{len(rows)} cases, {sum(status == 'passed' for _, status, _ in rows)} passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
