"""Memorisation check: are generated samples closer to the training set than unseen real data is?"""

from __future__ import annotations

import numpy as np

from kerasgan.errors import InvalidArgumentError
from kerasgan.metrics._checks import as_features, check_positive_int, pairwise_sq_dists, squared_norms


def _as_vectors(x, name: str) -> np.ndarray:
    """uint8 images -> flattened pixels in [0, 1]; float arrays -> flattened as given (features or images)."""
    arr = np.asarray(x)
    if arr.ndim < 2:
        raise InvalidArgumentError(f"{name} must be images (N, H, W[, C]) or features (N, D), got shape {arr.shape}.")
    flat = arr.reshape(arr.shape[0], -1)
    if arr.dtype == np.uint8:
        return as_features(flat, name, min_samples=1) / 255.0
    return as_features(flat, name, min_samples=1)


def nearest_neighbours(queries, refs, chunk_size: int = 256) -> tuple[np.ndarray, np.ndarray]:
    """Index (N,) and Euclidean distance (N,) of each query's nearest reference row, computed in query chunks."""
    q = as_features(queries, "queries")
    r = as_features(refs, "refs")
    if q.shape[1] != r.shape[1]:
        raise InvalidArgumentError(f"queries and refs must have the same dimension, got {q.shape[1]} and {r.shape[1]}.")
    chunk_size = check_positive_int(chunk_size, "chunk_size")
    q_sq, r_sq = squared_norms(q), squared_norms(r)
    idx = np.empty(q.shape[0], dtype=np.int64)
    for start in range(0, q.shape[0], chunk_size):
        stop = min(start + chunk_size, q.shape[0])
        idx[start:stop] = pairwise_sq_dists(q[start:stop], r, q_sq[start:stop], r_sq).argmin(axis=1)
    # Recompute the chosen distances directly: exact for near-copies, where |a|^2 + |b|^2 - 2ab cancels badly.
    diff = q - r[idx]
    return idx, np.sqrt((diff * diff).sum(axis=1))


def memorization_ratio(samples, train, heldout, chunk_size: int = 256) -> dict:
    """Nearest-training-neighbour distance of generated samples relative to that of held-out real data.

    Inputs are uint8 images (pixel L2 on [0, 1] scale) or float arrays (features, or already-scaled images),
    all of the same kind and size. ratio = mean d(sample, nearest train) / mean d(heldout, nearest train):
    about 1 = samples are as far from the training set as unseen data (no sign of copying); well below 1 =
    samples sit suspiciously close to training images (memorisation). Higher is better up to ~1; a ratio far
    above 1 means the samples are off the data manifold instead. `sample_nearest` indexes `train`, e.g. to draw
    samples next to their nearest training images.
    """
    kinds = {np.asarray(x).dtype == np.uint8 for x in (samples, train, heldout)}
    if len(kinds) != 1:
        raise InvalidArgumentError("samples, train and heldout must all be uint8 images or all float arrays, got a mix.")
    s = _as_vectors(samples, "samples")
    t = _as_vectors(train, "train")
    h = _as_vectors(heldout, "heldout")
    if not (s.shape[1] == t.shape[1] == h.shape[1]):
        raise InvalidArgumentError(
            f"samples, train and heldout must have the same size per item, got {s.shape[1]}, {t.shape[1]} and {h.shape[1]}."
        )
    s_idx, s_dist = nearest_neighbours(s, t, chunk_size)
    h_idx, h_dist = nearest_neighbours(h, t, chunk_size)
    held_mean = float(h_dist.mean())
    if held_mean == 0.0:
        raise InvalidArgumentError("heldout must differ from train, got held-out items that are all exact copies of training items.")
    return {
        "ratio": float(s_dist.mean()) / held_mean,
        "mean_sample_distance": float(s_dist.mean()),
        "mean_heldout_distance": held_mean,
        "sample_distances": s_dist,
        "sample_nearest": s_idx,
        "heldout_distances": h_dist,
        "heldout_nearest": h_idx,
    }
