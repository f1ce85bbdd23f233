"""The training step's work on the current backend: how many generator passes it makes, and
that the gradient carried back through a kept forward pass is the gradient of a fresh one."""

import keras
import numpy as np
import pytest
from keras import ops

from kerasgan import GAN
from helpers import VARIANTS, batch, make


@pytest.mark.parametrize("n_critic, passes", [(1, 1), (2, 3)])
def test_generator_forward_passes_per_step(n_critic, passes):
    """One critic update: D and G share one batch of fakes. More: fresh fakes for each."""
    model = make("GAN", compile=False, n_critic=n_critic)
    calls = []
    generate = model._generate
    model._generate = lambda *args: (calls.append(1), generate(*args))[1]
    model.compile(run_eagerly=True)
    x, _ = batch(model, 8)
    model.fit(x, batch_size=8, epochs=1, verbose=0)
    assert len(calls) == passes


class _GradientProbe(GAN):
    """Logs how far G's gradient by the pullback route is from a fresh forward pass's."""

    def _train_step(self, data):
        z = ops.convert_to_tensor(np.random.default_rng(0).standard_normal((8, self.latent_dim)).astype("float32"))
        g_variables = self.generator.trainable_variables

        def critic(fake):
            return ops.mean(ops.square(self.discriminator(fake, training=False))), ()

        fake, pullback = self._forward_and_pullback(lambda: self.generator(z, training=False), g_variables)
        _, _, fake_gradients = self._loss_and_input_gradient(critic, fake, self.g_optimizer)
        chained = pullback(fake_gradients)
        _, _, direct = self._loss_and_gradients(lambda: critic(self.generator(z, training=False)), g_variables, self.g_optimizer)
        difference = ops.max(ops.stack([ops.max(ops.abs(a - b)) for a, b in zip(chained, direct)]))
        scale = ops.max(ops.stack([ops.max(ops.abs(b)) for b in direct]))
        return {"difference": difference, "scale": scale}


def test_pullback_gradients_match_a_fresh_pass():
    model = _GradientProbe(seed=0, **VARIANTS["GAN"][1])
    model.compile()
    x, _ = batch(model, 8)
    logs = model.fit(x, batch_size=8, epochs=1, verbose=0).history
    difference, scale = logs["difference"][-1], logs["scale"][-1]
    assert scale > 1e-6  # a gradient that is there to compare
    assert difference <= 1e-5 * scale, (difference, scale)


@pytest.mark.skipif(keras.backend.backend() != "tensorflow", reason="XLA's fallback is TensorFlow's")
def test_a_step_xla_cannot_compile_trains_without_it_and_says_why():
    import tensorflow as tf

    class NotForXLA(GAN):
        def discriminator_report(self, scores):  # py_function: an op XLA cannot compile
            return tf.reshape(tf.py_function(lambda s: tf.reduce_mean(tf.sigmoid(s)), [scores], tf.float32), [])

    model = NotForXLA(seed=0, **VARIANTS["GAN"][1])
    model.compile(jit_compile=True)
    x, _ = batch(model, 16)
    with pytest.warns(UserWarning, match="does not compile with XLA"):
        history = model.fit(x, batch_size=8, epochs=2, verbose=0).history
    assert model.jit_compile is False
    assert np.isfinite(history["d_loss"]).all() and len(history["d_loss"]) == 2


@pytest.mark.parametrize("strides, padding", [(2, "same"), (2, "valid"), (1, "same")])
def test_kerasgan_conv_transpose_is_keras_conv_transpose(strides, padding):
    """Same outputs as Keras' layer on every backend; on JAX, the same gradients too."""
    from kerasgan.networks import Conv2DTranspose

    x = np.random.default_rng(0).standard_normal((2, 5, 5, 3)).astype("float32")
    ours = Conv2DTranspose(4, 4, strides=strides, padding=padding)
    theirs = keras.layers.Conv2DTranspose(4, 4, strides=strides, padding=padding)
    ours.build(x.shape), theirs.build(x.shape)
    theirs.set_weights(ours.get_weights())
    np.testing.assert_allclose(ops.convert_to_numpy(ours(x)), ops.convert_to_numpy(theirs(x)), rtol=1e-5, atol=1e-5)
    if keras.backend.backend() == "jax":
        import jax

        def gradients(layer):
            loss = lambda k, b, x_: (layer.stateless_call([k, b], [], x_)[0] ** 2).sum()  # noqa: E731
            return jax.grad(loss, (0, 1, 2))(layer.kernel.value, layer.bias.value, x)

        for a, b in zip(gradients(ours), gradients(theirs)):
            np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=1e-4, atol=1e-4)
