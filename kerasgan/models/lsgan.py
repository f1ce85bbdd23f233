"""`LSGAN`: least-squares GAN (Mao et al.)."""

from __future__ import annotations

import keras
from keras import ops

from kerasgan import losses
from kerasgan.errors import InvalidArgumentError
from kerasgan.models.dcgan import DCGAN
from kerasgan.registry import register_variant


@keras.saving.register_keras_serializable(package="kerasgan")
@register_variant
class LSGAN(DCGAN):
    """DCGAN networks with the least-squares loss: D pushes fakes to `a` and reals to `b`,
    G pushes fakes to `c`. a=0, b=1, c=1 by default; c=0.5 is the boundary-seeking setting."""

    def __init__(self, *args, a: float = 0.0, b: float = 1.0, c: float = 1.0, **kwargs):
        if a == b:
            raise InvalidArgumentError(f"LSGAN needs distinct targets for fake (a) and real (b), got a = b = {a}.")
        self.a, self.b, self.c = float(a), float(b), float(c)
        super().__init__(*args, **kwargs)

    def discriminator_objective(self, real_scores, fake_scores):
        return losses.least_squares_discriminator_loss(real_scores, fake_scores, self.a, self.b)

    def generator_objective(self, fake_scores):
        return losses.least_squares_generator_loss(fake_scores, self.c)

    def discriminator_report(self, scores):
        return ops.mean(scores)

    def default_optimizers(self):
        return (
            keras.optimizers.Adam(2e-4, beta_1=0.5, name="d_adam"),
            keras.optimizers.Adam(2e-4, beta_1=0.5, name="g_adam"),
        )

    def get_config(self):
        return {**super().get_config(), "a": self.a, "b": self.b, "c": self.c}
