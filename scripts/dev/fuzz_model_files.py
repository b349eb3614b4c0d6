#!/usr/bin/env python
"""A bigger run of the byte-flip fuzz of the HDF5 model files (tests/model_file_fuzz.py) than `make test` runs.

    .venv/tools/bin/python scripts/dev/fuzz_model_files.py --variants 600 --seed 1 --jobs 2

Runs the unchanged files first (their outputs must have the forms the fuzz
expects), then every variant; prints one line a variant as it ends, a summary
by outcome, the costs, and one reproducible line a failure (file, tool, offset:
old byte -> new byte). Exits 1 when any variant or control failed. ``--only``
reruns the variants whose names contain a text (e.g. "dense.h5 predict 1897:").
"""

from __future__ import annotations

import argparse
import collections
import shutil
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))

import model_file_fuzz as fuzz  # noqa: E402


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--variants", type=int, default=600, help="seeded variants, spread over the files")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--jobs", type=int, default=1, help="tools run at once (each is one process)")
    parser.add_argument("--timeout", type=float, help=f"seconds before a run counts as a hang (default: "
                                                      f"{fuzz.TIMEOUTS['predict']} to predict, "
                                                      f"{fuzz.TIMEOUTS['train']} to train)")
    parser.add_argument("--no-known", action="store_true", help="leave out the fixed variants (KNOWN: the reviewer's "
                                                                      "finds and earlier runs' failures)")
    parser.add_argument("--no-controls", action="store_true", help="skip the runs of the unchanged files")
    parser.add_argument("--only", help="run only the variants whose name contains this text")
    parser.add_argument("--keep", type=Path, help="keep each run's folder here (default: a temporary folder)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    variants = fuzz.make_variants(args.variants, args.seed, known=not args.no_known)
    if args.only:
        variants = [variant for variant in variants if args.only in variant.name]
    base = args.keep or Path(tempfile.mkdtemp(prefix="fuzz_model_files_"))
    base.mkdir(parents=True, exist_ok=True)
    failed_controls = []
    if not args.no_controls:
        pairs = sorted({(variant.target, variant.tool) for variant in variants})
        for index, (target, tool) in enumerate(pairs):
            outcome = fuzz.run_variant(None, base / f"control{index}", target=target, tool=tool,
                                       timeout=args.timeout)
            print(f"control {outcome.variant}: {outcome.kind} ({outcome.seconds:.1f} s, CPU "
                  f"{outcome.cpu_seconds:.1f} s){'' if outcome.kind == 'success' else ' ' + outcome.detail}",
                  flush=True)
            if outcome.kind != "success":
                failed_controls.append(outcome)

    def run(indexed: tuple[int, fuzz.Variant]) -> fuzz.Outcome:
        index, variant = indexed
        folder = base / f"v{index:04d}"
        outcome = fuzz.run_variant(variant, folder, timeout=args.timeout)
        print(f"[{index + 1}/{len(variants)}] {outcome.kind:9} {outcome.seconds:5.1f} s (CPU "
              f"{outcome.cpu_seconds:4.1f} s) {variant.name}"
              f"{'  ' + outcome.detail[:160] if outcome.failed else ''}", flush=True)
        if not args.keep and not outcome.failed:
            shutil.rmtree(folder, ignore_errors=True)
        return outcome

    start = time.monotonic()
    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        outcomes = list(pool.map(run, enumerate(variants)))
    wall = time.monotonic() - start

    counts = collections.Counter(outcome.kind for outcome in outcomes)
    print(f"\n{len(outcomes)} variants (seed {args.seed}) in {wall:.0f} s with {args.jobs} at once")
    for kind in ("success", "refused", *fuzz.PROBLEMS):
        if counts[kind]:
            label = {"success": "exit 0, the unchanged file's form", "refused": "exit 1, one 'Error:' line"}.get(
                kind, "failed: " + kind)
            print(f"  {counts[kind]:5}  {label}")
    for kind in ("success", "refused"):
        chosen = [outcome for outcome in outcomes if outcome.kind == kind]
        if chosen:
            print(f"  {kind}: {sum(o.seconds for o in chosen) / len(chosen):.1f} s a variant "
                  f"(CPU {sum(o.cpu_seconds for o in chosen) / len(chosen):.1f} s)")
    if outcomes:
        print(f"  all: {sum(o.seconds for o in outcomes) / len(outcomes):.1f} s a variant (CPU "
              f"{sum(o.cpu_seconds for o in outcomes) / len(outcomes):.1f} s), peak RSS "
              f"{max(o.peak_rss for o in outcomes) / 2**20:.0f} MiB (limit {fuzz.MEMORY_LIMIT / 2**20:.0f} MiB)")
    failures = failed_controls + [outcome for outcome in outcomes if outcome.failed]
    if failures:
        print(f"\n{len(failures)} failures (rerun one with --only '<file> <tool> <offset>:'):")
        for outcome in failures:
            print(f"  {outcome.kind:9} {outcome.variant}: {'+'.join(outcome.problems)}: {outcome.detail[:300]}")
    print(f"\nrun folders: {base}" + ("" if args.keep else " (the failures' are kept)"))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
