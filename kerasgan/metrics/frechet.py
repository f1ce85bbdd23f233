"""Fréchet distance between Gaussian fits of two feature sets (FID on Inception pool3 features)."""

from __future__ import annotations

import numpy as np

from kerasgan.errors import InvalidArgumentError
from kerasgan.metrics._checks import as_features, check_same_dim


def feature_statistics(feats) -> tuple[np.ndarray, np.ndarray]:
    """Mean (D,) and unbiased covariance (D, D) of (N, D) features, e.g. to cache the real data's statistics."""
    f = as_features(feats, "feats", min_samples=2)
    mu = f.mean(axis=0)
    centred = f - mu
    sigma = centred.T @ centred / (f.shape[0] - 1)
    return mu, sigma


def _sqrt_psd(s: np.ndarray) -> np.ndarray:
    """Symmetric square root of a PSD matrix; tiny negative eigenvalues from rounding are clipped to 0."""
    w, v = np.linalg.eigh(s)
    return (v * np.sqrt(np.clip(w, 0.0, None))) @ v.T


def trace_sqrt_product(s1: np.ndarray, s2: np.ndarray) -> float:
    """Tr(sqrt(S1 S2)) for PSD S1, S2.

    S1 S2 is similar to the symmetric PSD matrix sqrt(S1) S2 sqrt(S1), so its square-root eigenvalues can be
    taken from a symmetric eigen-decomposition; this avoids the complex parts and instabilities of sqrtm(S1 S2).
    """
    r = _sqrt_psd(s1)
    m = r @ s2 @ r
    m = 0.5 * (m + m.T)
    return float(np.sqrt(np.clip(np.linalg.eigvalsh(m), 0.0, None)).sum())


def frechet_distance_from_stats(mu1, s1, mu2, s2) -> float:
    """Fréchet distance ||mu1 - mu2||^2 + Tr(S1 + S2 - 2 sqrt(S1 S2)) between two Gaussians; lower is better, 0 = equal."""
    mu1 = np.atleast_1d(np.asarray(mu1, dtype=np.float64))
    mu2 = np.atleast_1d(np.asarray(mu2, dtype=np.float64))
    s1 = np.atleast_2d(np.asarray(s1, dtype=np.float64))
    s2 = np.atleast_2d(np.asarray(s2, dtype=np.float64))
    if mu1.ndim != 1 or mu1.shape != mu2.shape:
        raise InvalidArgumentError(f"mu1 and mu2 must be vectors of the same length, got shapes {mu1.shape} and {mu2.shape}.")
    d = mu1.shape[0]
    for name, s in (("s1", s1), ("s2", s2)):
        if s.shape != (d, d):
            raise InvalidArgumentError(f"{name} must be a ({d}, {d}) covariance matrix matching the means, got shape {s.shape}.")
        if not np.all(np.isfinite(s)):
            raise InvalidArgumentError(f"{name} must be finite, got NaN or inf values.")
    # Covariances estimated in float32 elsewhere can be slightly asymmetric; only the symmetric part is meaningful.
    s1 = 0.5 * (s1 + s1.T)
    s2 = 0.5 * (s2 + s2.T)
    diff = mu1 - mu2
    value = diff @ diff + np.trace(s1) + np.trace(s2) - 2.0 * trace_sqrt_product(s1, s2)
    # The true value is >= 0; a tiny negative result is rounding.
    return float(max(value, 0.0))


def frechet_distance(feats_a, feats_b) -> float:
    """Fréchet distance between Gaussian fits of two (N, D) feature sets; lower is better.

    With Inception pool3 features this is FID (Heusel et al. 2017). Note that Keras' ImageNet InceptionV3 weights
    differ from the TF-slim graph used by the reference FID code, so absolute values are comparable only with
    numbers computed by this package, not with published FIDs.
    """
    a = as_features(feats_a, "feats_a", min_samples=2)
    b = as_features(feats_b, "feats_b", min_samples=2)
    check_same_dim(a, b, "feats_a", "feats_b")
    return frechet_distance_from_stats(*feature_statistics(a), *feature_statistics(b))
