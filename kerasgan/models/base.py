"""`BaseGAN`: the training loop, sampling and serialization every variant shares.

A variant supplies its networks (`build_generator`, `build_discriminator`), its objective
(`discriminator_objective`, `generator_objective`, optionally `discriminator_penalty` and
`after_discriminator_update`) and its optimizer defaults. The training step is written once,
in stateful Keras style; `kerasgan.backend` supplies the only per-backend part, the gradient.
"""

from __future__ import annotations

import sys

import numpy as np
import keras
from keras import ops

from kerasgan import losses
from kerasgan.backend import BACKEND, TrainerMixin
from kerasgan.images import to_uint8

OUTPUT_RANGES = {"tanh": (-1.0, 1.0), "sigmoid": (0.0, 1.0), "linear": None}
_MODEL_KWARGS = ("name", "dtype", "trainable")


class OptimizerPair:
    """The discriminator's and the generator's optimizers, shown to Keras as one.

    Keras' trainers know a single `model.optimizer`, and the JAX trainer threads only its
    `.variables` through the compiled step; listing both optimizers' variables here lets the
    stock `fit()` carry both states on every backend.
    """

    def __init__(self, discriminator, generator):
        self.discriminator = discriminator
        self.generator = generator

    @property
    def variables(self):
        return list(self.discriminator.variables) + list(self.generator.variables)

    @property
    def built(self):
        return self.discriminator.built and self.generator.built

    @property
    def optimizers(self):  # what TensorBoard reads to log each learning rate
        return [self.discriminator, self.generator]

    @property
    def iterations(self):  # one training step = one generator update
        return self.generator.iterations

    def build(self, variables):  # both are built in `BaseGAN.compile`
        return None


class BaseGAN(TrainerMixin, keras.Model):
    """A GAN as one `keras.Model`: a `generator`, a `discriminator`, and `train_step`."""

    conditional = False
    default_n_critic = 1

    def __init__(self, latent_dim: int = 100, n_critic: int | None = None, seed: int | None = None, **kwargs):
        unknown = sorted(set(kwargs) - set(_MODEL_KWARGS))
        if unknown:
            raise ValueError(
                f"{type(self).__name__} got unknown option(s) {', '.join(unknown)}; "
                f"its options are {', '.join(self._option_names())}."
            )
        super().__init__(**kwargs)
        self.latent_dim = _positive_int("latent_dim", latent_dim)
        self.n_critic = _positive_int("n_critic", self.default_n_critic if n_critic is None else n_critic)
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.d_loss_tracker = keras.metrics.Mean(name="d_loss")
        self.g_loss_tracker = keras.metrics.Mean(name="g_loss")
        self.d_real_tracker = keras.metrics.Mean(name="d_real")
        self.d_fake_tracker = keras.metrics.Mean(name="d_fake")

    # ----------------------------------------------------------------- networks
    def _set_networks(self, generator=None, discriminator=None):
        if (generator is None) != (discriminator is None):
            raise ValueError("Pass both `generator` and `discriminator`, or neither to build the default networks.")
        self._custom_networks = generator is not None
        if isinstance(generator, dict):
            generator = keras.saving.deserialize_keras_object(generator)
            discriminator = keras.saving.deserialize_keras_object(discriminator)
        self.generator = generator if generator is not None else self.build_generator()
        self.discriminator = discriminator if discriminator is not None else self.build_discriminator()
        self.latent_dim = int(self.generator.inputs[0].shape[-1])  # custom networks decide it
        self.data_shape = tuple(self.generator.outputs[0].shape[1:])
        d_shape = tuple(self.discriminator.inputs[0].shape[1:])
        if d_shape != self.data_shape:
            raise ValueError(f"The discriminator takes inputs of shape {d_shape}, but the generator makes {self.data_shape}.")
        self.built = True

    def build_generator(self) -> keras.Model:
        raise NotImplementedError

    def build_discriminator(self) -> keras.Model:
        raise NotImplementedError

    @property
    def output_range(self):
        """The generator's output range, e.g. (-1, 1) for tanh; None if unbounded."""
        return OUTPUT_RANGES.get(getattr(self, "output_activation", "tanh"), (-1.0, 1.0))

    def call(self, inputs, training=False):
        return self.generator(inputs, training=training)

    # ---------------------------------------------------------------- objective
    def discriminator_objective(self, real_scores, fake_scores):
        return losses.minimax_discriminator_loss(real_scores, fake_scores)

    def generator_objective(self, fake_scores):
        return losses.minimax_generator_loss(fake_scores)

    def discriminator_report(self, scores):
        """What `d_real` / `d_fake` log: the mean probability D gives, for the minimax game."""
        return ops.mean(ops.sigmoid(scores))

    def discriminator_penalty(self, real, fake, labels):
        return 0.0

    def after_discriminator_update(self):
        """Runs after every discriminator update (WGAN clips its weights here)."""

    def default_optimizers(self):
        return (
            keras.optimizers.Adam(2e-4, beta_1=0.5, name="d_adam"),
            keras.optimizers.Adam(2e-4, beta_1=0.5, name="g_adam"),
        )

    # ------------------------------------------------------------------ compile
    def compile(self, d_optimizer=None, g_optimizer=None, *, jit_compile="auto", run_eagerly=False, steps_per_execution=1):
        """Two optimizers, the variant's defaults when not given. Under a `mixed_float16`
        policy both are wrapped in `LossScaleOptimizer`."""
        d_default, g_default = self.default_optimizers()
        d_optimizer = keras.optimizers.get(d_optimizer) if d_optimizer is not None else d_default
        g_optimizer = keras.optimizers.get(g_optimizer) if g_optimizer is not None else g_default
        if d_optimizer is g_optimizer:
            raise ValueError("The discriminator and the generator need two optimizer instances, got the same one twice.")
        if self.dtype_policy.name == "mixed_float16":
            d_optimizer, g_optimizer = (_loss_scaled(o) for o in (d_optimizer, g_optimizer))
        if self.dtype_policy.name == "mixed_bfloat16":
            _check_bfloat16_training(self)
        super().compile(
            optimizer=g_optimizer,
            jit_compile=jit_compile,
            run_eagerly=run_eagerly,
            steps_per_execution=steps_per_execution,
            auto_scale_loss=False,
        )
        self.d_optimizer = d_optimizer
        self.g_optimizer = g_optimizer
        d_optimizer.build(self.discriminator.trainable_variables)
        g_optimizer.build(self.generator.trainable_variables)
        self.optimizer = OptimizerPair(d_optimizer, g_optimizer)

    def get_compile_config(self):
        if not self.compiled:
            return {}
        return {
            "d_optimizer": keras.saving.serialize_keras_object(self.d_optimizer),
            "g_optimizer": keras.saving.serialize_keras_object(self.g_optimizer),
            "jit_compile": self._compile_config.config["jit_compile"],
            "steps_per_execution": self.steps_per_execution,
        }

    def compile_from_config(self, config):
        config = dict(config)
        for key in ("d_optimizer", "g_optimizer"):
            config[key] = keras.saving.deserialize_keras_object(config[key])
        self.compile(**config)

    @property
    def metrics(self):
        return [self.d_loss_tracker, self.g_loss_tracker, self.d_real_tracker, self.d_fake_tracker]

    # ---------------------------------------------------------------- training
    def fit(self, x=None, y=None, *args, **kwargs):
        self._check_training_data(x, y)
        return super().fit(x, y, *args, **kwargs)

    def _train_step(self, data):
        real, labels = self._split_batch(data)
        batch_size = ops.shape(real)[0]
        d_variables, g_variables = self.discriminator.trainable_variables, self.generator.trainable_variables
        if self.n_critic == 1:
            # One generator forward pass per step, as in PyTorch's DCGAN example: D learns
            # from these fakes without their gradient, then G learns from D's verdict on the
            # same fakes after D's update, back through the forward pass kept from before.
            fake, generator_pullback = self._forward_and_pullback(lambda: self._generate(batch_size, labels), g_variables)
            d_loss, (d_real, d_fake) = self._update(
                self.d_optimizer, d_variables, lambda: self.discriminator_loss(real, labels, fake=fake)
            )
            self.after_discriminator_update()
            g_loss, _, fake_gradients = self._loss_and_input_gradient(
                lambda fake_: self.generator_loss(batch_size, labels, fake=fake_), fake, self.g_optimizer
            )
            self.g_optimizer.apply(generator_pullback(fake_gradients), g_variables)
        else:  # fresh fakes for every critic update and for the generator's
            for _ in range(self.n_critic):
                d_loss, (d_real, d_fake) = self._update(
                    self.d_optimizer, d_variables, lambda: self.discriminator_loss(real, labels)
                )
                self.after_discriminator_update()
            g_loss, _ = self._update(self.g_optimizer, g_variables, lambda: self.generator_loss(batch_size, labels))
        for tracker, value in zip(self.metrics, (d_loss, g_loss, d_real, d_fake)):
            tracker.update_state(value)
        return {m.name: m.result() for m in self.metrics}

    def _update(self, optimizer, variables, loss_fn):
        loss, aux, grads = self._loss_and_gradients(loss_fn, variables, optimizer)
        optimizer.apply(grads, variables)
        return loss, aux

    def discriminator_loss(self, real, labels=None, fake=None):
        """D's loss on one real batch and `fake` (fresh fakes when None), never differentiated
        into the generator; returns (loss, (d_real, d_fake))."""
        if fake is None:
            fake = self._generate(ops.shape(real)[0], labels)
        fake = ops.stop_gradient(fake)
        real_scores = self._discriminate(real, labels)
        fake_scores = self._discriminate(fake, labels)
        loss = self.discriminator_objective(real_scores, fake_scores)
        loss = loss + self.discriminator_penalty(real, fake, labels)
        return loss, (self.discriminator_report(real_scores), self.discriminator_report(fake_scores))

    def generator_loss(self, batch_size, labels=None, fake=None):
        """G's loss on D's scores of `fake` (fresh fakes when None); returns (loss, ())."""
        if fake is None:
            fake = self._generate(batch_size, labels)
        return self.generator_objective(self._discriminate(fake, labels)), ()

    def _generate(self, batch_size, labels):
        z = keras.random.normal((batch_size, self.latent_dim), seed=self.seed_generator)
        return self.generator(z if labels is None else [z, labels], training=True)

    def _discriminate(self, x, labels):
        return self.discriminator(x if labels is None else [x, labels], training=True)

    def _split_batch(self, data):
        x, y, _ = keras.utils.unpack_x_y_sample_weight(data)
        self._check_batch_shape(tuple(x.shape[1:]), y is not None)
        x = ops.cast(x, self.compute_dtype)
        if y is None:
            return x, None
        return x, ops.reshape(ops.cast(y, "int32"), (-1, 1))

    # --------------------------------------------------------------- validation
    def _check_batch_shape(self, shape, has_labels: bool):
        name = type(self).__name__
        if len(shape) == len(self.data_shape) == 3 and shape[:2] == self.data_shape[:2] and shape[2] != self.data_shape[2]:
            raise ValueError(
                f"{name} expects images with {self.data_shape[2]} channel(s), got {shape[2]} (shape {shape})."
            )
        if shape != self.data_shape:
            raise ValueError(f"{name} expects training data of shape {self.data_shape} per sample, got {shape}.")
        if self.conditional and not has_labels:
            raise ValueError(f"{name} is conditional: pass class labels with the images, e.g. fit(images, labels).")
        if not self.conditional and has_labels:
            raise ValueError(f"{name} is unconditional and takes no labels, but labels were given with the images.")

    def _check_training_data(self, x, y):
        """Checks what can be seen before training starts; the step checks the rest."""
        # A tf.data.Dataset exists only where TensorFlow is already imported; never import it
        # here, so JAX and PyTorch users train without TensorFlow installed.
        tf = sys.modules.get("tensorflow")
        if tf is not None and isinstance(x, tf.data.Dataset):
            spec = x.element_spec
            if isinstance(spec, tuple):
                x_spec, y_spec = spec[0], (spec[1] if len(spec) > 1 else None)
            else:
                x_spec, y_spec = spec, None
            self._check_batch_shape(tuple(x_spec.shape[1:]), y_spec is not None)
        elif hasattr(x, "shape") and hasattr(x, "dtype"):
            self._check_batch_shape(tuple(x.shape[1:]), y is not None)

    def _check_labels(self, labels, n: int):
        name = type(self).__name__
        if not self.conditional:
            if labels is not None:
                raise ValueError(f"{name} is unconditional and takes no labels, got labels={labels!r}.")
            return None
        if labels is None:
            raise ValueError(f"{name} is conditional: pass `labels`, one class id in 0..{self.num_classes - 1} per image.")
        labels = np.asarray(labels)
        if labels.ndim == 0:
            labels = np.full((n,), int(labels))
        labels = labels.reshape(-1)
        if labels.shape[0] != n or not np.issubdtype(labels.dtype, np.integer):
            raise ValueError(f"`labels` must be {n} integer class ids, got {labels.dtype} of shape {labels.shape}.")
        if labels.min() < 0 or labels.max() >= self.num_classes:
            raise ValueError(f"`labels` must lie in 0..{self.num_classes - 1}, got values {labels.min()}..{labels.max()}.")
        return labels.astype("int32").reshape(-1, 1)

    # ----------------------------------------------------------------- sampling
    def latent_vectors(self, n: int, seed: int | None = None) -> np.ndarray:
        """n latent vectors from N(0, 1) by NumPy: the same seed gives the same vectors on
        every backend, so samples compare across backends."""
        n = _positive_int("n", n)
        return np.random.default_rng(seed).standard_normal((n, self.latent_dim)).astype("float32")

    def decode(self, z, labels=None, batch_size: int = 256) -> np.ndarray:
        """The generator's float output for given latent vectors, in inference mode."""
        z = np.asarray(z, dtype="float32")
        if z.ndim != 2 or z.shape[1] != self.latent_dim:
            raise ValueError(f"Latent vectors must have shape (n, {self.latent_dim}), got {z.shape}.")
        labels = self._check_labels(labels, z.shape[0])
        out = []
        for start in range(0, z.shape[0], batch_size):
            zb = z[start : start + batch_size]
            inputs = zb if labels is None else [zb, labels[start : start + batch_size]]
            out.append(ops.convert_to_numpy(ops.cast(self.generator(inputs, training=False), "float32")))
        return np.concatenate(out)

    def sample(self, n: int, seed: int | None = None, labels=None, batch_size: int = 256) -> np.ndarray:
        """n samples in the generator's output range (float32)."""
        z = self.latent_vectors(n, seed)
        return self.decode(z, labels=labels, batch_size=batch_size)

    def generate(self, n: int, seed: int | None = None, labels=None, batch_size: int = 256) -> np.ndarray:
        """n images as uint8 (n, H, W, C); the same seed gives the same images."""
        if self.output_range is None:
            raise ValueError(f"This {type(self).__name__} has an unbounded output; use `sample()` for raw values.")
        return to_uint8(self.sample(n, seed=seed, labels=labels, batch_size=batch_size), self.output_range)

    # ------------------------------------------------------------------ presets
    def save_preset(self, directory, **kwargs):
        """Writes a preset folder: config.json, model.weights.h5, metadata.json, README.md."""
        from kerasgan import presets

        return presets.save_preset(self, directory, **kwargs)

    @classmethod
    def from_pretrained(cls, handle, **kwargs):
        """Loads a zoo name, an `hf://org/repo[@revision]` handle or a local preset folder."""
        from kerasgan import presets

        return presets.load_preset(handle, expected_class=None if cls is BaseGAN else cls, **kwargs)

    def push_to_hub(self, repo_id, **kwargs):
        """Saves a preset and uploads it to the Hugging Face Hub with `huggingface_hub`."""
        from kerasgan import presets

        return presets.push_to_hub(self, repo_id, **kwargs)

    # ------------------------------------------------------------ serialization
    def get_config(self):
        config = {
            "name": self.name,
            "trainable": self.trainable,
            "dtype": keras.saving.serialize_keras_object(self.dtype_policy),
            "latent_dim": self.latent_dim,
            "n_critic": self.n_critic,
            "seed": self.seed,
        }
        if self._custom_networks:
            config["generator"] = keras.saving.serialize_keras_object(self.generator)
            config["discriminator"] = keras.saving.serialize_keras_object(self.discriminator)
        return config

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    @classmethod
    def _option_names(cls):
        import inspect

        names = []
        for klass in cls.__mro__:
            if klass in (keras.Model, TrainerMixin) or not issubclass(klass, BaseGAN):
                continue
            for p in inspect.signature(klass.__init__).parameters.values():
                if p.kind == p.POSITIONAL_OR_KEYWORD and p.name != "self" and p.name not in names:
                    names.append(p.name)
        return names + list(_MODEL_KWARGS)


def _positive_int(name: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value <= 0:
        raise ValueError(f"`{name}` must be a positive whole number, got {value!r}.")
    return int(value)


def _check_bfloat16_training(model):
    if BACKEND != "torch":
        return
    import torch

    has_conv = any(isinstance(layer, keras.layers.Conv2D | keras.layers.Conv2DTranspose)
                   for net in (model.generator, model.discriminator) for layer in net.layers)
    if has_conv and not torch.cuda.is_available():
        raise ValueError(
            "PyTorch's CPU convolutions cannot backpropagate in bfloat16 (torch raises 'grad_weight must be "
            "contiguous'); train this model in float32 on the CPU, or on the tensorflow or jax backend."
        )


def _loss_scaled(optimizer):
    if BACKEND != "tensorflow":
        raise ValueError(
            f"mixed_float16 training needs loss scaling, which kerasgan supports on the tensorflow backend only "
            f"(found {BACKEND}); use the mixed_bfloat16 policy, which needs none."
        )
    if isinstance(optimizer, keras.optimizers.LossScaleOptimizer):
        return optimizer
    return keras.optimizers.LossScaleOptimizer(optimizer, name=f"{optimizer.name}_loss_scaled")
