"""Conversions between a generator's output range and uint8 images, and sample grids."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np


def to_uint8(samples, value_range=(-1.0, 1.0)) -> np.ndarray:
    """Maps float samples in `value_range` to uint8 0..255 (rounded, clipped)."""
    low, high = value_range
    scaled = (np.asarray(samples, dtype=np.float32) - low) * (255.0 / (high - low))
    return np.clip(np.rint(scaled), 0, 255).astype(np.uint8)


def from_uint8(images, value_range=(-1.0, 1.0)) -> np.ndarray:
    """Maps uint8 images to float32 in `value_range`."""
    low, high = value_range
    return (np.asarray(images, dtype=np.float32) * ((high - low) / 255.0) + low).astype(np.float32)


def make_grid(images, nrow: int | None = None, padding: int = 2, pad_value: int = 0) -> np.ndarray:
    """Tiles uint8 images (N, H, W[, C]) into one (rows*H', cols*W', C) uint8 image."""
    images = np.asarray(images)
    if images.ndim == 3:
        images = images[..., None]
    if images.ndim != 4 or images.dtype != np.uint8:
        raise ValueError(f"make_grid expects uint8 images of shape (N, H, W, C), got {images.dtype} {images.shape}.")
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
