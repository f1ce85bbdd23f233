"""What the callbacks share: the global step, logs as plain floats, finiteness, durable renames."""

from __future__ import annotations

import logging
import math
import os
from pathlib import Path

import numpy as np
from keras import ops

logger = logging.getLogger("kerasgan.training")


def global_step(model) -> int:
    """Training steps done so far: the generator optimizer's iteration count (one per step),
    which lives in the checkpoint, so it carries over a resume."""
    try:
        return int(ops.convert_to_numpy(model.optimizer.iterations))
    except (AttributeError, TypeError):
        return 0


def plain_logs(logs) -> dict:
    """Logs as JSON-ready floats (non-numeric entries are left out)."""
    out = {}
    for key, value in (logs or {}).items():
        try:
            out[str(key)] = float(ops.convert_to_numpy(value))
        except (TypeError, ValueError):
            continue
    return out


def non_finite(logs) -> dict:
    """The logged values that are NaN or infinite."""
    return {k: v for k, v in plain_logs(logs).items() if not math.isfinite(v)}


def finite_state(model) -> bool:
    """Whether every float variable (weights, statistics, both optimizers) is finite."""
    variables = list(model.variables) + list(model.d_optimizer.variables) + list(model.g_optimizer.variables)
    return all(
        np.isfinite(ops.convert_to_numpy(v)).all()
        for v in variables
        if "float" in str(v.dtype)
    )


def fsync_dir(directory: Path) -> None:
    # Makes the rename itself durable; not possible (nor needed) on Windows.
    if os.name == "nt":
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
