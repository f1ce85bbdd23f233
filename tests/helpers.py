"""Shared test helpers: tiny versions of every variant, and their data."""

import numpy as np

from kerasgan import CGAN, DCGAN, GAN, LSGAN, WGAN, WGANGP

SMALL_CONV = dict(image_size=16, channels=3, g_filters=8, d_filters=8, latent_dim=8)

# the fully connected networks at their smallest: 8x8x1 data, one hidden layer each
TINY_FC = dict(data_shape=(8, 8, 1), latent_dim=8, g_units=(16,), d_units=(16,))

# name -> (class, small constructor options); not kerasgan.models.VARIANTS, the classes by name
TINY_VARIANTS = {
    "GAN": (GAN, dict(data_shape=(8, 8, 1), latent_dim=8, g_units=(16, 32), d_units=(32, 16))),
    "DCGAN": (DCGAN, SMALL_CONV),
    "DCGAN-selu": (DCGAN, dict(SMALL_CONV, activation="selu")),
    "WGAN": (WGAN, dict(SMALL_CONV, n_critic=2)),
    "WGANGP": (WGANGP, dict(SMALL_CONV, n_critic=2)),
    "LSGAN": (LSGAN, SMALL_CONV),
    "CGAN": (CGAN, dict(TINY_FC, num_classes=3)),
    "CGAN-dcgan": (CGAN, dict(architecture="dcgan", image_size=16, channels=1, latent_dim=8, g_filters=8, d_filters=8,
                              num_classes=3)),
    "CGAN-projection": (CGAN, dict(architecture="dcgan", image_size=16, channels=1, latent_dim=8, g_filters=8,
                                   d_filters=8, num_classes=3, conditioning="projection")),
}


def make(name, seed=0, compile=True, **overrides):
    cls, options = TINY_VARIANTS[name]
    model = cls(seed=seed, **{**options, **overrides})
    if compile:
        model.compile()
    return model


def batch(model, n=16, seed=0):
    """Random training data in the model's range, with labels when it is conditional."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1, 1, (n,) + model.data_shape).astype("float32")
    y = rng.integers(0, model.num_classes, n) if model.conditional else None
    return x, y


def labels_for(model, n):
    return np.arange(n) % model.num_classes if model.conditional else None


def weights(variables):
    return [np.array(v.numpy() if hasattr(v, "numpy") else v, copy=True) for v in variables]
