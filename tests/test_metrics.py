"""Tests for kerasgan.metrics: closed forms, unbiasedness, monotonicity, chunk independence and input checks."""

from __future__ import annotations

import socket

import keras
import numpy as np
import pytest

from kerasgan.metrics import (
    FeatureExtractor,
    InceptionFeatures,
    ModelFeatures,
    class_coverage,
    density_coverage,
    feature_statistics,
    frechet_distance,
    frechet_distance_from_stats,
    kernel_distance,
    mean_confidence,
    memorization_ratio,
    mmd2_unbiased,
    ms_ssim,
    ms_ssim_diversity,
    precision_recall,
    sliced_wasserstein,
    with_floor,
)
from kerasgan.metrics.manifold import knn_sq_radii
from kerasgan.metrics.msssim import MS_SSIM_WEIGHTS, num_scales


def smooth_images(rng, n: int, size: int, channels: int) -> np.ndarray:
    """uint8 images with structure at several scales (blocky low-res noise plus a gradient)."""
    low = rng.integers(0, 200, (n, size // 4 + 1, size // 4 + 1, channels)).astype(np.float64)
    x = np.repeat(np.repeat(low, 4, axis=1), 4, axis=2)[:, :size, :size]
    x += np.linspace(0, 55, size)[None, :, None, None]
    return np.clip(x, 0, 255).astype(np.uint8)


def add_noise(rng, images: np.ndarray, std: float) -> np.ndarray:
    return np.clip(images + rng.normal(0.0, std, images.shape), 0, 255).astype(np.uint8)


# --------------------------------------------------------------------------------------------- Fréchet distance


def test_frechet_of_a_set_with_itself_is_zero():
    rng = np.random.default_rng(0)
    feats = rng.normal(size=(400, 16)) @ rng.normal(size=(16, 16))
    _, sigma = feature_statistics(feats)
    assert frechet_distance(feats, feats) < 1e-6 * 2 * np.trace(sigma)


def test_frechet_is_stable_for_rank_deficient_covariances():
    rng = np.random.default_rng(1)
    a, b = rng.normal(size=(20, 64)), rng.normal(size=(20, 64))  # fewer samples than dimensions
    self_value, cross_value = frechet_distance(a, a), frechet_distance(a, b)
    assert np.isfinite(cross_value) and cross_value > 1.0
    assert 0.0 <= self_value < 1e-6 * cross_value


def test_frechet_between_sampled_gaussians_matches_closed_form():
    rng = np.random.default_rng(2)
    mu1, var1 = np.array([0.0, 1.0, -1.0]), np.array([1.0, 2.0, 0.5])
    mu2, var2 = np.array([1.0, 0.5, -0.75]), np.array([0.5, 1.0, 3.0])
    n = 100_000
    a = mu1 + np.sqrt(var1) * rng.normal(size=(n, 3))
    b = mu2 + np.sqrt(var2) * rng.normal(size=(n, 3))
    # Diagonal covariances commute, so sqrt(S1 S2) = diag(sqrt(v1 v2)).
    expected = np.sum((mu1 - mu2) ** 2) + np.sum(var1 + var2 - 2 * np.sqrt(var1 * var2))
    assert frechet_distance(a, b) == pytest.approx(expected, rel=0.03)


def test_frechet_from_stats_is_exact():
    mu1, mu2 = np.array([1.0, 2.0]), np.array([-1.0, 0.5])
    v1, v2 = np.array([4.0, 0.25]), np.array([1.0, 9.0])
    expected = 4.0 + 2.25 + np.sum(v1 + v2 - 2 * np.sqrt(v1 * v2))
    assert frechet_distance_from_stats(mu1, np.diag(v1), mu2, np.diag(v2)) == pytest.approx(expected, abs=1e-8)

    # Non-commuting 2x2 case: Tr sqrt(M) = sqrt(Tr M + 2 sqrt(det M)) for a 2x2 M with non-negative eigenvalues.
    s1 = np.array([[2.0, 0.7], [0.7, 1.0]])
    s2 = np.array([[0.5, -0.3], [-0.3, 3.0]])
    tr_sqrt = np.sqrt(np.trace(s1 @ s2) + 2 * np.sqrt(np.linalg.det(s1) * np.linalg.det(s2)))
    expected = np.sum((mu1 - mu2) ** 2) + np.trace(s1) + np.trace(s2) - 2 * tr_sqrt
    assert frechet_distance_from_stats(mu1, s1, mu2, s2) == pytest.approx(expected, abs=1e-8)


def test_frechet_from_stats_agrees_with_scipy_sqrtm():
    linalg = pytest.importorskip("scipy.linalg")
    rng = np.random.default_rng(3)
    g1, g2 = rng.normal(size=(6, 6)), rng.normal(size=(6, 6))
    s1, s2 = g1 @ g1.T + 0.1 * np.eye(6), g2 @ g2.T + 0.1 * np.eye(6)
    mu1, mu2 = rng.normal(size=6), rng.normal(size=6)
    expected = np.sum((mu1 - mu2) ** 2) + np.trace(s1 + s2 - 2 * np.real(linalg.sqrtm(s1 @ s2)))
    assert frechet_distance_from_stats(mu1, s1, mu2, s2) == pytest.approx(expected, rel=1e-8)


def test_frechet_rejects_bad_input():
    with pytest.raises(ValueError, match="same feature dimension"):
        frechet_distance(np.zeros((5, 3)), np.zeros((5, 4)))
    with pytest.raises(ValueError, match="2-D feature array"):
        frechet_distance(np.zeros(5), np.zeros(5))
    with pytest.raises(ValueError, match="at least 2 samples"):
        frechet_distance(np.zeros((1, 3)), np.zeros((5, 3)))
    with pytest.raises(ValueError, match=r"\(2, 2\) covariance"):
        frechet_distance_from_stats(np.zeros(2), np.eye(3), np.zeros(2), np.eye(2))


# ------------------------------------------------------------------------------------------------------ KID


def test_kid_is_unbiased_for_equal_distributions():
    rng = np.random.default_rng(4)
    d, n, draws = 8, 64, 300
    unbiased, biased = [], []
    for i in range(draws):
        x, y = rng.normal(size=(n, d)), rng.normal(size=(n, d))
        unbiased.append(kernel_distance(x, y, subsets=1, subset_size=n, seed=i)[0])
        k = lambda u, v: (u @ v.T / d + 1) ** 3  # noqa: E731
        biased.append(k(x, x).mean() + k(y, y).mean() - 2 * k(x, y).mean())
    unbiased, biased = np.array(unbiased), np.array(biased)
    assert abs(unbiased.mean()) < 2 * unbiased.std() / np.sqrt(draws)
    # The test has power: the biased (V-statistic) estimator is clearly positive on the same draws.
    assert biased.mean() > 5 * biased.std() / np.sqrt(draws)


def _cubic_feature_map(x: np.ndarray) -> np.ndarray:
    """phi with phi(u).phi(v) = (u.v / d + 1)^3: the third tensor power of [u / sqrt(d), 1]."""
    p = np.concatenate([x / np.sqrt(x.shape[1]), np.ones((len(x), 1))], axis=1)
    return np.einsum("ni,nj,nk->nijk", p, p, p).reshape(len(x), -1)


def test_kid_matches_population_mmd_for_different_distributions():
    rng = np.random.default_rng(5)
    d, scale, shift = 4, np.array([1.5, 1.0, 1.0, 1.0]), np.array([0.3, 0.0, 0.0, 0.0])
    sample_a = lambda m: rng.uniform(-1, 1, size=(m, d))  # noqa: E731
    sample_b = lambda m: rng.uniform(-1, 1, size=(m, d)) * scale + shift  # noqa: E731
    # Population MMD^2 from 100k samples per side, via the explicit feature map (independent of the code under test).
    big = 100_000
    fa, fb = _cubic_feature_map(sample_a(big)), _cubic_feature_map(sample_b(big))
    sa, sb = fa.sum(axis=0), fb.sum(axis=0)
    population = (
        (sa @ sa - (fa * fa).sum()) / (big * (big - 1))
        + (sb @ sb - (fb * fb).sum()) / (big * (big - 1))
        - 2 * (sa / big) @ (sb / big)
    )
    draws = 20
    estimates = [kernel_distance(sample_a(500), sample_b(500), subsets=5, subset_size=250, seed=s)[0] for s in range(draws)]
    se = np.std(estimates) / np.sqrt(draws)
    assert population > 0.05
    assert abs(np.mean(estimates) - population) < 3 * se + 0.03 * population


def test_kid_subsets_and_validation():
    rng = np.random.default_rng(6)
    a, b = rng.normal(size=(30, 5)), rng.normal(size=(40, 5)) + 1.0
    mean, std = kernel_distance(a, b, subsets=10, subset_size=1000)  # capped at 30
    assert mean > 0 and std >= 0
    assert kernel_distance(a, b, subsets=10, seed=1) == kernel_distance(a, b, subsets=10, seed=1)
    assert mmd2_unbiased(a, b[:30]) == pytest.approx(kernel_distance(a, b[:30], subsets=1, subset_size=30)[0])
    with pytest.raises(ValueError, match="same feature dimension"):
        kernel_distance(a, np.zeros((40, 6)))
    with pytest.raises(ValueError, match="subset_size must be an integer >= 2"):
        kernel_distance(a, b, subset_size=1)


# ------------------------------------------------------------------------------------------------------ SWD


@pytest.mark.parametrize("size,channels", [(28, 1), (64, 3)])
def test_swd_grows_with_noise(size, channels):
    rng = np.random.default_rng(7)
    images = smooth_images(rng, 32, size, channels)
    kwargs = dict(descriptors_per_image=32, directions=128)
    per_level, avg = sliced_wasserstein(images, images, **kwargs)
    assert avg == 0.0
    expected_levels = [28, 14] if size == 28 else [64, 32, 16]
    assert list(per_level) == expected_levels
    values = [sliced_wasserstein(images, add_noise(rng, images, std), **kwargs) for std in (4, 16, 48)]
    averages = [avg] + [v[1] for v in values]
    assert all(x < y for x, y in zip(averages, averages[1:])), averages
    for level in expected_levels:
        by_level = [v[0][level] for v in values]
        assert all(x < y for x, y in zip(by_level, by_level[1:])), (level, by_level)


def test_swd_levels_for_128_and_input_checks():
    rng = np.random.default_rng(8)
    images = rng.integers(0, 256, (3, 128, 128, 3), dtype=np.uint8)
    per_level, _ = sliced_wasserstein(images, images[::-1], descriptors_per_image=8, directions=16)
    assert list(per_level) == [128, 64, 32, 16]
    with pytest.raises(ValueError, match="same image shape"):
        sliced_wasserstein(images, images[:, :64, :64])
    with pytest.raises(ValueError, match="uint8"):
        sliced_wasserstein(images.astype(np.float32), images)
    with pytest.raises(ValueError, match="at least 7x7"):
        sliced_wasserstein(images[:, :5, :5], images[:, :5, :5])


# -------------------------------------------------------------------------------------------------- MS-SSIM


def test_ms_ssim_scales_for_small_images():
    assert num_scales(28, 28) == 2
    assert num_scales(64, 64) == 3
    assert num_scales(176, 176) == 5
    with pytest.raises(ValueError, match="at least 11x11"):
        ms_ssim(np.zeros((2, 8, 8), np.uint8), np.zeros((2, 8, 8), np.uint8))


@pytest.mark.parametrize("size,channels", [(28, 1), (64, 3)])
def test_ms_ssim_identity_and_noise(size, channels):
    rng = np.random.default_rng(9)
    images = smooth_images(rng, 8, size, channels)
    np.testing.assert_allclose(ms_ssim(images, images), 1.0, atol=1e-6)
    means = [ms_ssim(images, add_noise(rng, images, std)).mean() for std in (2, 8, 32, 96)]
    assert 1.0 > means[0] and all(x > y for x, y in zip(means, means[1:])), means


def test_ms_ssim_matches_tensorflow():
    tf = pytest.importorskip("tensorflow")
    rng = np.random.default_rng(10)
    for size, weights in ((180, MS_SSIM_WEIGHTS), (28, np.array(MS_SSIM_WEIGHTS[:2]) / sum(MS_SSIM_WEIGHTS[:2]))):
        a = smooth_images(rng, 2, size, 3)
        b = add_noise(rng, a, 20)
        expected = tf.image.ssim_multiscale(
            tf.constant(a, tf.float64), tf.constant(b, tf.float64), 255.0, power_factors=tuple(weights)
        ).numpy()
        np.testing.assert_allclose(ms_ssim(a, b), expected, rtol=1e-5)  # TF computes in float32


def test_ms_ssim_diversity():
    rng = np.random.default_rng(11)
    same = np.repeat(smooth_images(rng, 1, 28, 1), 10, axis=0)
    assert ms_ssim_diversity(same, pairs=20) == pytest.approx(1.0, abs=1e-9)
    varied = smooth_images(rng, 10, 28, 1)
    assert ms_ssim_diversity(varied, pairs=20) < 0.9
    # Only two distinct samples: every pair must be (0, 1) or (1, 0), never an image with itself.
    two = smooth_images(rng, 2, 28, 1)
    assert ms_ssim_diversity(two, pairs=10) == pytest.approx(ms_ssim(two[:1], two[1:])[0])
    with pytest.raises(ValueError, match="at least 2 images"):
        ms_ssim_diversity(two[:1])


# ------------------------------------------------------------------------------ precision/recall, density/coverage


def test_precision_recall_density_coverage():
    rng = np.random.default_rng(12)
    real = rng.normal(size=(300, 8))
    assert precision_recall(real, real, k=3) == {"precision": 1.0, "recall": 1.0}
    dc = density_coverage(real, real, k=5)
    assert dc["coverage"] == 1.0 and dc["density"] >= 1.0
    # A fresh sample of the same distribution scores high; one shifted by 3 (in norm) clearly lower on all four.
    fresh = rng.normal(size=(300, 8))
    shifted = rng.normal(size=(300, 8)) + 3.0 / np.sqrt(8)
    pr_f, dc_f = precision_recall(real, fresh, k=3), density_coverage(real, fresh, k=5)
    pr_s, dc_s = precision_recall(real, shifted, k=3), density_coverage(real, shifted, k=5)
    assert min(pr_f.values()) > 0.8 and dc_f["coverage"] > 0.9 and dc_f["density"] == pytest.approx(1.0, abs=0.2)
    for key in ("precision", "recall"):
        assert pr_s[key] < min(0.7, pr_f[key] - 0.2), (key, pr_s, pr_f)
    for key in ("density", "coverage"):
        assert dc_s[key] < min(0.7, dc_f[key] - 0.2), (key, dc_s, dc_f)
    # Mode collapse: fakes from a narrow part of the real distribution keep precision but lose recall/coverage.
    collapsed = rng.normal(scale=0.3, size=(300, 8))
    pr_c, dc_c = precision_recall(real, collapsed, k=3), density_coverage(real, collapsed, k=5)
    assert pr_c["precision"] > 0.9 and pr_c["recall"] < 0.3 and dc_c["coverage"] < 0.7 and dc_c["density"] > 1.5


def test_knn_radii_exclude_self_and_validate():
    x = np.array([[0.0], [1.0], [3.0], [7.0]])
    np.testing.assert_allclose(knn_sq_radii(x, 1), [1.0, 1.0, 4.0, 16.0])
    np.testing.assert_allclose(knn_sq_radii(x, 2, chunk_size=3), [9.0, 4.0, 9.0, 36.0])
    with pytest.raises(ValueError, match="more than 4 samples"):
        precision_recall(x, x, k=4)
    with pytest.raises(ValueError, match="same feature dimension"):
        density_coverage(np.zeros((10, 2)), np.zeros((10, 3)))


# -------------------------------------------------------------------------------------------------- memorisation


def test_memorization_ratio():
    rng = np.random.default_rng(13)
    pool = rng.integers(0, 256, (500, 8, 8, 1), dtype=np.uint8)
    train, heldout, fresh = pool[:300], pool[300:400], pool[400:]
    like_heldout = memorization_ratio(fresh, train, heldout)
    assert like_heldout["ratio"] == pytest.approx(1.0, abs=0.05)
    picks = rng.integers(0, 300, 100)
    copies = add_noise(rng, train[picks], 3.0)
    memorised = memorization_ratio(copies, train, heldout)
    assert memorised["ratio"] < 0.2
    np.testing.assert_array_equal(memorised["sample_nearest"], picks)
    assert memorised["sample_distances"].shape == (100,) and memorised["heldout_nearest"].shape == (100,)
    # uint8 images are compared on the [0, 1] scale, float inputs as given.
    as_float = memorization_ratio(copies / 255.0, train / 255.0, heldout / 255.0)
    assert as_float["ratio"] == pytest.approx(memorised["ratio"], rel=1e-12)
    with pytest.raises(ValueError, match="all be uint8 images or all float"):
        memorization_ratio(copies / 255.0, train, heldout)
    with pytest.raises(ValueError, match="same size per item"):
        memorization_ratio(copies[:, :4], train, heldout)


# ---------------------------------------------------------------------------------------- chunk independence


def test_metrics_do_not_depend_on_chunk_size():
    rng = np.random.default_rng(14)
    real, fake = rng.normal(size=(120, 6)), rng.normal(size=(90, 6)) + 0.3
    for small, large in ((7, 1000),):
        pr = precision_recall(real, fake, chunk_size=small), precision_recall(real, fake, chunk_size=large)
        assert pr[0] == pytest.approx(pr[1], abs=1e-9)
        dc = density_coverage(real, fake, chunk_size=small), density_coverage(real, fake, chunk_size=large)
        assert dc[0] == pytest.approx(dc[1], abs=1e-9)
        np.testing.assert_allclose(knn_sq_radii(real, 3, small), knn_sq_radii(real, 3, large), rtol=0, atol=1e-9)

        images = smooth_images(rng, 40, 28, 1)
        other = add_noise(rng, images, 10)
        m1 = memorization_ratio(other[:15], images[:25], other[25:], chunk_size=small)
        m2 = memorization_ratio(other[:15], images[:25], other[25:], chunk_size=large)
        assert m1["ratio"] == pytest.approx(m2["ratio"], abs=1e-9)
        np.testing.assert_array_equal(m1["sample_nearest"], m2["sample_nearest"])
        np.testing.assert_allclose(m1["sample_distances"], m2["sample_distances"], rtol=0, atol=1e-9)

        s1 = sliced_wasserstein(images, other, descriptors_per_image=16, directions=64, chunk_size=small)
        s2 = sliced_wasserstein(images, other, descriptors_per_image=16, directions=64, chunk_size=large)
        assert s1[1] == pytest.approx(s2[1], abs=1e-9)
        assert s1[0] == pytest.approx(s2[0], abs=1e-9)

        np.testing.assert_allclose(ms_ssim(images, other, batch_size=small), ms_ssim(images, other, batch_size=large), atol=1e-9)
        d1 = ms_ssim_diversity(images, pairs=30, batch_size=small)
        assert d1 == pytest.approx(ms_ssim_diversity(images, pairs=30, batch_size=large), abs=1e-9)


# ------------------------------------------------------------------------------------------------ classes


def test_class_coverage_on_known_labels():
    labels = np.array([0] * 50 + [1] * 30 + [2] * 19 + [3] * 1)
    cov = class_coverage(labels, num_classes=5)
    np.testing.assert_allclose(cov["fractions"], [0.5, 0.3, 0.19, 0.01, 0.0])
    assert cov["threshold"] == pytest.approx(0.05)
    assert cov["num_covered"] == 3
    assert cov["min_fraction"] == 0.0 and cov["max_fraction"] == 0.5
    assert class_coverage(np.arange(10) % 5, 5)["normalized_entropy"] == pytest.approx(1.0)
    assert class_coverage(labels, 5, min_fraction=0.01)["num_covered"] == 4
    with pytest.raises(ValueError, match=r"lie in \[0, 4\]"):
        class_coverage(np.array([0, 5]), 5)
    with pytest.raises(ValueError, match="integers"):
        class_coverage(np.array([0.0, 1.0]), 5)


def test_mean_confidence():
    probs = np.array([[0.9, 0.1], [0.4, 0.6], [0.5, 0.5]])
    assert mean_confidence(probs) == pytest.approx((0.9 + 0.6 + 0.5) / 3)
    with pytest.raises(ValueError, match="probabilities in"):
        mean_confidence(np.array([[2.0, -1.0]]))


# ------------------------------------------------------------------------------------------------ report


def test_with_floor_uses_equal_sample_counts():
    rng = np.random.default_rng(15)
    real, fake = rng.normal(size=(401, 4)), rng.normal(size=(500, 4)) + 1.0
    seen = []

    def metric(x, y):
        seen.append((x.shape, y.shape))
        return frechet_distance(x, y)

    out = with_floor(metric, real, fake, seed=3)
    assert out["n"] == 200 and seen == [((200, 4), (200, 4)), ((200, 4), (200, 4))]
    assert out["floor"] < 0.2 < 1.0 < out["value"]
    assert with_floor(frechet_distance, real, fake, seed=3) == {k: out[k] for k in ("value", "floor", "n")}
    # Fewer fakes than half the real data: both comparisons shrink to len(fake).
    assert with_floor(metric, real, fake[:50])["n"] == 50 and seen[-1] == ((50, 4), (50, 4))
    with pytest.raises(ValueError, match="same item shape"):
        with_floor(metric, real, fake[:, :3])


# ------------------------------------------------------------------------------------------------ features


def test_inception_features_offline_gives_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))

    def no_network(*args, **kwargs):
        raise AssertionError("InceptionFeatures must not touch the network")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(keras.utils, "get_file", no_network)
    extractor = InceptionFeatures()  # lazy: constructing it needs no weights
    assert isinstance(extractor, FeatureExtractor) and extractor.name == "inception_v3_pool3"
    with pytest.raises(RuntimeError, match="not in the Keras cache") as info:
        extractor(np.zeros((2, 28, 28, 1), np.uint8))
    assert str(tmp_path) in str(info.value)
    with pytest.raises(ValueError, match="existing .h5 file"):
        InceptionFeatures(weights=tmp_path / "missing.h5")(np.zeros((2, 28, 28, 1), np.uint8))


def test_inception_preprocessing():
    extractor = InceptionFeatures(weights=None)
    gray = np.full((2, 28, 28, 1), 255, np.uint8)
    gray[1] = 0
    x = extractor.preprocess(gray)
    assert x.shape == (2, 299, 299, 3) and x.dtype == np.float32
    np.testing.assert_allclose(x[0], 1.0, atol=1e-5)
    np.testing.assert_allclose(x[1], -1.0, atol=1e-5)
    with pytest.raises(ValueError, match="1 or 3 channels"):
        extractor.preprocess(np.zeros((1, 28, 28, 2), np.uint8))


@pytest.mark.skipif(
    keras.backend.backend() != "tensorflow", reason="InceptionV3 on CPU is slow here (30+ s on jax/torch); run on TF"
)
def test_inception_features_pipeline_with_random_weights():
    extractor = InceptionFeatures(batch_size=2, weights=None)
    images = np.random.default_rng(16).integers(0, 256, (3, 32, 32, 3), dtype=np.uint8)
    feats = extractor(images)
    assert feats.shape == (3, 2048) and feats.dtype == np.float64 and np.all(np.isfinite(feats))


def _tiny_classifier() -> keras.Model:
    keras.utils.set_random_seed(0)
    return keras.Sequential(
        [
            keras.Input((12, 12, 1)),
            keras.layers.Conv2D(4, 3, activation="relu"),
            keras.layers.BatchNormalization(),
            keras.layers.GlobalAveragePooling2D(name="pool"),
            keras.layers.Dense(6, activation="relu", name="penultimate"),
            keras.layers.Dense(3, activation="softmax"),
        ],
        name="tiny",
    )


def test_model_features_do_not_depend_on_batch_size():
    model = _tiny_classifier()
    images = np.random.default_rng(17).integers(0, 256, (20, 12, 12, 1), dtype=np.uint8)
    small, large = ModelFeatures(model, batch_size=7), ModelFeatures(model, batch_size=64)
    assert isinstance(small, FeatureExtractor) and small.name == "tiny/penultimate"
    a, b = small(images), large(images)
    assert a.shape == (20, 6) and a.dtype == np.float64
    np.testing.assert_allclose(a, b, rtol=0, atol=1e-5)
    # Default scaling maps uint8 to [-1, 1], as the sub-model would see it directly.
    direct = keras.ops.convert_to_numpy(
        keras.Model(model.inputs[0], model.get_layer("penultimate").output)(images.astype(np.float32) / 127.5 - 1.0)
    )
    np.testing.assert_allclose(a, direct, rtol=1e-5, atol=1e-5)
    pooled = ModelFeatures(model, layer_name="pool", value_range=(0.0, 1.0))(images)
    assert pooled.shape == (20, 4)
    with pytest.raises(ValueError, match="fit the model input"):
        small(np.zeros((2, 10, 10, 1), np.uint8))


def test_model_features_on_flat_input_model():
    keras.utils.set_random_seed(0)
    mlp = keras.Sequential([keras.Input((16,)), keras.layers.Dense(5), keras.layers.Dense(2)])
    feats = ModelFeatures(mlp, batch_size=3)(np.zeros((4, 4, 4), np.uint8))
    assert feats.shape == (4, 5)
    with pytest.raises(ValueError, match="at least 2 layers"):
        ModelFeatures(keras.Sequential([keras.Input((16,)), keras.layers.Dense(2)]))
