"""Which device a job trains and predicts on, and one line for its stdout that says why.

Galaxy gives a job a GPU by setting ``CUDA_VISIBLE_DEVICES`` in the job's
environment (a destination's ``env``, TPV, or the batch system's GPU
allocation); TensorFlow then places every op on the first GPU it finds, else on
the CPU. Nothing here chooses a device: TensorFlow's own choice is the right
one. This module

* probes once, while keras_env's import keeps stderr quiet, the GPUs that
  TensorFlow finds, and turns on memory growth for each of them, so a job takes
  the GPU memory it uses and not a shared GPU's whole memory (this must happen
  before any op runs, hence at import);
* sets TensorFlow's CPU threads from ``GALAXY_SLOTS``;
* describes the outcome in one line, e.g.
  ``device: CPU, 2 threads (GALAXY_SLOTS=2); no GPU: CUDA_VISIBLE_DEVICES is not set and TensorFlow found none``.

The description is a pure function of the environment values and the GPUs
found, so every case is tested without a GPU.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any, Sequence

PREFIX = "device:"


@dataclass(frozen=True)
class Gpu:
    """A GPU as TensorFlow lists it, with what get_device_details says about it (when it says)."""

    name: str  # e.g. "/physical_device:GPU:0"
    model: str | None = None  # e.g. "NVIDIA H200"
    compute_capability: tuple[int, int] | None = None

    def label(self) -> str:
        details = [self.model] if self.model else []
        if self.compute_capability:
            details.append("compute capability {}.{}".format(*self.compute_capability))
        return f"{self.name} ({', '.join(details)})" if details else self.name


def visible_devices(value: str | None) -> tuple[str, list[str]]:
    """What CUDA_VISIBLE_DEVICES says: ("unset" | "empty" | "hidden" | "list", its entries).

    CUDA reads the list up to its first invalid entry, so a list that starts with
    a negative number (the usual ``-1``) hides every GPU.
    """
    if value is None:
        return "unset", []
    entries = [entry.strip() for entry in value.split(",") if entry.strip()]
    if not entries:
        return "empty", []
    if entries[0].startswith("-"):
        return "hidden", entries
    return "list", entries


def slots(value: str | None) -> int | None:
    """GALAXY_SLOTS as a positive whole number, or None when Galaxy did not set one."""
    text = (value or "").strip()
    return int(text) if text.isdigit() and int(text) > 0 else None


def available_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def describe(cuda_visible: str | None, gpus: Sequence[Gpu], *, built_with_cuda: bool,
             galaxy_slots: str | None, cores: int, growth_error: str | None = None) -> str:
    """The stdout line: the device TensorFlow uses and why."""
    state, entries = visible_devices(cuda_visible)
    setting = f"CUDA_VISIBLE_DEVICES={cuda_visible.strip()}" if cuda_visible is not None else ""
    if gpus:
        used = f"{PREFIX} GPU {gpus[0].label()}"
        if len(gpus) > 1:
            used += f", the first of the {len(gpus)} GPUs TensorFlow found (Keras uses one)"
        if state == "unset":
            why = "CUDA_VISIBLE_DEVICES is not set, so the job sees every GPU of its machine"
        else:
            why = f"{setting} set by the job's destination"
        line = f"{used}; {why}"
        if growth_error:
            line += f"; memory growth could not be turned on ({growth_error}), TensorFlow may take the whole GPU"
        return line

    threads = slots(galaxy_slots)
    cpu = (f"{PREFIX} CPU, {threads} thread{'s' if threads != 1 else ''} (GALAXY_SLOTS={threads})"
           if threads else f"{PREFIX} CPU, all {cores} cores (GALAXY_SLOTS is not set)")
    if state == "unset":
        why = "CUDA_VISIBLE_DEVICES is not set and TensorFlow found none"
    elif state == "empty":
        why = "CUDA_VISIBLE_DEVICES is empty, so the destination gave this job no GPU"
    elif state == "hidden":
        why = f"{setting} hides every GPU from this job"
    elif built_with_cuda:
        why = (f"{setting} but TensorFlow found no GPU (this TensorFlow is built with CUDA: "
               "the NVIDIA driver or TensorFlow's CUDA libraries are missing or cannot reach the GPU)")
    else:
        why = f"{setting} but TensorFlow found no GPU (this TensorFlow is a CPU-only build)"
    return f"{cpu}; no GPU: {why}"


_line: str | None = None


def configure(tf: Any) -> str:
    """Set threads and GPU memory growth, probe the GPUs; run once, before any op (keras_env's import)."""
    global _line
    threads = slots(os.environ.get("GALAXY_SLOTS"))
    if threads:
        # Galaxy tells a job how many cores it may use; TensorFlow would otherwise take them all.
        tf.config.threading.set_intra_op_parallelism_threads(threads)
        tf.config.threading.set_inter_op_parallelism_threads(min(2, threads))
    tf.config.list_physical_devices()  # the device probe prints too: done here, while stderr is quiet
    gpus, growth_error = [], None
    for device in tf.config.list_physical_devices("GPU"):
        try:
            tf.config.experimental.set_memory_growth(device, True)
        except (RuntimeError, ValueError) as error:  # already initialised, or growth differs between GPUs
            growth_error = str(error).splitlines()[0] if str(error) else type(error).__name__
        gpus.append(_gpu(tf, device))
    try:
        built_with_cuda = bool(tf.test.is_built_with_cuda())
    except Exception:  # noqa: BLE001 - only used to explain a missing GPU
        built_with_cuda = False
    _line = describe(os.environ.get("CUDA_VISIBLE_DEVICES"), gpus, built_with_cuda=built_with_cuda,
                     galaxy_slots=os.environ.get("GALAXY_SLOTS"), cores=available_cores(),
                     growth_error=growth_error)
    return _line


def _gpu(tf: Any, device: Any) -> Gpu:
    try:
        details = tf.config.experimental.get_device_details(device) or {}
    except Exception:  # noqa: BLE001 - details are a courtesy; not every build has them
        details = {}
    capability = details.get("compute_capability")
    return Gpu(device.name, details.get("device_name") or None,
               tuple(capability) if isinstance(capability, (tuple, list)) and len(capability) == 2 else None)


def line() -> str:
    """The device line for this process (importing TensorFlow quietly first, if not done yet)."""
    if _line is None:
        from . import keras_env  # noqa: F401 - its import runs configure()
    return _line if _line is not None else f"{PREFIX} unknown (TensorFlow was not configured by galaxy_keras)"
