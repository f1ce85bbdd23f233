"""`CGAN`: the conditional GAN (Mirza and Osindero), class labels embedded into G and D."""

from __future__ import annotations

import keras

from kerasgan import networks
from kerasgan.deprecation import warn_deprecated
from kerasgan.errors import InvalidArgumentError
from kerasgan.models.gan import GAN
from kerasgan.registry import register_variant

ARCHITECTURES = ("mlp", "dcgan")


@keras.saving.register_keras_serializable(package="kerasgan")
@register_variant
class CGAN(GAN):
    """A GAN whose generator takes [z, label] and whose discriminator takes [x, label].
    `architecture="mlp"` uses `GAN`'s fully connected networks, `"dcgan"` DCGAN's
    convolutional ones with `g_filters` and `d_filters`. `conditioning` says how D takes the
    label: `"concat"` (beside its input: an embedding, or one extra image channel) or
    `"projection"` (Miyato and Koyama 2018: an inner product of a class embedding with D's last
    features, added to its score; classes come out far more distinct). Images are `image_size` x `image_size` x `channels` (28 x 28 x 1 by default).
    `fit(images, labels)` and `generate(n, labels=...)` take integer class ids."""

    conditional = True

    def __init__(self, num_classes: int = 10, architecture: str = "mlp", g_filters: int = 64, d_filters: int = 64,
                 conditioning: str = "concat", **kwargs):
        if isinstance(num_classes, bool) or not isinstance(num_classes, int) or num_classes < 2:
            raise InvalidArgumentError(f"`num_classes` must be a whole number >= 2, got {num_classes!r}.")
        if architecture not in ARCHITECTURES:
            raise InvalidArgumentError(f"`architecture` must be one of {ARCHITECTURES}, got {architecture!r}.")
        if conditioning not in networks.CONDITIONINGS:
            raise InvalidArgumentError(
                f"`conditioning` must be one of {networks.CONDITIONINGS}, got {conditioning!r}.")
        if "filters" in kwargs:  # CGAN's name up to 0.1
            warn_deprecated("CGAN(filters=...)", "use g_filters and d_filters, as DCGAN does")
            g_filters = d_filters = kwargs.pop("filters")
        self.num_classes, self.architecture, self.conditioning = num_classes, architecture, conditioning
        self.g_filters, self.d_filters = int(g_filters), int(d_filters)
        super().__init__(**kwargs)

    def build_generator(self):
        if self.architecture == "mlp":
            return super().build_generator()
        size, _, channels = self._square_image_shape()
        return networks.conv_generator(self.latent_dim, size, channels, self.g_filters, "relu",
                                       self.output_activation, num_classes=self.num_classes, seed=self.seed)

    def build_discriminator(self):
        seed = None if self.seed is None else self.seed + 1
        if self.architecture == "mlp":
            return networks.mlp_discriminator(self.config_data_shape, self.d_units, self.d_negative_slope, self.d_dropout,
                                              num_classes=self.num_classes, seed=seed, conditioning=self.conditioning)
        size, _, channels = self._square_image_shape()
        return networks.conv_discriminator(size, channels, self.d_filters, "relu", "batch", num_classes=self.num_classes,
                                           seed=seed, conditioning=self.conditioning)

    def _square_image_shape(self):
        if self.image_size is None:
            raise InvalidArgumentError(
                f'CGAN(architecture="dcgan") makes square images (image_size, image_size, channels), '
                f"got data_shape={self.config_data_shape}.")
        return self.config_data_shape

    def get_config(self):
        return {**super().get_config(), "num_classes": self.num_classes, "architecture": self.architecture,
                "g_filters": self.g_filters, "d_filters": self.d_filters, "conditioning": self.conditioning}

    @classmethod
    def upgrade_config(cls, config):
        config = super().upgrade_config(config)
        if "filters" in config:  # saved by CGAN up to 0.1
            config["g_filters"] = config["d_filters"] = config.pop("filters")
        return config
