"""Multi-scale structural similarity (Wang et al. 2003) and the MS-SSIM sample-diversity score (Odena et al. 2017)."""

from __future__ import annotations

import numpy as np

from kerasgan.errors import InvalidArgumentError
from kerasgan.metrics._checks import as_images, check_positive_int

MS_SSIM_WEIGHTS = (0.0448, 0.2856, 0.3001, 0.2363, 0.1333)


def _gaussian(size: int, sigma: float) -> np.ndarray:
    x = np.arange(size) - (size - 1) / 2.0
    g = np.exp(-(x * x) / (2.0 * sigma * sigma))
    return g / g.sum()


def _filter_valid(x: np.ndarray, g: np.ndarray) -> np.ndarray:
    """Separable 'valid' Gaussian filter of (B, H, W, C); shifted-slice sums keep every pixel batch-independent."""
    k = g.shape[0]
    h, w = x.shape[1] - k + 1, x.shape[2] - k + 1
    y = sum(g[i] * x[:, i : i + h] for i in range(k))
    return sum(g[i] * y[:, :, i : i + w] for i in range(k))


def _ssim_and_cs(x: np.ndarray, y: np.ndarray, g: np.ndarray, c1: float, c2: float) -> tuple[np.ndarray, np.ndarray]:
    """Mean SSIM and mean contrast-structure term per image and channel, shape (B, C) each."""
    mx, my = _filter_valid(x, g), _filter_valid(y, g)
    sxx = _filter_valid(x * x, g) - mx * mx
    syy = _filter_valid(y * y, g) - my * my
    sxy = _filter_valid(x * y, g) - mx * my
    luminance = (2.0 * mx * my + c1) / (mx * mx + my * my + c1)
    cs = (2.0 * sxy + c2) / (sxx + syy + c2)
    return (luminance * cs).mean(axis=(1, 2)), cs.mean(axis=(1, 2))


def _downsample(x: np.ndarray) -> np.ndarray:
    """2x2 average pooling after symmetric padding to even size (as tf.image.ssim_multiscale)."""
    ph, pw = x.shape[1] % 2, x.shape[2] % 2
    if ph or pw:
        x = np.pad(x, ((0, 0), (0, ph), (0, pw), (0, 0)), mode="symmetric")
    return 0.25 * (x[:, ::2, ::2] + x[:, 1::2, ::2] + x[:, ::2, 1::2] + x[:, 1::2, 1::2])


def num_scales(height: int, width: int, window: int = 11, max_scales: int = len(MS_SSIM_WEIGHTS)) -> int:
    """Number of scales at which an image still fits the filter window (5 needs >= 176 px for window 11)."""
    scales, h, w = 0, height, width
    while scales < max_scales and min(h, w) >= window:
        scales += 1
        h, w = -(-h // 2), -(-w // 2)
    return scales


def ms_ssim(a, b, window: int = 11, sigma: float = 1.5, batch_size: int = 64) -> np.ndarray:
    """MS-SSIM per image pair of two uint8 batches (N, H, W[, C]), shape (N,); 1 = identical, higher = more similar.

    Uses the standard 5 scale weights; images too small for 5 scales (e.g. 28x28 -> 2, 64x64 -> 3) use the first
    scales with the weights renormalised to sum to 1. Negative SSIM/CS terms are clipped to 0 before the weighted
    product (as TensorFlow does), so the result lies in [0, 1]. Channels are averaged.
    """
    x = as_images(a, "a")
    y = as_images(b, "b")
    if x.shape != y.shape:
        raise InvalidArgumentError(f"a and b must have the same shape, got {x.shape} and {y.shape}.")
    batch_size = check_positive_int(batch_size, "batch_size")
    window = check_positive_int(window, "window")
    m = num_scales(x.shape[1], x.shape[2], window)
    if m == 0:
        raise InvalidArgumentError(f"ms_ssim needs images of at least {window}x{window} pixels, got {x.shape[1]}x{x.shape[2]}.")
    weights = np.asarray(MS_SSIM_WEIGHTS[:m]) / np.sum(MS_SSIM_WEIGHTS[:m])
    g = _gaussian(window, sigma)
    c1, c2 = (0.01 * 255.0) ** 2, (0.03 * 255.0) ** 2
    out = np.empty(x.shape[0])
    for start in range(0, x.shape[0], batch_size):
        xs = x[start : start + batch_size].astype(np.float64)
        ys = y[start : start + batch_size].astype(np.float64)
        value = np.ones((xs.shape[0], xs.shape[3]))
        for scale in range(m):
            ssim, cs = _ssim_and_cs(xs, ys, g, c1, c2)
            term = ssim if scale == m - 1 else cs
            value *= np.maximum(term, 0.0) ** weights[scale]
            if scale < m - 1:
                xs, ys = _downsample(xs), _downsample(ys)
        out[start : start + xs.shape[0]] = value.mean(axis=1)
    return out


def ms_ssim_diversity(images, pairs: int = 1000, seed: int = 0, batch_size: int = 64) -> float:
    """Mean MS-SSIM over random pairs of distinct samples of one set; lower = more diverse.

    Compare against the same number on real data: a generator well below the real value is producing noise-like
    variety, one above it is less diverse (mode collapse pushes it towards 1).
    """
    x = as_images(images, "images", min_samples=2)
    pairs = check_positive_int(pairs, "pairs")
    rng = np.random.default_rng(seed)
    n = x.shape[0]
    i = rng.integers(0, n, pairs)
    # A nonzero offset mod n guarantees the two members of a pair are different samples.
    j = (i + rng.integers(1, n, pairs)) % n
    return float(ms_ssim(x[i], x[j], batch_size=batch_size).mean())
