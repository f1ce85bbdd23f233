"""`GAN`: the fully connected GAN of Goodfellow et al., as in the MNIST articles."""

from __future__ import annotations

import keras

from kerasgan import networks
from kerasgan.models.base import OUTPUT_RANGES, BaseGAN


@keras.saving.register_keras_serializable(package="kerasgan")
class GAN(BaseGAN):
    """Fully connected generator 100 -> 256 -> 512 -> 1024 -> 784 (LeakyReLU + BatchNorm)
    and discriminator 784 -> 512 -> 256 -> 1 (LeakyReLU), trained on the minimax game with
    the non-saturating generator loss. `data_shape` may be any shape, e.g. (2,) for toy
    distributions with `output_activation="linear"`."""

    def __init__(
        self,
        data_shape=(28, 28, 1),
        latent_dim: int = 100,
        g_units=(256, 512, 1024),
        d_units=(512, 256),
        g_negative_slope: float = 0.2,
        d_negative_slope: float = 0.2,
        d_dropout: float = 0.0,
        batch_norm: bool = True,
        output_activation: str = "tanh",
        n_critic: int | None = None,
        seed: int | None = None,
        generator=None,
        discriminator=None,
        **kwargs,
    ):
        super().__init__(latent_dim=latent_dim, n_critic=n_critic, seed=seed, **kwargs)
        if output_activation not in OUTPUT_RANGES:
            raise ValueError(f"`output_activation` must be one of {sorted(OUTPUT_RANGES)}, got {output_activation!r}.")
        self.config_data_shape = tuple(int(d) for d in data_shape)
        self.g_units, self.d_units = tuple(g_units), tuple(d_units)
        self.g_negative_slope, self.d_negative_slope = float(g_negative_slope), float(d_negative_slope)
        self.d_dropout, self.batch_norm = float(d_dropout), bool(batch_norm)
        self.output_activation = output_activation
        self._set_networks(generator, discriminator)

    def build_generator(self):
        return networks.mlp_generator(
            self.latent_dim, self.config_data_shape, self.g_units, self.g_negative_slope, self.batch_norm,
            self.output_activation, num_classes=getattr(self, "num_classes", None), seed=self.seed,
        )

    def build_discriminator(self):
        return networks.mlp_discriminator(
            self.config_data_shape, self.d_units, self.d_negative_slope, self.d_dropout,
            num_classes=getattr(self, "num_classes", None), seed=None if self.seed is None else self.seed + 1,
        )

    def get_config(self):
        return {
            **super().get_config(),
            "data_shape": list(self.config_data_shape),
            "g_units": list(self.g_units),
            "d_units": list(self.d_units),
            "g_negative_slope": self.g_negative_slope,
            "d_negative_slope": self.d_negative_slope,
            "d_dropout": self.d_dropout,
            "batch_norm": self.batch_norm,
            "output_activation": self.output_activation,
        }
