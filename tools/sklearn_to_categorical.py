#!/usr/bin/env python
"""To categorical: a column of class labels -> a one-hot table (``keras.utils.to_categorical``).

Galaxy tool ``sklearn_to_categorical``, with the parameters of Galaxy-ML's tool
of that id (``infile``, ``header0``, ``num_classes``), so that the GTN CNN
tutorial's workflow runs unchanged. Whole-number labels are Keras' class
indices (label i -> column i); text labels get one column per label in sorted
order. The output has a header row of the class names when the labels have a
header row, so that the next tool reads both with the same "header" setting.
No Keras import: pandas and plain Python.
"""

from __future__ import annotations

import argparse

from galaxy_keras.errors import UserError, atomic_outputs, outputs_removed_on_error, run_tool, shown
from galaxy_keras.one_hot_labels import MAX_CLASSES, encode, read_labels, write_one_hot
from galaxy_keras.params import Params

WHAT = "the labels dataset"
SHOWN_CLASSES = 20  # classes listed with their counts in the job's standard output


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--inputs", required=True, help="the tool's parameters (JSON written by Galaxy)")
    parser.add_argument("--infile", required=True, help="table with one column of class labels")
    parser.add_argument("--outfile", required=True, help="the one-hot table")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    with outputs_removed_on_error(args.outfile):
        convert(args)


def read_num_classes(params: Params) -> int | None:
    num_classes = params.int("num_classes", None, minimum=1)
    if num_classes is not None and num_classes > MAX_CLASSES:
        raise UserError(f"parameter 'num_classes' must be at most {MAX_CLASSES:,} (the columns of a one-hot table), "
                        f"got {num_classes:,}")
    return num_classes


def convert(args: argparse.Namespace) -> None:
    params = Params.from_file(args.inputs)
    header = params.bool("header0", False)
    num_classes = read_num_classes(params)
    params.refuse_unread()

    cells = read_labels(args.infile, header, WHAT)
    one_hot = encode(cells, num_classes, header, WHAT)
    with atomic_outputs(args.outfile) as (outfile,):
        with open(outfile, "w", encoding="utf-8", newline="\n") as handle:
            write_one_hot(one_hot, handle, header)

    kind = "whole numbers, Keras' class indices" if one_hot.integer else "text, classes in sorted order"
    classes = one_hot.classes
    print(f"{len(cells)} labels ({kind}) -> {len(cells)} rows x {len(classes)} columns of 0/1"
          f"{', with a header row of the class names' if header else ', no header row (as the labels)'}")
    print("classes in column order: " + ", ".join(shown(name, 40) for name in classes[:SHOWN_CLASSES])
          + (f", ... ({len(classes)} in all)" if len(classes) > SHOWN_CLASSES else ""))
    counts = one_hot.counts()
    print("rows per class: " + ", ".join(f"{shown(name, 40)}: {count}" for name, count in
                                         zip(classes[:SHOWN_CLASSES], counts)))
    empty = [name for name, count in zip(classes, counts) if count == 0]
    if empty:
        print(f"Note: no row has the class {', '.join(shown(name, 40) for name in empty[:SHOWN_CLASSES])}"
              f"{' ...' if len(empty) > SHOWN_CLASSES else ''}; its column holds only 0")


if __name__ == "__main__":
    run_tool(main)
