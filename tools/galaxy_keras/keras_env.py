"""Import Keras once, quietly, on the TensorFlow backend, with Galaxy's thread count.

TensorFlow's C++ start-up chatter (oneDNN notices, CUDA probes) is written to
stderr before its log level can be set, and would bury the tools' own
one-line errors in Galaxy's job view. The import runs with file descriptor 2
pointed at /dev/null; stderr is restored straight after, so real errors still
show. Every module gets ``keras`` from here. The import also configures the
devices (device.configure: CPU threads, GPU memory growth), which must happen
before TensorFlow runs its first op.
"""

from __future__ import annotations

import contextlib
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")


@contextlib.contextmanager
def _quiet_stderr():
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 2)
            yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


with _quiet_stderr():
    import tensorflow as tf  # noqa: E402

    # Threads from GALAXY_SLOTS, GPU memory growth and the device probe: before any op runs, so
    # before Keras is imported too.
    from . import device  # noqa: E402

    device.configure(tf)
    import keras  # noqa: E402

__all__ = ["keras", "tf"]
