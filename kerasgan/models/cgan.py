"""`CGAN`: the conditional GAN (Mirza and Osindero), class labels embedded into G and D."""

from __future__ import annotations

import keras

from kerasgan import networks
from kerasgan.models.gan import GAN

ARCHITECTURES = ("mlp", "dcgan")


@keras.saving.register_keras_serializable(package="kerasgan")
class CGAN(GAN):
    """A GAN whose generator takes [z, label] and whose discriminator takes [x, label].
    `architecture="mlp"` uses `GAN`'s fully connected networks, `"dcgan"` DCGAN's
    convolutional ones (the label becomes an extra input channel of D). `fit(images,
    labels)` and `generate(n, labels=...)` take integer class ids."""

    conditional = True

    def __init__(self, num_classes: int = 10, architecture: str = "mlp", image_size: int | None = None,
                 channels: int | None = None, filters: int = 64, **kwargs):
        if isinstance(num_classes, bool) or not isinstance(num_classes, int) or num_classes < 2:
            raise ValueError(f"`num_classes` must be a whole number >= 2, got {num_classes!r}.")
        if architecture not in ARCHITECTURES:
            raise ValueError(f"`architecture` must be one of {ARCHITECTURES}, got {architecture!r}.")
        self.num_classes, self.architecture, self.filters = num_classes, architecture, int(filters)
        if architecture == "dcgan":
            shape = kwargs.get("data_shape", (28, 28, 1))
            image_size = image_size or shape[0]
            channels = channels or shape[-1]
            kwargs["data_shape"] = (image_size, image_size, channels)
        super().__init__(**kwargs)

    def build_generator(self):
        if self.architecture == "mlp":
            return super().build_generator()
        size, _, channels = self.config_data_shape


        return networks.conv_generator(self.latent_dim, size, channels, self.filters, "relu",
                                       self.output_activation, num_classes=self.num_classes, seed=self.seed)

    def build_discriminator(self):
        if self.architecture == "mlp":
            return super().build_discriminator()
        size, _, channels = self.config_data_shape


        return networks.conv_discriminator(size, channels, self.filters, "relu", "batch", num_classes=self.num_classes,
                                           seed=None if self.seed is None else self.seed + 1)

    def get_config(self):
        return {**super().get_config(), "num_classes": self.num_classes, "architecture": self.architecture,
                "filters": self.filters}


