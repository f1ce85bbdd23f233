"""Checks on `.weights.h5` files (checkpoints and presets) before and after Keras touches them.

A truncated or foreign file, or one holding NaN/inf, is refused with one `IntegrityError`
sentence instead of h5py's or Keras' messages, so a diverged run can neither be resumed from
nor published, and a damaged file is never half-loaded into a model.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np

from kerasgan.errors import IntegrityError, InvalidArgumentError


def open_h5(path, what: str = "weights file"):
    """`h5py.File(path, "r")`, or an IntegrityError naming the file when HDF5 cannot read it."""
    import h5py

    try:
        return h5py.File(path, "r")
    except OSError as error:  # h5py's messages: "truncated file", "file signature not found", ...
        reason = str(error).split("(")[-1].rstrip(")") if "(" in str(error) else str(error)
        raise IntegrityError(f"The {what} {Path(path)} is truncated or not an HDF5 file ({reason}).") from None


def non_finite_arrays(group) -> list[str]:
    """Names of the float datasets under an open h5py group that hold NaN or inf."""
    import h5py

    bad = []

    def visit(name, item):
        if isinstance(item, h5py.Dataset) and np.issubdtype(item.dtype, np.floating):
            if not np.isfinite(item[()]).all():
                bad.append(item.name)

    group.visititems(visit)
    return bad


def check_finite(path, what: str = "weights file") -> None:
    """Raises IntegrityError when any float array in the HDF5 file `path` holds NaN or inf."""
    try:
        with open_h5(path, what) as f:
            bad = non_finite_arrays(f)
    except (OSError, KeyError, RuntimeError) as error:  # a damaged dataset inside a readable file
        raise IntegrityError(f"The {what} {Path(path)} is damaged ({error}).") from None
    if bad:
        raise IntegrityError(
            f"The {what} {Path(path)} holds NaN or infinite values in {len(bad)} array(s) (first: {bad[0]}); "
            "it comes from a diverged run and is refused."
        )


def load_weights(model, path, what: str = "weights file", mismatch=InvalidArgumentError) -> None:
    """`model.load_weights(path)` after checking the file opens and is finite. Weights of another
    architecture (Keras warns once per layer, then raises) become one `mismatch` sentence."""
    check_finite(path, what)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            model.load_weights(str(path))
        except (ValueError, KeyError) as error:
            raise mismatch(
                f"The {what} {Path(path)} holds weights of another shape than this {type(model).__name__} "
                f"({str(error).splitlines()[0]}); build the model with the options it was saved with."
            ) from None
    for warning in caught:  # a successful load keeps Keras' warnings
        warnings.warn_explicit(warning.message, warning.category, warning.filename, warning.lineno)
