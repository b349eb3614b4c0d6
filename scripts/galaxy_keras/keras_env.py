"""Import Keras once, quietly, on the TensorFlow backend.

TensorFlow prints start-up chatter on stderr that would bury the tools' own
one-line errors in Galaxy's job view, so its C++ logging is turned down before
the first import. Every module gets ``keras`` from here.
"""

from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import keras  # noqa: E402

__all__ = ["keras"]
