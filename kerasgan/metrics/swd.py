"""Multi-scale sliced Wasserstein distance on Laplacian-pyramid patches (Karras et al. 2018, ProGAN).

Per pyramid level, random 7x7 patches ("descriptors") are taken from every image, normalised per channel over the
whole set, projected on random unit directions, and the sorted projections of the two sets are compared (the
1-D Wasserstein-1 distance per direction, averaged). Fine levels measure texture/detail, the coarsest level
colour and layout. No network is needed.
"""

from __future__ import annotations

import numpy as np

from kerasgan.errors import InvalidArgumentError
from kerasgan.metrics._checks import as_images, check_positive_int

_GAUSS5 = np.array([1.0, 4.0, 6.0, 4.0, 1.0]) / 16.0


def _blur(x: np.ndarray) -> np.ndarray:
    """Separable 5x5 binomial blur of (B, H, W, C) with reflect-101 borders (as cv2.pyrDown/pyrUp)."""
    h, w = x.shape[1], x.shape[2]
    p = np.pad(x, ((0, 0), (2, 2), (0, 0), (0, 0)), mode="reflect")
    # Shifted-slice sums rather than BLAS so each output pixel is computed identically whatever the batch size.
    y = sum(_GAUSS5[i] * p[:, i : i + h] for i in range(5))
    p = np.pad(y, ((0, 0), (0, 0), (2, 2), (0, 0)), mode="reflect")
    return sum(_GAUSS5[i] * p[:, :, i : i + w] for i in range(5))


def _pyr_down(x: np.ndarray) -> np.ndarray:
    return _blur(x)[:, ::2, ::2]


def _pyr_up(x: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    up = np.zeros((x.shape[0], shape[0], shape[1], x.shape[3]))
    up[:, ::2, ::2] = x
    # Zero insertion keeps 1/4 of the samples, so the interpolating blur is scaled by 4.
    return 4.0 * _blur(up)


def _pyramid_level(x: np.ndarray, level: int, num_levels: int) -> np.ndarray:
    """Level `level` of the Laplacian pyramid (the last level is the coarsest Gaussian image)."""
    g = x
    for _ in range(level):
        g = _pyr_down(g)
    if level == num_levels - 1:
        return g
    return g - _pyr_up(_pyr_down(g), g.shape[1:3])


def _positions(seed: tuple[int, int], n: int, per_image: int, rows: int, cols: int) -> np.ndarray:
    """(n, per_image, 2) random top-left patch corners, drawn for all images up front so chunking cannot change them."""
    rng = np.random.default_rng(seed)
    return np.stack([rng.integers(0, rows, (n, per_image)), rng.integers(0, cols, (n, per_image))], axis=-1)


def _descriptors(
    images: np.ndarray, level: int, num_levels: int, pos: np.ndarray, patch: int, chunk_size: int
) -> np.ndarray:
    """(N * per_image, patch, patch, C) float32 patches of one level at the pre-drawn positions `pos` (N, per_image, 2)."""
    n, per_image = pos.shape[0], pos.shape[1]
    out = np.empty((n, per_image, patch, patch, images.shape[3]), dtype=np.float32)
    offs = np.arange(patch)
    for start in range(0, n, chunk_size):
        stop = min(start + chunk_size, n)
        lev = _pyramid_level(images[start:stop].astype(np.float64), level, num_levels)
        p = pos[start:stop]
        rows = p[:, :, 0, None, None] + offs[None, None, :, None]
        cols = p[:, :, 1, None, None] + offs[None, None, None, :]
        batch = np.arange(stop - start)[:, None, None, None]
        # float32 storage halves memory (ProGAN does the same); statistics and projections are float64.
        out[start:stop] = lev[batch, rows, cols]
    return out.reshape(n * per_image, patch, patch, images.shape[3])


def _normalise(desc: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-channel mean and std over all descriptors and patch positions of one set."""
    c = desc.shape[-1]
    flat = desc.reshape(-1, c)
    mean = flat.mean(axis=0, dtype=np.float64)
    var = np.zeros(c)
    for start in range(0, flat.shape[0], 1 << 20):
        block = flat[start : start + (1 << 20)].astype(np.float64) - mean
        var += (block * block).sum(axis=0)
    std = np.sqrt(var / flat.shape[0])
    # A constant channel carries no information; avoid dividing by zero.
    std[std == 0] = 1.0
    return mean, std


def _sorted_projections(desc: np.ndarray, mean: np.ndarray, std: np.ndarray, dirs: np.ndarray) -> np.ndarray:
    """Projections of the normalised descriptors on unit `dirs` (D, k), sorted per direction, shape (k, N)."""
    flat = desc.reshape(desc.shape[0], -1)
    reps = flat.shape[1] // mean.shape[0]
    # Fold the per-channel normalisation into the directions instead of rewriting the descriptors.
    scaled = dirs / np.tile(std, reps)[:, None]
    offset = np.tile(mean, reps) @ scaled
    proj = np.empty((dirs.shape[1], flat.shape[0]))
    step = 1 << 16
    for start in range(0, flat.shape[0], step):
        block = flat[start : start + step].astype(np.float64)
        proj[:, start : start + step] = (block @ scaled).T - offset[:, None]
    proj.sort(axis=1)
    return proj


def sliced_wasserstein(
    images_a,
    images_b,
    descriptors_per_image: int = 128,
    patch_size: int = 7,
    directions: int = 512,
    min_resolution: int | None = None,
    seed: int = 0,
    chunk_size: int = 256,
) -> tuple[dict[int, float], float]:
    """Multi-scale SWD between two uint8 image sets (N, H, W[, C]); lower is better, 0 = identical sets.

    Returns ({level height: swd}, average over levels), scaled by 1e3 as reported in ProGAN. Levels halve the
    resolution down to `min_resolution` (default 2 * patch_size, i.e. 16 for power-of-two sizes as in ProGAN,
    so 64x64 -> 64, 32, 16 and 28x28 -> 28, 14). Each set is normalised with its own per-channel statistics, as
    in ProGAN. When the sets differ in size, the larger descriptor set is randomly subsampled to the smaller.
    """
    a = as_images(images_a, "images_a", min_samples=1)
    b = as_images(images_b, "images_b", min_samples=1)
    if a.shape[1:] != b.shape[1:]:
        raise InvalidArgumentError(f"images_a and images_b must have the same image shape, got {a.shape[1:]} and {b.shape[1:]}.")
    per_image = check_positive_int(descriptors_per_image, "descriptors_per_image")
    patch = check_positive_int(patch_size, "patch_size")
    n_dirs = check_positive_int(directions, "directions")
    chunk_size = check_positive_int(chunk_size, "chunk_size")
    min_res = 2 * patch if min_resolution is None else check_positive_int(min_resolution, "min_resolution", patch)
    h, w = a.shape[1], a.shape[2]
    if min(h, w) < patch:
        raise InvalidArgumentError(f"sliced_wasserstein needs images of at least {patch}x{patch} pixels (the patch size), got {h}x{w}.")
    sizes = [(h, w)]
    while min(sizes[-1]) > 1 and min(-(-sizes[-1][0] // 2), -(-sizes[-1][1] // 2)) >= min_res:
        sizes.append((-(-sizes[-1][0] // 2), -(-sizes[-1][1] // 2)))
    num_levels = len(sizes)

    rng = np.random.default_rng(seed)
    result: dict[int, float] = {}
    for level, (lh, lw) in enumerate(sizes):
        # Positions come from the same per-level stream for both sets, so identical sets give exactly 0.
        pos_a = _positions((seed, level), a.shape[0], per_image, lh - patch + 1, lw - patch + 1)
        pos_b = _positions((seed, level), b.shape[0], per_image, lh - patch + 1, lw - patch + 1)
        da = _descriptors(a, level, num_levels, pos_a, patch, chunk_size)
        db = _descriptors(b, level, num_levels, pos_b, patch, chunk_size)
        ma, sa = _normalise(da)
        mb, sb = _normalise(db)
        if da.shape[0] != db.shape[0]:
            m = min(da.shape[0], db.shape[0])
            da = da[np.sort(rng.choice(da.shape[0], m, replace=False))] if da.shape[0] > m else da
            db = db[np.sort(rng.choice(db.shape[0], m, replace=False))] if db.shape[0] > m else db
        dirs = rng.standard_normal((da[0].size, n_dirs))
        dirs /= np.sqrt((dirs * dirs).sum(axis=0, keepdims=True))
        # Directions are processed in blocks that cap each projection matrix at 2^24 values (128 MB).
        step = int(np.clip((1 << 24) // da.shape[0], 1, n_dirs))
        total = 0.0
        for start in range(0, n_dirs, step):
            block = dirs[:, start : start + step]
            diff = np.abs(_sorted_projections(da, ma, sa, block) - _sorted_projections(db, mb, sb, block))
            total += diff.mean(axis=1).sum()
        result[int(lh)] = float(total / n_dirs * 1e3)
    return result, float(np.mean(list(result.values())))
