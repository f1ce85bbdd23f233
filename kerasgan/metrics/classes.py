"""Class-level diagnostics of generated samples from a classifier's predictions."""

from __future__ import annotations

import numpy as np

from kerasgan.errors import InvalidArgumentError
from kerasgan.metrics._checks import check_positive_int


def class_coverage(predicted_labels, num_classes: int, min_fraction: float | None = None) -> dict:
    """How evenly generated samples spread over classes (mode-collapse check); more covered classes is better.

    `fractions[c]` is the share of samples predicted as class c; a class counts as covered when its share is at
    least `min_fraction` (default 1 / (4 * num_classes), a quarter of the uniform share). Also returns the
    smallest/largest share and the entropy normalised to [0, 1] (1 = perfectly uniform).
    """
    num_classes = check_positive_int(num_classes, "num_classes")
    labels = np.asarray(predicted_labels)
    if labels.ndim != 1 or labels.size == 0:
        raise InvalidArgumentError(f"predicted_labels must be a non-empty 1-D label vector, got shape {labels.shape}.")
    if not np.issubdtype(labels.dtype, np.integer):
        raise InvalidArgumentError(f"predicted_labels must be integers, got dtype {labels.dtype}.")
    if labels.min() < 0 or labels.max() >= num_classes:
        raise InvalidArgumentError(
            f"predicted_labels must lie in [0, {num_classes - 1}], got values from {labels.min()} to {labels.max()}."
        )
    threshold = 1.0 / (4 * num_classes) if min_fraction is None else float(min_fraction)
    if not 0.0 <= threshold <= 1.0:
        raise InvalidArgumentError(f"min_fraction must be in [0, 1], got {min_fraction}.")
    fractions = np.bincount(labels, minlength=num_classes) / labels.size
    nonzero = fractions[fractions > 0]
    entropy = float(-(nonzero * np.log(nonzero)).sum() / np.log(num_classes)) if num_classes > 1 else 1.0
    return {
        "fractions": fractions,
        "num_covered": int((fractions >= threshold).sum()),
        "num_classes": num_classes,
        "min_fraction": float(fractions.min()),
        "max_fraction": float(fractions.max()),
        "threshold": threshold,
        "normalized_entropy": entropy,
    }


def mean_confidence(probs) -> float:
    """Mean over samples of the classifier's top-class probability, in [1/C, 1]; higher = more recognisable samples."""
    p = np.asarray(probs, dtype=np.float64)
    if p.ndim != 2 or p.shape[0] == 0 or p.shape[1] < 2:
        raise InvalidArgumentError(f"probs must be class probabilities of shape (N, C) with C >= 2, got shape {p.shape}.")
    if not np.all(np.isfinite(p)) or p.min() < 0.0 or p.max() > 1.0:
        raise InvalidArgumentError("probs must be probabilities in [0, 1], got values outside that range (logits?).")
    return float(p.max(axis=1).mean())
