"""Bad-input cases for tests/test_bad_input_sweep.py, one module per tool.

Each module defines ``CASES``: a dict from a readable name to a ``Case``. An
input is a path, the token ``EMPTY`` (an empty file) or a function
``make(folder, canary) -> path`` that writes a hostile file into ``folder``;
``canary`` is a folder outside the job that no tool may touch (a model file
can name it as a path to write to or delete).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Union

# The case modules, one a tool.
TOOL_MODULES = ("config", "builder", "train", "predict", "visualization", "text", "model_files", "tables",
                "parameters", "model_json", "messages", "hdf5_files")

Input = Union[str, Path, Callable[[Path, Path], Path]]
# Every case runs under this limit of its data segment (RLIMIT_DATA, which counts
# malloc and anonymous mmap): a regression that allocates from a declared size
# fails its case instead of the machine. TensorFlow's import alone takes about 0.45 GB.
MEMORY_LIMIT = 1536 * 1024 * 1024


@dataclass(frozen=True)
class Case:
    script: str  # a tool script in scripts/, without .py
    params: Any  # the tool's parameters (a dict written as JSON, or text written as is)
    inputs: list[Input]  # command-line options and inputs, in order
    outputs: list[str]  # output options: each gets a pre-created empty file, as Galaxy makes them
    expected: str  # a part of the one error line
    env: dict[str, str] = field(default_factory=dict)
    memory_limit: int = MEMORY_LIMIT
