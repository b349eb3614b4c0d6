"""Import Keras once, quietly, on the TensorFlow backend, with Galaxy's thread count.

TensorFlow's C++ start-up chatter (oneDNN notices, CUDA probes) is written to
stderr before its log level can be set, and would bury the tools' own
one-line errors in Galaxy's job view. The import runs with file descriptor 2
pointed at /dev/null; stderr is restored straight after, so real errors still
show. Every module gets ``keras`` from here.
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
    import keras  # noqa: E402
    import tensorflow as tf  # noqa: E402

    # Galaxy tells a job how many cores it may use; TensorFlow would otherwise take them all.
    _slots = os.environ.get("GALAXY_SLOTS")
    if _slots and _slots.isdigit() and int(_slots) > 0:
        tf.config.threading.set_intra_op_parallelism_threads(int(_slots))
        tf.config.threading.set_inter_op_parallelism_threads(min(2, int(_slots)))
    tf.config.list_physical_devices()  # the device probe prints too: do it now, quietly

__all__ = ["keras", "tf"]
