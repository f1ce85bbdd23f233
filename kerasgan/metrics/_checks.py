"""Input validation and small shared helpers for the metrics (private)."""

from __future__ import annotations

import numpy as np

from kerasgan.errors import InvalidArgumentError


def as_features(x, name: str, min_samples: int = 1) -> np.ndarray:
    """Returns `x` as a finite float64 (N, D) array or raises a one-sentence ValueError."""
    arr = np.asarray(x)
    if arr.ndim != 2:
        raise InvalidArgumentError(f"{name} must be a 2-D feature array (N, D), got shape {arr.shape}.")
    if not (np.issubdtype(arr.dtype, np.number) or arr.dtype == np.bool_):
        raise InvalidArgumentError(f"{name} must be numeric, got dtype {arr.dtype}.")
    if arr.shape[0] < min_samples:
        raise InvalidArgumentError(f"{name} needs at least {min_samples} samples, got {arr.shape[0]}.")
    if arr.shape[1] < 1:
        raise InvalidArgumentError(f"{name} must have at least one feature dimension, got shape {arr.shape}.")
    arr = arr.astype(np.float64, copy=False)
    if not np.all(np.isfinite(arr)):
        raise InvalidArgumentError(f"{name} must be finite, got NaN or inf values.")
    return arr


def check_same_dim(a: np.ndarray, b: np.ndarray, name_a: str, name_b: str) -> None:
    """Raises if two (N, D) arrays have different feature dimensions."""
    if a.shape[1] != b.shape[1]:
        raise InvalidArgumentError(f"{name_a} and {name_b} must have the same feature dimension, got {a.shape[1]} and {b.shape[1]}.")


def as_images(x, name: str, min_samples: int = 1) -> np.ndarray:
    """Returns uint8 images as (N, H, W, C), adding a channel axis to (N, H, W), or raises a ValueError."""
    arr = np.asarray(x)
    if arr.dtype != np.uint8:
        raise InvalidArgumentError(f"{name} must be uint8 images, got dtype {arr.dtype}.")
    if arr.ndim == 3:
        arr = arr[..., None]
    if arr.ndim != 4:
        raise InvalidArgumentError(f"{name} must have shape (N, H, W, C) or (N, H, W), got {np.asarray(x).shape}.")
    if arr.shape[0] < min_samples:
        raise InvalidArgumentError(f"{name} needs at least {min_samples} images, got {arr.shape[0]}.")
    return arr


def check_positive_int(value, name: str, minimum: int = 1) -> int:
    """Returns `value` as int if it is an integer >= minimum, else raises a ValueError."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise InvalidArgumentError(f"{name} must be an integer >= {minimum}, got {value!r}.")
    return int(value)


def squared_norms(x: np.ndarray) -> np.ndarray:
    """Row-wise squared L2 norms; a plain reduction so each row's value does not depend on the chunking."""
    return (x * x).sum(axis=1)


def pairwise_sq_dists(a: np.ndarray, b: np.ndarray, a_sq: np.ndarray, b_sq: np.ndarray) -> np.ndarray:
    """Squared Euclidean distances (len(a), len(b)) via |a|^2 + |b|^2 - 2ab, clipped at 0 against rounding."""
    d = a_sq[:, None] + b_sq[None, :] - 2.0 * (a @ b.T)
    np.maximum(d, 0.0, out=d)
    return d
