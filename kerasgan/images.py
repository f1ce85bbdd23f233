"""Conversions between a generator's output range and uint8 images, and sample grids."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from kerasgan.errors import DataError, InvalidArgumentError


def check_value_range(value_range) -> tuple[float, float]:
    try:
        low, high = (float(v) for v in value_range)
    except (TypeError, ValueError):
        raise InvalidArgumentError(f"value_range must be two numbers (low, high), e.g. (-1.0, 1.0); found {value_range!r}.") from None
    if not low < high:
        raise InvalidArgumentError(f"value_range must have low < high; found {value_range!r}.")
    return low, high


def _to_numpy(x) -> np.ndarray:
    try:
        return np.asarray(x)
    except Exception:  # e.g. a torch tensor that requires grad
        import keras

        return keras.ops.convert_to_numpy(x)


def to_uint8(samples, value_range=(-1.0, 1.0)) -> np.ndarray:
    """Maps float samples in `value_range` to uint8 0..255 (rounded, clipped)."""
    low, high = check_value_range(value_range)
    scaled = (_to_numpy(samples).astype(np.float32) - low) * (255.0 / (high - low))
    return np.clip(np.rint(scaled), 0, 255).astype(np.uint8)


def from_uint8(images, value_range=(-1.0, 1.0)) -> np.ndarray:
    """Maps 8-bit images (0..255) linearly to float32 in `value_range`."""
    low, high = check_value_range(value_range)
    x = _to_numpy(images)
    if x.dtype != np.uint8:
        if not np.issubdtype(x.dtype, np.integer):
            raise DataError(f"Expected uint8 images (0..255); found dtype {x.dtype}.")
        if x.size and (x.min() < 0 or x.max() > 255):
            raise DataError(f"Expected integer images in 0..255; found {x.min()}..{x.max()}.")
    return (x.astype(np.float32) * np.float32((high - low) / 255.0) + np.float32(low)).astype(np.float32)


def make_grid(images, nrow: int | None = None, padding: int = 2, pad_value: int = 0) -> np.ndarray:
    """Tiles uint8 images (N, H, W[, C]) into one (rows*H', cols*W', C) uint8 image."""
    images = np.asarray(images)
    if images.ndim == 3:
        images = images[..., None]
    if images.ndim != 4 or images.dtype != np.uint8:
        raise InvalidArgumentError(f"make_grid expects uint8 images of shape (N, H, W, C), got {images.dtype} {images.shape}.")
    n, h, w, c = images.shape
    cols = nrow or math.ceil(math.sqrt(n))
    rows = math.ceil(n / cols)
    grid = np.full((rows * (h + padding) + padding, cols * (w + padding) + padding, c), pad_value, np.uint8)
    for i, image in enumerate(images):
        r, k = divmod(i, cols)
        top, left = padding + r * (h + padding), padding + k * (w + padding)
        grid[top : top + h, left : left + w] = image
    return grid


def save_grid(images, path, nrow: int | None = None, padding: int = 2) -> Path:
    """Saves uint8 images as one PNG grid; returns the path."""
    from PIL import Image

    grid = make_grid(images, nrow=nrow, padding=padding)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(grid[..., 0] if grid.shape[-1] == 1 else grid).save(path)
    return path
