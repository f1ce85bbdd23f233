"""`DCGAN`: Radford et al.'s deep convolutional GAN, and its SELU variant."""

from __future__ import annotations

import keras

from kerasgan import networks
from kerasgan.models.base import BaseGAN


@keras.saving.register_keras_serializable(package="kerasgan")
class DCGAN(BaseGAN):
    """Strided convolutions, no pooling, BatchNorm in G and D, ReLU in G and LeakyReLU in D,
    tanh out. `activation="selu"` swaps BatchNorm + ReLU/LeakyReLU for SELU (the 128x128
    article). Defaults are the cat article's: Adam(beta_1=0.5), lr 5e-5 for D, 2e-4 for G."""

    default_critic_norm = "batch"

    def __init__(
        self,
        image_size: int = 64,
        channels: int = 3,
        latent_dim: int = 100,
        g_filters: int = 64,
        d_filters: int = 64,
        activation: str = "relu",
        critic_norm: str | None = None,
        output_activation: str = "tanh",
        n_critic: int | None = None,
        seed: int | None = None,
        generator=None,
        discriminator=None,
        **kwargs,
    ):
        super().__init__(latent_dim=latent_dim, n_critic=n_critic, seed=seed, **kwargs)
        networks._check_choice("activation", activation, networks.CONV_ACTIVATIONS)
        critic_norm = self.default_critic_norm if critic_norm is None else critic_norm
        networks._check_choice("critic_norm", critic_norm, networks.NORMS)
        if output_activation not in ("tanh", "sigmoid"):
            raise ValueError(f"`output_activation` must be 'tanh' or 'sigmoid', got {output_activation!r}.")
        if channels not in (1, 3):
            raise ValueError(f"`channels` must be 1 (grayscale) or 3 (RGB), got {channels!r}.")
        networks.start_size(image_size)
        self.image_size, self.channels = int(image_size), int(channels)
        self.g_filters, self.d_filters = int(g_filters), int(d_filters)
        self.activation, self.critic_norm = activation, critic_norm
        self.output_activation = output_activation
        self._set_networks(generator, discriminator)

    def build_generator(self):
        return networks.conv_generator(
            self.latent_dim, self.image_size, self.channels, self.g_filters, self.activation,
            self.output_activation, num_classes=getattr(self, "num_classes", None), seed=self.seed,
        )

    def build_discriminator(self):
        return networks.conv_discriminator(
            self.image_size, self.channels, self.d_filters, self.activation, self.critic_norm,
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
            "critic_norm": self.critic_norm,
            "output_activation": self.output_activation,
        }


