"""A plain Keras DCGAN-64 training step, written the way Keras' guides write a custom
training loop on each backend: a reference for kerasgan's one backend-neutral step.

The same networks, initialisation, losses and optimizer settings as kerasgan's
`DCGAN(image_size=64, channels=3)`, and the same work per step as PyTorch's DCGAN example:
one generator forward pass, D trained on the fakes without their gradient, G's loss on D's
scores of the same fakes after D's update.

- tensorflow: `tf.function` (XLA when `jit_compile`), an outer tape that stops recording
  while D is updated;
- jax: one `jax.jit` pure function over the state, `stateless_call`, `jax.vjp` through G;
- torch: eager, autograd, Keras optimizers.
`make_step(batch_size, jit_compile)` returns `step(real_batch)`, which returns D's loss.
"""

from __future__ import annotations

import keras
from keras import layers, ops

LATENT_DIM = 100


_seeds = iter(range(1, 1000))  # a seed per initializer; keras.utils.set_random_seed would import TensorFlow


def _normal(mean=0.0):
    return keras.initializers.RandomNormal(mean, 0.02, seed=next(_seeds))


def _batch_norm():
    return layers.BatchNormalization(momentum=0.9, epsilon=1e-5, gamma_initializer=_normal(1.0))


def generator():
    model = keras.Sequential([keras.Input((LATENT_DIM,)), layers.Dense(4 * 4 * 512, use_bias=False, kernel_initializer=_normal()),
                              layers.Reshape((4, 4, 512)), _batch_norm(), layers.ReLU()])
    for width in (256, 128, 64):
        model.add(layers.Conv2DTranspose(width, 4, strides=2, padding="same", use_bias=False, kernel_initializer=_normal()))
        model.add(_batch_norm())
        model.add(layers.ReLU())
    model.add(layers.Conv2DTranspose(3, 4, strides=2, padding="same", kernel_initializer=_normal()))
    model.add(layers.Activation("tanh", dtype="float32"))
    return model


def discriminator():
    model = keras.Sequential([keras.Input((64, 64, 3))])
    for i, width in enumerate((64, 128, 256, 512)):
        model.add(layers.Conv2D(width, 4, strides=2, padding="same", kernel_initializer=_normal()))
        if i > 0:
            model.add(_batch_norm())
        model.add(layers.LeakyReLU(0.2))
    model.add(layers.Conv2D(1, 4, padding="valid", kernel_initializer=_normal()))
    model.add(layers.Flatten())
    model.add(layers.Activation("linear", dtype="float32"))
    return model


def _d_loss(real_logits, fake_logits):
    return ops.mean(ops.softplus(-real_logits)) + ops.mean(ops.softplus(fake_logits))


def _g_loss(fake_logits):
    return ops.mean(ops.softplus(-fake_logits))


def make_step(batch_size: int, jit_compile: bool = True):
    g, d = generator(), discriminator()
    g_opt = keras.optimizers.Adam(2e-4, beta_1=0.5)
    d_opt = keras.optimizers.Adam(5e-5, beta_1=0.5)
    g_opt.build(g.trainable_variables)
    d_opt.build(d.trainable_variables)
    backend = keras.backend.backend()
    if backend == "tensorflow":
        return _tensorflow_step(g, d, g_opt, d_opt, batch_size, jit_compile)
    if backend == "jax":
        return _jax_step(g, d, g_opt, d_opt, batch_size)
    return _torch_step(g, d, g_opt, d_opt, batch_size)


def _tensorflow_step(g, d, g_opt, d_opt, batch_size, jit_compile):
    import tensorflow as tf

    @tf.function(jit_compile=jit_compile)
    def step(real):
        z = tf.random.normal((batch_size, LATENT_DIM))
        with tf.GradientTape() as g_tape:
            fake = g(z, training=True)
            with g_tape.stop_recording(), tf.GradientTape() as d_tape:
                d_loss = _d_loss(d(real, training=True), d(tf.stop_gradient(fake), training=True))
            d_opt.apply(d_tape.gradient(d_loss, d.trainable_variables), d.trainable_variables)
            g_loss = _g_loss(d(fake, training=True))
        g_opt.apply(g_tape.gradient(g_loss, g.trainable_variables), g.trainable_variables)
        return d_loss

    return lambda real: step(tf.convert_to_tensor(real))


def _jax_step(g, d, g_opt, d_opt, batch_size):
    import jax

    def pure_step(state, real, key):
        g_tv, g_ntv, d_tv, d_ntv, g_ov, d_ov = state
        key, sub = jax.random.split(key)
        z = jax.random.normal(sub, (batch_size, LATENT_DIM))
        fake, g_pullback, g_ntv = jax.vjp(lambda tv: g.stateless_call(tv, g_ntv, z, training=True), g_tv, has_aux=True)

        def d_loss_fn(d_tv, d_ntv):
            real_logits, d_ntv = d.stateless_call(d_tv, d_ntv, real, training=True)
            fake_logits, d_ntv = d.stateless_call(d_tv, d_ntv, fake, training=True)
            return _d_loss(real_logits, fake_logits), d_ntv

        (d_loss, d_ntv), d_grads = jax.value_and_grad(d_loss_fn, has_aux=True)(d_tv, d_ntv)
        d_tv, d_ov = d_opt.stateless_apply(d_ov, d_grads, d_tv)

        def g_loss_fn(fake, d_ntv):
            fake_logits, d_ntv = d.stateless_call(d_tv, d_ntv, fake, training=True)
            return _g_loss(fake_logits), d_ntv

        (_, d_ntv), fake_grads = jax.value_and_grad(g_loss_fn, has_aux=True)(fake, d_ntv)
        (g_grads,) = g_pullback(fake_grads)
        g_tv, g_ov = g_opt.stateless_apply(g_ov, g_grads, g_tv)
        return (g_tv, g_ntv, d_tv, d_ntv, g_ov, d_ov), key, d_loss

    values = lambda vs: [v.value for v in vs]  # noqa: E731
    state = [(values(g.trainable_variables), values(g.non_trainable_variables), values(d.trainable_variables),
              values(d.non_trainable_variables), values(g_opt.variables), values(d_opt.variables)),
             jax.random.PRNGKey(0)]
    jitted = jax.jit(pure_step, donate_argnums=(0, 2))

    def step(real):
        state[0], state[1], d_loss = jitted(state[0], real, state[1])
        return d_loss

    return step


def _torch_step(g, d, g_opt, d_opt, batch_size):
    import torch

    seeds = keras.random.SeedGenerator(0)

    def step(real):
        real = ops.convert_to_tensor(real)
        z = keras.random.normal((batch_size, LATENT_DIM), seed=seeds)
        fake = g(z, training=True)
        d_loss = _d_loss(d(real, training=True), d(fake.detach(), training=True))
        d_vars = d.trainable_variables
        d_opt.apply(torch.autograd.grad(d_loss, [v.value for v in d_vars]), d_vars)
        g_loss = _g_loss(d(fake, training=True))
        g_vars = g.trainable_variables
        g_opt.apply(torch.autograd.grad(g_loss, [v.value for v in g_vars]), g_vars)
        return d_loss.detach()

    return step
