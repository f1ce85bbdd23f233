"""`GAN`: the fully connected GAN of Goodfellow et al., as in the MNIST articles."""

from __future__ import annotations

import keras

from kerasgan import networks
from kerasgan.errors import InvalidArgumentError
from kerasgan.models.base import OUTPUT_RANGES, BaseGAN
from kerasgan.registry import register_variant

DEFAULT_IMAGE_SIZE, DEFAULT_CHANNELS = 28, 1


@keras.saving.register_keras_serializable(package="kerasgan")
@register_variant
class GAN(BaseGAN):
    """Fully connected generator 100 -> 256 -> 512 -> 1024 -> 784 (LeakyReLU + BatchNorm)
    and discriminator 784 -> 512 -> 256 -> 1 (LeakyReLU), trained on the minimax game with
    the non-saturating generator loss. Images are `image_size` x `image_size` x `channels`
    (28 x 28 x 1 by default), as for every variant; `data_shape` takes any other shape, e.g.
    (2,) for toy distributions with `output_activation="linear"`."""

    def __init__(
        self,
        data_shape=None,
        latent_dim: int = 100,
        g_units=(256, 512, 1024),
        d_units=(512, 256),
        g_negative_slope: float = 0.2,
        d_negative_slope: float = 0.2,
        d_dropout: float = 0.0,
        batch_norm: bool = True,
        output_activation: str = "tanh",
        seed: int | None = None,
        generator=None,
        discriminator=None,
        *,
        image_size: int | None = None,
        channels: int | None = None,
        **kwargs,
    ):
        super().__init__(latent_dim=latent_dim, seed=seed, **kwargs)
        if output_activation not in OUTPUT_RANGES:
            raise InvalidArgumentError(
                f"`output_activation` must be one of {sorted(OUTPUT_RANGES)}, got {output_activation!r}.")
        self.config_data_shape = _data_shape(type(self).__name__, data_shape, image_size, channels)
        self.g_units, self.d_units = tuple(g_units), tuple(d_units)
        self.g_negative_slope, self.d_negative_slope = float(g_negative_slope), float(d_negative_slope)
        self.d_dropout, self.batch_norm = float(d_dropout), bool(batch_norm)
        self.output_activation = output_activation
        self._set_networks(generator, discriminator)

    @property
    def image_size(self) -> int | None:
        """The side of the square images this model makes; None for other data."""
        shape = self.config_data_shape
        return shape[0] if len(shape) == 3 and shape[0] == shape[1] else None

    @property
    def channels(self) -> int | None:
        return self.config_data_shape[-1] if self.image_size is not None else None

    def build_generator(self):
        return networks.mlp_generator(
            self.latent_dim, self.config_data_shape, self.g_units, self.g_negative_slope, self.batch_norm,
            self.output_activation, num_classes=getattr(self, "num_classes", None), seed=self.seed,
        )

    def build_discriminator(self):
        return networks.mlp_discriminator(
            self.config_data_shape, self.d_units, self.d_negative_slope, self.d_dropout,
            seed=None if self.seed is None else self.seed + 1,
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


def _data_shape(owner: str, data_shape, image_size, channels) -> tuple:
    """One shape from `data_shape` or `image_size`/`channels` (which mean (size, size, channels))."""
    if image_size is None and channels is None:
        shape = (DEFAULT_IMAGE_SIZE, DEFAULT_IMAGE_SIZE, DEFAULT_CHANNELS) if data_shape is None else data_shape
        try:
            return tuple(int(d) for d in shape)
        except (TypeError, ValueError):
            raise InvalidArgumentError(f"`data_shape` must be a tuple of whole numbers, got {data_shape!r}.") from None
    for name, value in (("image_size", image_size), ("channels", channels)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value <= 0):
            raise InvalidArgumentError(f"`{name}` must be a positive whole number, got {value!r}.")
    base = tuple(data_shape) if data_shape is not None and len(data_shape) == 3 else \
        (DEFAULT_IMAGE_SIZE, DEFAULT_IMAGE_SIZE, DEFAULT_CHANNELS)
    shape = (base[0], base[1]) if image_size is None else (image_size, image_size)
    shape += (base[2] if channels is None else channels,)
    if data_shape is not None and tuple(data_shape) != shape:
        raise InvalidArgumentError(
            f"{owner} got data_shape={tuple(data_shape)} and image_size/channels meaning {shape}; pass one of them.")
    return shape
