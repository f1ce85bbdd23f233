"""`WGAN` (weight clipping, Arjovsky et al.) and `WGANGP` (gradient penalty, Gulrajani et al.)."""

from __future__ import annotations

import keras
from keras import ops

from kerasgan import losses
from kerasgan.backend import input_gradients, replica_rows
from kerasgan.errors import InvalidArgumentError
from kerasgan.models.base import _positive_int
from kerasgan.models.dcgan import DCGAN
from kerasgan.registry import register_variant


class _Wasserstein:
    """The Wasserstein objective: the critic's scores are unbounded and logged raw. The critic
    takes `n_critic` updates per generator update and its own normalization, `critic_norm`
    ("batch", "layer" or "none"; the class's default when None)."""

    n_critic = 5

    def __init__(self, *args, n_critic: int | None = None, critic_norm: str | None = None, **kwargs):
        self.n_critic = _positive_int("n_critic", type(self).n_critic if n_critic is None else n_critic)
        self.d_norm = type(self).d_norm if critic_norm is None else critic_norm
        super().__init__(*args, **kwargs)

    def get_config(self):
        return {**super().get_config(), "n_critic": self.n_critic, "critic_norm": self.d_norm}

    def discriminator_objective(self, real_scores, fake_scores):
        return losses.wasserstein_critic_loss(real_scores, fake_scores)

    def generator_objective(self, fake_scores):
        return losses.wasserstein_generator_loss(fake_scores)

    def discriminator_report(self, scores):
        return ops.mean(scores)


@keras.saving.register_keras_serializable(package="kerasgan")
@register_variant
class WGAN(_Wasserstein, DCGAN):
    """DCGAN networks with a critic (no sigmoid), its weights clipped to [-clip, clip] after
    every critic update, `n_critic` critic updates per generator update, RMSprop(5e-5)."""

    def __init__(self, *args, clip_value: float = 0.01, **kwargs):
        if not clip_value or clip_value <= 0:
            raise InvalidArgumentError(f"`clip_value` must be a positive number, got {clip_value!r}.")
        self.clip_value = float(clip_value)
        super().__init__(*args, **kwargs)

    def after_discriminator_update(self):
        for v in self.discriminator.trainable_variables:
            v.assign(ops.clip(v, -self.clip_value, self.clip_value))

    def default_optimizers(self):
        return (
            keras.optimizers.RMSprop(5e-5, name="d_rmsprop"),
            keras.optimizers.RMSprop(5e-5, name="g_rmsprop"),
        )

    def get_config(self):
        return {**super().get_config(), "clip_value": self.clip_value}


@keras.saving.register_keras_serializable(package="kerasgan")
@register_variant
class WGANGP(_Wasserstein, DCGAN):
    """The Wasserstein critic with gradient penalty weight * (||grad D(x_hat)|| - 1)^2 on
    per-sample random interpolates between real and fake, LayerNorm instead of BatchNorm in
    the critic, Adam(1e-4, beta_1=0, beta_2=0.9), 5 critic updates per generator update."""

    d_norm = "layer"

    def __init__(self, *args, gp_weight: float = 10.0, **kwargs):
        if gp_weight is None or gp_weight < 0:
            raise InvalidArgumentError(f"`gp_weight` must be a number >= 0, got {gp_weight!r}.")
        self.gp_weight = float(gp_weight)
        super().__init__(*args, **kwargs)

    def gradient_penalty(self, real, fake, labels=None):
        batch = ops.shape(real)[0]
        ones = (1,) * (len(real.shape) - 1)
        alpha = replica_rows(lambda n: keras.random.uniform((n,) + ones, seed=self.seed_generator, dtype="float32"), batch)
        real32, fake32 = ops.cast(real, "float32"), ops.cast(fake, "float32")
        x_hat = real32 + alpha * (fake32 - real32)
        # on the images themselves: DiffAugment shapes what D compares, not the Lipschitz constraint
        critic = lambda x: self.discriminator(x if labels is None else [x, labels], training=True)  # noqa: E731
        return losses.gradient_penalty(input_gradients(critic, x_hat), self.gp_weight)

    def discriminator_penalty(self, real, fake, labels):
        return self.gradient_penalty(real, fake, labels)

    def default_optimizers(self):
        return (
            keras.optimizers.Adam(1e-4, beta_1=0.0, beta_2=0.9, name="d_adam"),
            keras.optimizers.Adam(1e-4, beta_1=0.0, beta_2=0.9, name="g_adam"),
        )

    def get_config(self):
        return {**super().get_config(), "gp_weight": self.gp_weight}
