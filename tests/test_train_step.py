"""The training step's work on the current backend: how many generator passes it makes, and
that the gradient carried back through a kept forward pass is the gradient of a fresh one."""

import keras
import numpy as np
import pytest
from keras import ops

from kerasgan import GAN
from helpers import TINY_VARIANTS, batch, make


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
    model = _GradientProbe(seed=0, **TINY_VARIANTS["GAN"][1])
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

    model = NotForXLA(seed=0, **TINY_VARIANTS["GAN"][1])
    model.compile(jit_compile=True)
    x, _ = batch(model, 16)
    with pytest.warns(UserWarning, match="does not compile with XLA"):
        history = model.fit(x, batch_size=8, epochs=2, verbose=0).history
    assert model.jit_compile is False
    assert np.isfinite(history["d_loss"]).all() and len(history["d_loss"]) == 2


def _layer_gradients(layer, x, **call_options):
    """d sum(w * layer(x)^2) / d (each trainable weight, x) for a fixed random w, on whichever
    backend runs."""
    w = np.random.default_rng(1).standard_normal(layer.compute_output_shape(x.shape)).astype("float32")
    backend = keras.backend.backend()
    if backend == "jax":
        import jax

        non_trainable = [v.value for v in layer.non_trainable_variables]

        def loss(trainable, x_):
            outputs = layer.stateless_call(trainable, non_trainable, x_, **call_options)[0]
            return (w * outputs**2).sum()

        weights, x_gradient = jax.grad(loss, (0, 1))([v.value for v in layer.trainable_variables], x)
        return [np.asarray(g) for g in [*weights, x_gradient]]
    if backend == "torch":
        import torch

        x = torch.tensor(x, requires_grad=True)
        targets = [v.value for v in layer.trainable_variables] + [x]
        loss = (torch.from_numpy(w) * layer(x, **call_options) ** 2).sum()
        return [g.numpy() for g in torch.autograd.grad(loss, targets)]
    import tensorflow as tf

    x = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(x)
        loss = tf.reduce_sum(w * layer(x, **call_options) ** 2)
    return [g.numpy() for g in tape.gradient(loss, [v.value for v in layer.trainable_variables] + [x])]


@pytest.mark.parametrize("shape", [(16, 5, 5, 3), (32, 3)], ids=["images", "vectors"])
def test_kerasgan_batch_norm_is_keras_batch_norm(shape):
    """Training and inference outputs, gradients and moving statistics as Keras' layer computes
    them, on every backend (on torch a training batch goes through torch's fused kernel)."""
    from kerasgan import networks

    x = (3 + 2 * np.random.default_rng(0).standard_normal(shape)).astype("float32")
    ours = networks.BatchNormalization(momentum=0.8, epsilon=1e-5, gamma_initializer="random_normal")
    theirs = keras.layers.BatchNormalization(momentum=0.8, epsilon=1e-5)
    ours.build(x.shape), theirs.build(x.shape)
    theirs.set_weights(ours.get_weights())
    for a, b in zip(_layer_gradients(ours, x, training=True), _layer_gradients(theirs, x, training=True)):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-4)
    for _ in range(3):  # moving statistics: three training batches on each
        np.testing.assert_allclose(ops.convert_to_numpy(ours(x, training=True)),
                                   ops.convert_to_numpy(theirs(x, training=True)), rtol=1e-5, atol=1e-5)
    for a, b in zip(ours.get_weights(), theirs.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    assert not np.allclose(ours.get_weights()[2], 0)  # the moving mean has moved
    np.testing.assert_allclose(ops.convert_to_numpy(ours(x, training=False)),
                               ops.convert_to_numpy(theirs(x, training=False)), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("transposed", [True, False], ids=["Conv2DTranspose", "Conv2D"])
@pytest.mark.parametrize("kernel, strides, padding, size", [
    (4, 2, "same", 6), (4, 2, "valid", 5), (4, 1, "same", 5), (4, 1, "valid", 4),  # the zoo's
    (3, 1, "same", 5), (3, 2, "same", 5), (5, 2, "same", 7), (2, 3, "valid", 5),  # uneven padding; stride > kernel
])
def test_kerasgan_convolutions_are_keras_convolutions(transposed, kernel, strides, padding, size):
    """Same outputs and gradients as Keras' layers on every backend (each backend's own
    convolutions are there for speed: JAX's transposed kernel gradient, torch's layout)."""
    from kerasgan import networks

    ours_class, theirs_class = ((networks.Conv2DTranspose, keras.layers.Conv2DTranspose) if transposed
                                else (networks.Conv2D, keras.layers.Conv2D))
    x = np.random.default_rng(0).standard_normal((2, size, size, 3)).astype("float32")
    ours = ours_class(4, kernel, strides=strides, padding=padding, bias_initializer="random_normal")
    theirs = theirs_class(4, kernel, strides=strides, padding=padding)
    ours.build(x.shape), theirs.build(x.shape)
    theirs.set_weights(ours.get_weights())
    np.testing.assert_allclose(ops.convert_to_numpy(ours(x)), ops.convert_to_numpy(theirs(x)), rtol=1e-5, atol=1e-5)
    for a, b in zip(_layer_gradients(ours, x), _layer_gradients(theirs, x)):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-4)
