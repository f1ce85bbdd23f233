"""`DCGAN`: Radford et al.'s deep convolutional GAN, and its SELU variant."""

from __future__ import annotations

import keras

from kerasgan import networks
from kerasgan.deprecation import warn_deprecated
from kerasgan.errors import InvalidArgumentError
from kerasgan.models.base import BaseGAN
from kerasgan.registry import register_variant


@keras.saving.register_keras_serializable(package="kerasgan")
@register_variant
class DCGAN(BaseGAN):
    """Strided convolutions, no pooling, BatchNorm in G and D, ReLU in G and LeakyReLU in D,
    tanh out. `activation="selu"` swaps BatchNorm + ReLU/LeakyReLU for SELU (the 128x128
    article). Defaults are the cat article's: Adam(beta_1=0.5), lr 5e-5 for D, 2e-4 for G."""

    d_norm = "batch"  # Radford et al.'s BatchNorm in D; the Wasserstein critics choose theirs (`critic_norm`)

    def __init__(
        self,
        image_size: int = 64,
        channels: int = 3,
        latent_dim: int = 100,
        g_filters: int = 64,
        d_filters: int = 64,
        activation: str = "relu",
        output_activation: str = "tanh",
        seed: int | None = None,
        generator=None,
        discriminator=None,
        **kwargs,
    ):
        if "critic_norm" in kwargs:  # accepted by plain DCGAN/LSGAN up to 0.1
            warn_deprecated(f"{type(self).__name__}(critic_norm=...)",
                            "only WGAN and WGANGP, whose critic may drop BatchNorm, take it")
            self.d_norm = kwargs.pop("critic_norm")
        super().__init__(latent_dim=latent_dim, seed=seed, **kwargs)
        networks._check_choice("activation", activation, networks.CONV_ACTIVATIONS)
        networks._check_choice("critic_norm", self.d_norm, networks.NORMS)
        if output_activation not in ("tanh", "sigmoid"):
            raise InvalidArgumentError(f"`output_activation` must be 'tanh' or 'sigmoid', got {output_activation!r}.")
        if channels not in (1, 3):
            raise InvalidArgumentError(f"`channels` must be 1 (grayscale) or 3 (RGB), got {channels!r}.")
        networks.start_size(image_size)
        self.image_size, self.channels = int(image_size), int(channels)
        self.g_filters, self.d_filters = int(g_filters), int(d_filters)
        self.activation = activation
        self.output_activation = output_activation
        self._set_networks(generator, discriminator)

    def build_generator(self):
        return networks.conv_generator(
            self.latent_dim, self.image_size, self.channels, self.g_filters, self.activation,
            self.output_activation, num_classes=getattr(self, "num_classes", None), seed=self.seed,
        )

    def build_discriminator(self):
        return networks.conv_discriminator(
            self.image_size, self.channels, self.d_filters, self.activation, self.d_norm,
            num_classes=getattr(self, "num_classes", None), seed=None if self.seed is None else self.seed + 1,
        )

    def default_optimizers(self):
        return (
            keras.optimizers.Adam(5e-5, beta_1=0.5, name="d_adam"),
            keras.optimizers.Adam(2e-4, beta_1=0.5, name="g_adam"),
        )

    def get_config(self):
        return {
            **super().get_config(),
            "image_size": self.image_size,
            "channels": self.channels,
            "g_filters": self.g_filters,
            "d_filters": self.d_filters,
            "activation": self.activation,
            "output_activation": self.output_activation,
            # a deprecated DCGAN(critic_norm=...) still round-trips until 0.3
            **({"critic_norm": self.d_norm} if self.d_norm != type(self).d_norm else {}),
        }

    @classmethod
    def upgrade_config(cls, config):
        config = super().upgrade_config(config)
        if "critic_norm" not in cls._option_names() and config.get("critic_norm") == cls.d_norm:
            del config["critic_norm"]  # saved by DCGAN and LSGAN up to 0.1
        return config


