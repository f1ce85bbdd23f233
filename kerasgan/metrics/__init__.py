"""GAN evaluation metrics (numpy, float64): distribution distances, manifold metrics, diversity and memorisation.

Feature-based metrics take float features (N, D), e.g. from `InceptionFeatures` or `ModelFeatures`; image
metrics take uint8 images (N, H, W[, C]). Each docstring says which direction is better.
"""

from kerasgan.metrics.classes import class_coverage, mean_confidence
from kerasgan.metrics.features import FeatureExtractor, InceptionFeatures, ModelFeatures
from kerasgan.metrics.frechet import feature_statistics, frechet_distance, frechet_distance_from_stats
from kerasgan.metrics.kernel import kernel_distance, mmd2_unbiased
from kerasgan.metrics.manifold import density_coverage, precision_recall
from kerasgan.metrics.memorization import memorization_ratio, nearest_neighbours
from kerasgan.metrics.msssim import ms_ssim, ms_ssim_diversity
from kerasgan.metrics.report import with_floor
from kerasgan.metrics.swd import sliced_wasserstein

__all__ = [
    "FeatureExtractor",
    "InceptionFeatures",
    "ModelFeatures",
    "class_coverage",
    "density_coverage",
    "feature_statistics",
    "frechet_distance",
    "frechet_distance_from_stats",
    "kernel_distance",
    "mean_confidence",
    "memorization_ratio",
    "mmd2_unbiased",
    "ms_ssim",
    "ms_ssim_diversity",
    "nearest_neighbours",
    "precision_recall",
    "sliced_wasserstein",
    "with_floor",
]
