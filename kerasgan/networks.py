"""Generator and discriminator builders shared by the variants.

Every builder returns a plain functional `keras.Model`, usable on its own. Discriminators
return one unbounded score per sample (logits); each variant's loss decides what it means.
The last layer of each network is float32 so that losses stay in full precision under a
mixed-precision policy.
"""

from __future__ import annotations

import math

import keras
import numpy as np
from keras import layers, ops

from kerasgan import backend

from kerasgan.errors import InvalidArgumentError

CONV_ACTIVATIONS = ("relu", "selu")
NORMS = ("batch", "layer", "none")
# How a conditional discriminator takes the label: concatenated to its input (an embedding beside
# the flattened data, or one extra image plane), or projected onto its last features (Miyato and
# Koyama 2018: score = psi(h) + <embed(y), h>), which tells classes apart far better.
CONDITIONINGS = ("concat", "projection")


class _Initializers:
    """Hands out one distinct seed per layer, so a network built with the same seed is the
    same every time, without touching Keras' global random state."""

    def __init__(self, seed: int | None, kind: str = "normal"):
        self._seed = seed
        self._count = 0
        self._kind = kind

    def _next_seed(self) -> int | None:
        if self._seed is None:
            return None
        self._count += 1
        return (self._seed * 7919 + self._count) % (2**31 - 1)

    def __call__(self, kind: str | None = None):
        kind = kind or self._kind
        seed = self._next_seed()
        if kind == "normal":  # Radford et al.: N(0, 0.02) for every conv and dense weight
            return keras.initializers.RandomNormal(0.0, 0.02, seed=seed)
        if kind == "gamma":
            return keras.initializers.RandomNormal(1.0, 0.02, seed=seed)
        if kind == "lecun":  # what SELU's self-normalisation assumes
            return keras.initializers.LecunNormal(seed=seed)
        return keras.initializers.GlorotUniform(seed=seed)


@keras.saving.register_keras_serializable(package="kerasgan")
class Conv2D(layers.Conv2D):
    """Keras' `Conv2D` (same weights, same outputs) through `kerasgan.backend`'s `conv`, which
    on torch convolves NHWC tensors without copying them to another layout."""

    def convolution_op(self, inputs, kernel):
        return backend.conv(inputs, kernel, strides=list(self.strides), padding=self.padding,
                            dilation_rate=self.dilation_rate, data_format=self.data_format)


@keras.saving.register_keras_serializable(package="kerasgan")
class BatchNormalization(layers.BatchNormalization):
    """Keras' `BatchNormalization` (same weights, same outputs, same moving statistics); on torch
    a training batch goes through torch's fused kernel (`kerasgan.backend.batch_norm`) where
    Keras runs about ten elementwise ops, each with its own backward pass."""

    def call(self, inputs, training=None, mask=None):
        fused = backend.batch_norm
        if (fused is None or not (training and self.trainable) or mask is not None or self.renorm
                or self.synchronized or self.axis not in (-1, len(inputs.shape) - 1) or len(inputs.shape) not in (2, 4)
                or keras.backend.standardize_dtype(inputs.dtype) != self.moving_mean.dtype):
            return super().call(inputs, training=training, mask=mask)
        outputs, mean, variance = fused(inputs, self.gamma if self.scale else None,
                                        self.beta if self.center else None, self.epsilon)
        self.moving_mean.assign(self.moving_mean * self.momentum + mean * (1.0 - self.momentum))
        self.moving_variance.assign(self.moving_variance * self.momentum + variance * (1.0 - self.momentum))
        return ops.cast(outputs, self.compute_dtype)


@keras.saving.register_keras_serializable(package="kerasgan")
class Conv2DTranspose(layers.Conv2DTranspose):
    """Keras' `Conv2DTranspose` (same weights, same outputs) through `kerasgan.backend`'s
    `conv_transpose`: on JAX a kernel gradient that avoids XLA's slow CPU path, on torch no
    layout copies."""

    def call(self, inputs):
        outputs = backend.conv_transpose(
            inputs, self.kernel, strides=list(self.strides), padding=self.padding,
            output_padding=self.output_padding, dilation_rate=self.dilation_rate, data_format=self.data_format,
        )
        if self.use_bias:
            shape = (1,) * (self.rank + 1) + (self.filters,) if self.data_format == "channels_last" else (1, self.filters) + (1,) * self.rank
            outputs = ops.add(outputs, ops.reshape(self.bias, shape))
        return outputs if self.activation is None else self.activation(outputs)


def _check_choice(name: str, value, choices) -> None:
    if value not in choices:
        raise InvalidArgumentError(f"`{name}` must be one of {', '.join(map(repr, choices))}, got {value!r}.")


def _label_embedding(labels, num_classes: int, dim: int, init, name: str):
    x = layers.Embedding(num_classes, dim, embeddings_initializer=init(), name=f"{name}_embedding")(labels)
    return layers.Flatten(name=f"{name}_flatten")(x)


def _projection(score, features, labels, num_classes: int, init):
    """score + <embed(label), features>: the projection discriminator's class term."""
    features = layers.Flatten(name="features")(features)
    embedded = _label_embedding(labels, num_classes, features.shape[-1], init, "projection")
    class_term = layers.Dot(axes=1, name="class_term")([embedded, features])
    return layers.Add(name="score_and_class_term")([score, class_term])


def _inputs(latent_dim: int, num_classes: int | None):
    z = keras.Input((latent_dim,), name="z")
    if not num_classes:
        return z, z, None
    labels = keras.Input((1,), dtype="int32", name="labels")
    return z, [z, labels], labels


def mlp_generator(
    latent_dim: int = 100,
    data_shape=(28, 28, 1),
    units=(256, 512, 1024),
    negative_slope: float = 0.2,
    batch_norm: bool = True,
    output_activation: str = "tanh",
    num_classes: int | None = None,
    seed: int | None = None,
    name: str = "generator",
) -> keras.Model:
    """Fully connected generator: z -> Dense -> LeakyReLU -> BatchNorm ... -> data_shape."""
    init = _Initializers(seed, "glorot")
    z, inputs, labels = _inputs(latent_dim, num_classes)
    x = z
    if labels is not None:
        x = layers.Concatenate(name="z_and_label")([z, _label_embedding(labels, num_classes, 50, init, "label")])
    for i, width in enumerate(units):
        x = layers.Dense(width, kernel_initializer=init(), name=f"dense_{i}")(x)
        x = layers.LeakyReLU(negative_slope, name=f"leaky_relu_{i}")(x)
        if batch_norm:
            x = BatchNormalization(momentum=0.8, name=f"batch_norm_{i}")(x)
    x = layers.Dense(math.prod(data_shape), kernel_initializer=init(), name="dense_out")(x)
    x = layers.Activation(output_activation, dtype="float32", name="output")(x)
    x = layers.Reshape(tuple(data_shape), name="to_data_shape")(x)
    return keras.Model(inputs, x, name=name)


def mlp_discriminator(
    data_shape=(28, 28, 1),
    units=(512, 256),
    negative_slope: float = 0.2,
    dropout: float = 0.0,
    num_classes: int | None = None,
    seed: int | None = None,
    name: str = "discriminator",
    conditioning: str = "concat",
) -> keras.Model:
    """Fully connected discriminator: data -> Dense -> LeakyReLU (-> Dropout) ... -> 1 score.
    With `num_classes`, the label enters as `conditioning` says (see CONDITIONINGS)."""
    _check_choice("conditioning", conditioning, CONDITIONINGS)
    init = _Initializers(seed, "glorot")
    x_in = keras.Input(tuple(data_shape), name="data")
    inputs = [x_in]
    x = layers.Flatten(name="flatten")(x_in)
    labels = None
    if num_classes:
        labels = keras.Input((1,), dtype="int32", name="labels")
        inputs.append(labels)
    if labels is not None and conditioning == "concat":
        x = layers.Concatenate(name="data_and_label")([x, _label_embedding(labels, num_classes, 50, init, "label")])
    for i, width in enumerate(units):
        x = layers.Dense(width, kernel_initializer=init(), name=f"dense_{i}")(x)
        x = layers.LeakyReLU(negative_slope, name=f"leaky_relu_{i}")(x)
        if dropout:
            x = layers.Dropout(dropout, seed=init._next_seed(), name=f"dropout_{i}")(x)
    features = x
    x = layers.Dense(1, kernel_initializer=init(), name="dense_out")(x)
    if labels is not None and conditioning == "projection":
        x = _projection(x, features, labels, num_classes, init)
    x = layers.Activation("linear", dtype="float32", name="score")(x)
    return keras.Model(inputs if len(inputs) > 1 else x_in, x, name=name)


def start_size(image_size: int) -> int:
    """The side a conv generator starts from: image_size = start * 2**k with k >= 1."""
    if isinstance(image_size, bool) or not isinstance(image_size, (int, np.integer)) or image_size < 1:
        raise InvalidArgumentError(f"`image_size` must be a positive whole number (e.g. 28, 32, 64), got {image_size!r}.")
    for start in (4, 7, 5, 6, 3):
        k = math.log2(image_size / start) if image_size % start == 0 else 0.5
        if k >= 1 and k == int(k):
            return start
    raise InvalidArgumentError(
        f"`image_size` must be 3, 4, 5, 6 or 7 times a power of two (e.g. 28, 32, 64, 128), got {image_size!r}."
    )


def _norm(kind: str, init, name: str):
    if kind == "batch":
        return BatchNormalization(momentum=0.9, epsilon=1e-5, gamma_initializer=init("gamma"), name=name)
    if kind == "layer":  # per-sample normalisation: keeps the gradient penalty per-sample
        return layers.LayerNormalization(axis=[1, 2, 3], name=name)
    return None


def conv_generator(
    latent_dim: int = 100,
    image_size: int = 64,
    channels: int = 3,
    filters: int = 64,
    activation: str = "relu",
    output_activation: str = "tanh",
    num_classes: int | None = None,
    seed: int | None = None,
    name: str = "generator",
) -> keras.Model:
    """DCGAN generator (Radford et al.): a projection of z to start x start, then stride-2
    transposed convolutions halving the channels, BatchNorm + ReLU (or SELU without
    BatchNorm), tanh out. No pooling and no hidden dense layers."""
    _check_choice("activation", activation, CONV_ACTIVATIONS)
    init = _Initializers(seed, "lecun" if activation == "selu" else "normal")
    start = start_size(image_size)
    n_up = int(math.log2(image_size // start))
    width = filters * 2 ** (n_up - 1)
    use_bn = activation == "relu"

    def norm_act(x, i):
        if use_bn:
            x = _norm("batch", init, f"batch_norm_{i}")(x)
        return layers.Activation(activation, name=f"{activation}_{i}")(x)

    z, inputs, labels = _inputs(latent_dim, num_classes)
    x = z
    if labels is not None:
        x = layers.Concatenate(name="z_and_label")([z, _label_embedding(labels, num_classes, 50, init, "label")])
    x = layers.Dense(start * start * width, use_bias=not use_bn, kernel_initializer=init(), name="project")(x)
    x = layers.Reshape((start, start, width), name="to_feature_map")(x)
    x = norm_act(x, 0)
    for i in range(1, n_up):
        width //= 2
        x = Conv2DTranspose(
            width, 4, strides=2, padding="same", use_bias=not use_bn, kernel_initializer=init(), name=f"up_{i}"
        )(x)
        x = norm_act(x, i)
    x = Conv2DTranspose(channels, 4, strides=2, padding="same", kernel_initializer=init(), name="up_out")(x)
    x = layers.Activation(output_activation, dtype="float32", name="output")(x)
    return keras.Model(inputs, x, name=name)


def conv_discriminator(
    image_size: int = 64,
    channels: int = 3,
    filters: int = 64,
    activation: str = "relu",
    norm: str = "batch",
    num_classes: int | None = None,
    seed: int | None = None,
    name: str = "discriminator",
    conditioning: str = "concat",
) -> keras.Model:
    """DCGAN discriminator: stride-2 convolutions doubling the channels down to start x
    start, LeakyReLU(0.2) with `norm` after every conv but the first (or SELU and no norm),
    then one valid convolution to a single score. With `num_classes`, the label enters as
    `conditioning` says (see CONDITIONINGS)."""
    _check_choice("activation", activation, CONV_ACTIVATIONS)
    _check_choice("norm", norm, NORMS)
    _check_choice("conditioning", conditioning, CONDITIONINGS)
    selu = activation == "selu"
    init = _Initializers(seed, "lecun" if selu else "normal")
    start = start_size(image_size)
    x_in = keras.Input((image_size, image_size, channels), name="images")
    inputs = [x_in]
    x = x_in
    labels = None
    if num_classes:
        labels = keras.Input((1,), dtype="int32", name="labels")
        inputs.append(labels)
    if labels is not None and conditioning == "concat":  # one extra image-sized input channel
        plane = _label_embedding(labels, num_classes, image_size * image_size, init, "label")
        plane = layers.Reshape((image_size, image_size, 1), name="label_plane")(plane)
        x = layers.Concatenate(name="images_and_label")([x, plane])
    size, width, i = image_size, filters, 0
    while size > start:
        x = Conv2D(width, 4, strides=2, padding="same", kernel_initializer=init(), name=f"down_{i}")(x)
        if selu:
            x = layers.Activation("selu", name=f"selu_{i}")(x)
        else:
            normalise = _norm(norm, init, f"{norm}_norm_{i}") if i > 0 else None
            if normalise is not None:
                x = normalise(x)
            x = layers.LeakyReLU(0.2, name=f"leaky_relu_{i}")(x)
        size, width, i = size // 2, width * 2, i + 1
    features = x
    x = Conv2D(1, start, padding="valid", kernel_initializer=init(), name="score_conv")(x)
    x = layers.Flatten(name="flatten")(x)
    if labels is not None and conditioning == "projection":
        x = _projection(x, features, labels, num_classes, init)
    x = layers.Activation("linear", dtype="float32", name="score")(x)
    return keras.Model(inputs if len(inputs) > 1 else x_in, x, name=name)
