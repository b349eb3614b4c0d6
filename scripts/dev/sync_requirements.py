#!/usr/bin/env python3
"""Write requirements.txt from the <requirement> pins in tools/macros.xml.

The macros are the one source of truth for the tools' runtime packages; the
pip file (used to create the tools' environment) is derived from them.

    python3 scripts/dev/sync_requirements.py          # rewrite requirements.txt
    python3 scripts/dev/sync_requirements.py --check  # exit 1 if it is stale
"""

from __future__ import annotations

import argparse
import re
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MACROS = ROOT / "tools" / "macros.xml"
TARGET = ROOT / "requirements.txt"
HEADER = ("# Runtime packages of the Keras tools. Generated from tools/macros.xml by\n"
          "# `python3 scripts/dev/sync_requirements.py`: edit the macros, not this file.\n")


def macro_requirements() -> list[tuple[str, str]]:
    root = ET.parse(MACROS).getroot()
    tokens = {token.get("name"): (token.text or "").strip() for token in root.iter("token")}
    pins = []
    for requirement in root.iter("requirement"):
        version = re.sub(r"@[A-Z_]+@", lambda m: tokens[m.group(0)], requirement.get("version", ""))
        pins.append((requirement.text.strip(), version))
    return pins


# Conda installs the interpreter named by <requirement>python</requirement>; pip cannot.
NOT_PIP_PACKAGES = {"python"}


def render() -> str:
    return HEADER + "".join(f"{name}=={version}\n" for name, version in macro_requirements()
                            if name not in NOT_PIP_PACKAGES)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args(argv)
    text = render()
    if args.check:
        if TARGET.read_text() != text:
            print("requirements.txt does not match tools/macros.xml: run python3 scripts/dev/sync_requirements.py")
            return 1
        print("requirements.txt matches tools/macros.xml")
        return 0
    TARGET.write_text(text)
    print("wrote requirements.txt")
    return 0


if __name__ == "__main__":
    sys.exit(main())
