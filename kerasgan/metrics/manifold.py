"""k-NN manifold metrics: precision/recall (Kynkäänniemi et al. 2019) and density/coverage (Naeem et al. 2020).

Each set's manifold is the union of balls around its samples with radius = distance to the k-th nearest other
sample of the same set. Distances are computed in row chunks, so 10,000 x 10,000 needs only chunk x N memory;
all comparisons are done on squared distances (same order, no square roots).
"""

from __future__ import annotations

import numpy as np

from kerasgan.errors import InvalidArgumentError
from kerasgan.metrics._checks import (
    as_features,
    check_positive_int,
    check_same_dim,
    pairwise_sq_dists,
    squared_norms,
)


def knn_sq_radii(feats, k: int, chunk_size: int = 1024) -> np.ndarray:
    """Squared distance from each sample to its k-th nearest other sample of the same set, shape (N,)."""
    x = as_features(feats, "feats")
    k = check_positive_int(k, "k")
    chunk_size = check_positive_int(chunk_size, "chunk_size")
    n = x.shape[0]
    if n <= k:
        raise InvalidArgumentError(f"k-NN radii with k={k} need more than {k} samples, got {n}.")
    x_sq = squared_norms(x)
    radii = np.empty(n)
    for start in range(0, n, chunk_size):
        stop = min(start + chunk_size, n)
        d = pairwise_sq_dists(x[start:stop], x, x_sq[start:stop], x_sq)
        # Exclude each point itself exactly (its computed self-distance may be a rounding-level positive).
        rows = np.arange(stop - start)
        d[rows, start + rows] = np.inf
        radii[start:stop] = np.partition(d, k - 1, axis=1)[:, k - 1]
    return radii


def _ball_counts(queries: np.ndarray, centres: np.ndarray, sq_radii: np.ndarray, chunk_size: int) -> np.ndarray:
    """For each query, the number of centres whose ball (squared radius) contains it."""
    q_sq = squared_norms(queries)
    c_sq = squared_norms(centres)
    counts = np.empty(queries.shape[0], dtype=np.int64)
    for start in range(0, queries.shape[0], chunk_size):
        stop = min(start + chunk_size, queries.shape[0])
        d = pairwise_sq_dists(queries[start:stop], centres, q_sq[start:stop], c_sq)
        counts[start:stop] = (d <= sq_radii[None, :]).sum(axis=1)
    return counts


def _nearest_sq(queries: np.ndarray, refs: np.ndarray, chunk_size: int) -> np.ndarray:
    """Squared distance from each query to its nearest reference sample."""
    q_sq = squared_norms(queries)
    r_sq = squared_norms(refs)
    out = np.empty(queries.shape[0])
    for start in range(0, queries.shape[0], chunk_size):
        stop = min(start + chunk_size, queries.shape[0])
        out[start:stop] = pairwise_sq_dists(queries[start:stop], refs, q_sq[start:stop], r_sq).min(axis=1)
    return out


def _prepare(real_feats, fake_feats, k: int, chunk_size: int) -> tuple[np.ndarray, np.ndarray, int, int]:
    real = as_features(real_feats, "real_feats")
    fake = as_features(fake_feats, "fake_feats")
    check_same_dim(real, fake, "real_feats", "fake_feats")
    return real, fake, check_positive_int(k, "k"), check_positive_int(chunk_size, "chunk_size")


def precision_recall(real_feats, fake_feats, k: int = 3, chunk_size: int = 1024) -> dict[str, float]:
    """Improved precision and recall, both in [0, 1], higher is better.

    precision: fraction of fake samples inside the real manifold (fidelity);
    recall: fraction of real samples inside the fake manifold (diversity / mode coverage).
    """
    real, fake, k, chunk_size = _prepare(real_feats, fake_feats, k, chunk_size)
    real_r = knn_sq_radii(real, k, chunk_size)
    fake_r = knn_sq_radii(fake, k, chunk_size)
    precision = float((_ball_counts(fake, real, real_r, chunk_size) > 0).mean())
    recall = float((_ball_counts(real, fake, fake_r, chunk_size) > 0).mean())
    return {"precision": precision, "recall": recall}


def density_coverage(real_feats, fake_feats, k: int = 5, chunk_size: int = 1024) -> dict[str, float]:
    """Density and coverage; higher is better.

    density: mean number of real balls containing each fake sample, divided by k (about 1 when the
    distributions match, can exceed 1 when fakes crowd dense real regions);
    coverage: fraction of real samples whose own ball contains at least one fake sample, in [0, 1].
    """
    real, fake, k, chunk_size = _prepare(real_feats, fake_feats, k, chunk_size)
    real_r = knn_sq_radii(real, k, chunk_size)
    density = float(_ball_counts(fake, real, real_r, chunk_size).sum() / (k * fake.shape[0]))
    coverage = float((_nearest_sq(real, fake, chunk_size) <= real_r).mean())
    return {"density": density, "coverage": coverage}
