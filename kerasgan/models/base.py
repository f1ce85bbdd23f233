"""`BaseGAN`: the training loop, sampling and serialization every variant shares.

A variant supplies its networks (`build_generator`, `build_discriminator`), its objective
(`discriminator_objective`, `generator_objective`, optionally `discriminator_penalty` and
`after_discriminator_update`) and its optimizer defaults. The training step is written once,
in stateful Keras style; `kerasgan.backend` supplies the only per-backend parts: the gradient,
and which mixed precision the backend can train.

With `ema_decay` set, every variant also keeps `ema_generator`: a copy of the generator whose
weights are an exponential moving average of the raw generator's (Karras et al.), updated in
the step after every generator update and used by `decode()`, `sample()` and `generate()`.
"""

from __future__ import annotations

import numpy as np
import keras
from keras import ops

from kerasgan import augment, backend, losses, presets
from kerasgan.backend import TrainerMixin, replica_rows
from kerasgan.deprecation import warn_deprecated
from kerasgan.errors import DataError, InvalidArgumentError
from kerasgan.first_batch import first_example
from kerasgan.images import to_uint8

OUTPUT_RANGES = {"tanh": (-1.0, 1.0), "sigmoid": (0.0, 1.0), "linear": None}
# fit() checks the values of arrays up to this many elements in full (~1 GiB of float32);
# of larger ones, evenly spaced samples adding up to about as many.
FULL_CHECK_ELEMENTS = 1 << 28
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
    # Discriminator updates per generator update. Only the Wasserstein variants take it as an
    # option (`WGAN(n_critic=5)`); the others make one.
    n_critic = 1

    def __init__(self, latent_dim: int = 100, seed: int | None = None, diff_augment: str | None = None,
                 ema_decay: float | None = None, ema_warmup: int = 0, **kwargs):
        n_critic = kwargs.pop("n_critic", None)
        unknown = sorted(set(kwargs) - set(_MODEL_KWARGS))
        if unknown:
            raise InvalidArgumentError(
                f"{type(self).__name__} got unknown option(s) {', '.join(unknown)}; "
                f"its options are {', '.join(self._option_names())}."
            )
        super().__init__(**kwargs)
        self.latent_dim = _positive_int("latent_dim", latent_dim)
        if n_critic is not None:  # accepted by every variant up to 0.1
            warn_deprecated(f"{type(self).__name__}(n_critic=...)",
                            "only WGAN and WGANGP, whose critic trains n_critic times per generator step, take it")
            self.n_critic = _positive_int("n_critic", n_critic)
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)
        # DiffAugment: the transforms D sees on real and fake images alike ("" = none)
        self.diff_augment = ",".join(augment.parse_policy(diff_augment))
        # The generator's EMA (None = off): its decay, and how many generator updates it copies
        # the raw weights before averaging. `ema_generator` is built with the networks.
        self.ema_decay, self.ema_warmup = _ema_options(ema_decay, ema_warmup)
        self.ema_generator = None
        if self.ema_decay is not None:
            # Generator updates seen by the EMA, as a variable: it is read inside the compiled
            # step, threaded through the JAX state, and saved in checkpoints and presets.
            self.ema_updates = self.add_weight(shape=(), dtype="int32", initializer="zeros", trainable=False,
                                               name="ema_updates")
        self.d_loss_tracker = keras.metrics.Mean(name="d_loss")
        self.g_loss_tracker = keras.metrics.Mean(name="g_loss")
        self.d_real_tracker = keras.metrics.Mean(name="d_real")
        self.d_fake_tracker = keras.metrics.Mean(name="d_fake")

    # ----------------------------------------------------------------- networks
    def _set_networks(self, generator=None, discriminator=None):
        if (generator is None) != (discriminator is None):
            raise InvalidArgumentError("Pass both `generator` and `discriminator`, or neither to build the default networks.")
        self._custom_networks = generator is not None
        if isinstance(generator, dict):
            generator = keras.saving.deserialize_keras_object(generator)
            discriminator = keras.saving.deserialize_keras_object(discriminator)
        self.generator = generator if generator is not None else self.build_generator()
        self.discriminator = discriminator if discriminator is not None else self.build_discriminator()
        if self.ema_decay is not None:
            self.ema_generator = _averaged_copy(self.generator, None if self._custom_networks else self.build_generator)
        if self._custom_networks:  # a custom generator decides its output range too
            self.output_activation = _final_activation(self.generator)
        self.latent_dim = int(self.generator.inputs[0].shape[-1])  # custom networks decide it
        self.data_shape = tuple(self.generator.outputs[0].shape[1:])
        d_shape = tuple(self.discriminator.inputs[0].shape[1:])
        if d_shape != self.data_shape:
            raise InvalidArgumentError(
                f"The discriminator takes inputs of shape {d_shape}, but the generator makes {self.data_shape}.")
        if self.diff_augment and len(self.data_shape) != 3:
            raise InvalidArgumentError(
                f"`diff_augment` transforms images (height, width, channels), but this model makes data of shape "
                f"{self.data_shape}."
            )
        self.built = True

    def build_generator(self) -> keras.Model:
        """The generator a variant builds from its options: a functional model from noise of
        shape `(latent_dim,)` (and an int label of shape `(1,)` when conditional) to data of the
        model's `data_shape`."""
        raise NotImplementedError

    def build_discriminator(self) -> keras.Model:
        """The discriminator: data of `data_shape` (and the label when conditional) to one raw,
        unbounded score per example, shape `(batch, 1)`."""
        raise NotImplementedError

    @property
    def output_range(self):
        """The generator's output range, e.g. (-1, 1) for tanh; None if unbounded."""
        return OUTPUT_RANGES.get(getattr(self, "output_activation", "tanh"), (-1.0, 1.0))

    def call(self, inputs, training=False):
        return self.generator(inputs, training=training)

    # ---------------------------------------------------------------- objective
    # The hooks a variant overrides to change the game; the step that calls them is written once.
    def discriminator_objective(self, real_scores, fake_scores):
        """D's loss, minimised.

        Args:
            real_scores: D's raw scores of the real batch, shape `(batch, 1)`.
            fake_scores: D's raw scores of the generated batch (no gradient reaches G).

        Returns:
            A scalar tensor. The minimax game's default: softplus cross-entropy.
        """
        return losses.minimax_discriminator_loss(real_scores, fake_scores)

    def generator_objective(self, fake_scores):
        """G's loss, minimised.

        Args:
            fake_scores: D's raw scores of the generated batch, differentiable into G.

        Returns:
            A scalar tensor. The default is the non-saturating loss, -log D(G(z)).
        """
        return losses.minimax_generator_loss(fake_scores)

    def discriminator_report(self, scores):
        """What `d_real` / `d_fake` log for a batch of D's raw `scores`: a scalar. Here, for the
        minimax game, the mean probability D gives; WGAN and LSGAN log the mean score."""
        return ops.mean(ops.sigmoid(scores))

    def discriminator_penalty(self, real, fake, labels):
        """A regulariser added to D's loss (WGAN-GP's gradient penalty).

        Args:
            real: the real batch in the model's value range (DiffAugment, if on, is applied
                inside D's calls, not to these).
            fake: the generated batch, gradient stopped.
            labels: int labels of shape `(batch, 1)` when conditional, else None.

        Returns:
            A scalar tensor, or 0.0 for none (the default).
        """
        return 0.0

    def after_discriminator_update(self):
        """Runs after every discriminator update, inside the compiled step (WGAN clips its
        weights here): assign to variables; return nothing."""

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
            raise InvalidArgumentError(
                "The discriminator and the generator need two optimizer instances, got the same one twice.")
        if self.dtype_policy.name == "mixed_float16":
            d_optimizer, g_optimizer = (_loss_scaled(o) for o in (d_optimizer, g_optimizer))
        if self.dtype_policy.name == "mixed_bfloat16":
            backend.check_bfloat16_training([self.generator, self.discriminator])
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
            self._apply_gradients(self.g_optimizer, generator_pullback(fake_gradients), g_variables)
        else:  # fresh fakes for every critic update and for the generator's
            for _ in range(self.n_critic):
                d_loss, (d_real, d_fake) = self._update(
                    self.d_optimizer, d_variables, lambda: self.discriminator_loss(real, labels)
                )
                self.after_discriminator_update()
            g_loss, _ = self._update(self.g_optimizer, g_variables, lambda: self.generator_loss(batch_size, labels))
        self._update_ema()  # after every generator update; nothing when ema_decay is None
        for tracker, value in zip(self.metrics, (d_loss, g_loss, d_real, d_fake)):
            tracker.update_state(value)
        return {m.name: m.result() for m in self.metrics}

    def _update_ema(self):
        """ema <- d * ema + (1 - d) * raw for the generator's trainable weights, with d = 0 (a plain
        copy) for the first `ema_warmup` generator updates and `ema_decay` after them. Weights
        that are not trained (BatchNorm's moving statistics) are copied, as StudioGAN does.
        Plain variable assignments, so the compiled step keeps them on every backend."""
        if self.ema_generator is None:
            return
        self.ema_updates.assign(self.ema_updates + 1)
        decay = ops.where(self.ema_updates > self.ema_warmup, self.ema_decay, 0.0)
        trained = {id(v) for v in self.generator.trainable_weights}
        # The copy has the same structure, so `weights` pairs up one to one.
        for ema, raw in zip(self.ema_generator.weights, self.generator.weights):
            if id(raw) in trained:
                d = ops.cast(decay, ema.dtype)
                ema.assign(d * ema + (1.0 - d) * ops.cast(raw, ema.dtype))
            else:
                ema.assign(raw.value)

    def _update(self, optimizer, variables, loss_fn):
        loss, aux, grads = self._loss_and_gradients(loss_fn, variables, optimizer)
        self._apply_gradients(optimizer, grads, variables)
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
        # replica_rows: under tf.distribute each replica takes its own rows of the global draw
        z = replica_rows(lambda n: keras.random.normal((n, self.latent_dim), seed=self.seed_generator), batch_size)
        return self.generator(z if labels is None else [z, labels], training=True)

    def _discriminate(self, x, labels):
        """D's scores in training; real and fake images pass through the same DiffAugment."""
        if self.diff_augment:
            x = augment.diff_augment(x, self.diff_augment, self.seed_generator)
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
            raise DataError(
                f"{name} expects images with {self.data_shape[2]} channel(s), got {shape[2]} (shape {shape})."
            )
        if shape != self.data_shape:
            raise DataError(f"{name} expects training data of shape {self.data_shape} per sample, got {shape}.")
        if self.conditional and not has_labels:
            raise DataError(f"{name} is conditional: pass class labels with the images, e.g. fit(images, labels).")
        if not self.conditional and has_labels:
            raise DataError(f"{name} is unconditional and takes no labels, but labels were given with the images.")

    def _check_training_data(self, x, y):
        """Checks what can be seen before training starts, the same way on every backend:
        shapes, then the values of arrays (all of them) or of what a dataset yields first
        (`kerasgan.first_batch`: tf.data, PyDataset, a torch DataLoader's first sample)."""
        first = first_example(x)
        if first is not None:
            example, batched, what = first
            images, labels = (example[0], example[1] if len(example) > 1 else None) \
                if isinstance(example, (tuple, list)) else (example, None)
            self._check_examples(images, labels, batched, f"the images of {what}", f"the labels of {what}")
        elif hasattr(x, "shape") and hasattr(x, "dtype"):
            self._check_examples(x, y, True, "the training images", "the training labels")

    def _check_examples(self, images, labels, batched: bool, what: str, labels_what: str):
        """Images (a batch, or one sample) and their labels or None: shape, values, class ids."""
        if not hasattr(images, "shape"):
            raise DataError(f"{type(self).__name__} trains on arrays or tensors of images, but {what} come as a "
                            f"{type(images).__module__}.{type(images).__name__}.")
        self._check_batch_shape(tuple(images.shape[1:] if batched else images.shape), labels is not None)
        self._check_image_values(images, what)
        if self.conditional:  # with labels: _check_batch_shape refused a conditional model without
            self._check_training_labels(labels if batched else np.reshape(labels, (1,)), labels_what)

    def _check_image_values(self, x, what: str):
        """Refuses NaN/inf, and values outside the generator's output range (e.g. uint8 or
        0..255 floats for a tanh generator, which would train against an unreachable target).
        Costs a min and a max over the array (over evenly spaced samples past
        `FULL_CHECK_ELEMENTS`)."""
        try:
            values = np.asarray(x)
        except Exception:  # e.g. a tensor on a GPU: the training step sees it instead
            return
        if values.size == 0:
            return
        name, value_range = type(self).__name__, self.output_range
        if not (np.issubdtype(values.dtype, np.number) and not np.issubdtype(values.dtype, np.complexfloating)):
            raise DataError(f"{name} trains on float images, but {what} have dtype {values.dtype}.")
        activation = getattr(self, "output_activation", "tanh")
        if value_range is not None and np.issubdtype(values.dtype, np.integer):
            option = "" if value_range == (-1.0, 1.0) else f", {value_range}"
            raise DataError(
                f"{name} trains on float images in [{value_range[0]:g}, {value_range[1]:g}] (the range of its "
                f"{activation} output), but {what} are {values.dtype} pixels; scale them with "
                f"kerasgan.images.from_uint8(images{option})."
            )
        if values.size > FULL_CHECK_ELEMENTS:
            values = values[:: -(-values.size // FULL_CHECK_ELEMENTS)]  # every k-th image, a view
        low, high = float(values.min()), float(values.max())  # NaN and inf show up in these
        if not (np.isfinite(low) and np.isfinite(high)):
            count = int(np.count_nonzero(~np.isfinite(values)))
            raise DataError(
                f"{what.capitalize()} hold {count} NaN or infinite value(s); {name} would learn NaN weights "
                "from them, so remove or repair those images."
            )
        if value_range is not None:
            tolerance = 1e-3 * (value_range[1] - value_range[0])
            if low < value_range[0] - tolerance or high > value_range[1] + tolerance:
                lo, hi = value_range
                pixels = ""
                if high > 2 * hi + 1:  # 0..255 pixels: say how to map them
                    formula = {(-1.0, 1.0): "x / 127.5 - 1", (0.0, 1.0): "x / 255"}.get(
                        value_range, f"x * {(hi - lo) / 255:.6g} + {lo:g}")
                    pixels = f" (0..255 pixels? map them with {formula})"
                raise DataError(
                    f"{name} trains on values in [{lo:g}, {hi:g}] (the range of its {activation} output), but "
                    f"{what} span {low:.4g}..{high:.4g}{pixels}."
                )

    def _check_training_labels(self, y, what: str):
        """Class ids for a conditional model: whole numbers in 0..num_classes-1, one per image."""
        name, k = type(self).__name__, self.num_classes
        try:
            labels = np.asarray(y)
        except Exception:
            return
        if labels.ndim == 2 and labels.shape[1] == 1:
            labels = labels[:, 0]
        if labels.ndim != 1 or not (np.issubdtype(labels.dtype, np.integer) or np.issubdtype(labels.dtype, np.floating)):
            raise DataError(
                f"{name} takes one integer class id per image, but {what} have dtype {labels.dtype} and shape "
                f"{labels.shape}."
            )
        if labels.size == 0:
            return
        if np.issubdtype(labels.dtype, np.floating):
            fractional = labels[~np.isfinite(labels) | (labels != np.round(labels))]
            if fractional.size:
                raise DataError(
                    f"{name} takes whole class ids in 0..{k - 1}, but {what} hold {fractional.size} "
                    f"fractional or non-finite value(s), e.g. {fractional[0]:g}."
                )
        low, high = labels.min(), labels.max()
        if low < 0 or high >= k:
            raise DataError(f"{name} has {k} classes, so labels must lie in 0..{k - 1}, but {what} span {low:g}..{high:g}.")

    def _check_labels(self, labels, n: int):
        name = type(self).__name__
        if not self.conditional:
            if labels is not None:
                raise InvalidArgumentError(f"{name} is unconditional and takes no labels, got labels={labels!r}.")
            return None
        if labels is None:
            raise InvalidArgumentError(f"{name} is conditional: pass `labels`, one class id in 0..{self.num_classes - 1} per image.")
        labels = np.asarray(labels)
        if labels.ndim == 0:
            labels = np.full((n,), int(labels))
        labels = labels.reshape(-1)
        if labels.shape[0] != n or not np.issubdtype(labels.dtype, np.integer):
            raise InvalidArgumentError(f"`labels` must be {n} integer class ids, got {labels.dtype} of shape {labels.shape}.")
        if labels.min() < 0 or labels.max() >= self.num_classes:
            raise InvalidArgumentError(f"`labels` must lie in 0..{self.num_classes - 1}, got values {labels.min()}..{labels.max()}.")
        return labels.astype("int32").reshape(-1, 1)

    # ----------------------------------------------------------------- sampling
    def latent_vectors(self, n: int, seed: int | None = None) -> np.ndarray:
        """n latent vectors from N(0, 1) by NumPy: the same seed gives the same vectors on
        every backend, so samples compare across backends."""
        n = _positive_int("n", n)
        return np.random.default_rng(seed).standard_normal((n, self.latent_dim)).astype("float32")

    def balanced_labels(self, n: int) -> np.ndarray | None:
        """n class labels with every class equally often (0, 1, ..., k-1, 0, 1, ...), for grids
        and measurements of a conditional model; None for an unconditional one."""
        return np.arange(_positive_int("n", n)) % self.num_classes if self.conditional else None

    def decode(self, z, labels=None, batch_size: int = 256, use_ema: bool = True) -> np.ndarray:
        """The generator's float output for given latent vectors, in inference mode: the EMA
        generator's when the model keeps one (`ema_decay`), unless `use_ema=False`."""
        generator = self.ema_generator if use_ema and self.ema_generator is not None else self.generator
        z = np.asarray(z, dtype="float32")
        if z.ndim != 2 or z.shape[1] != self.latent_dim:
            raise InvalidArgumentError(f"Latent vectors must have shape (n, {self.latent_dim}), got {z.shape}.")
        labels = self._check_labels(labels, z.shape[0])
        out = []
        for start in range(0, z.shape[0], batch_size):
            zb = z[start : start + batch_size]
            inputs = zb if labels is None else [zb, labels[start : start + batch_size]]
            out.append(ops.convert_to_numpy(ops.cast(generator(inputs, training=False), "float32")))
        return np.concatenate(out)

    def sample(self, n: int, seed: int | None = None, labels=None, batch_size: int = 256,
               use_ema: bool = True) -> np.ndarray:
        """n samples in the generator's output range (float32); see `decode` for `use_ema`."""
        z = self.latent_vectors(n, seed)
        return self.decode(z, labels=labels, batch_size=batch_size, use_ema=use_ema)

    def generate(self, n: int, seed: int | None = None, labels=None, batch_size: int = 256,
                 use_ema: bool = True) -> np.ndarray:
        """n images as uint8 (n, H, W, C); the same seed gives the same images. They come from
        the EMA generator when the model keeps one, unless `use_ema=False`."""
        if self.output_range is None:
            raise InvalidArgumentError(f"This {type(self).__name__} has an unbounded output; use `sample()` for raw values.")
        return to_uint8(self.sample(n, seed=seed, labels=labels, batch_size=batch_size, use_ema=use_ema),
                        self.output_range)

    # ------------------------------------------------------------------ presets
    def save_preset(self, directory, **kwargs):
        """Writes a preset folder: config.json, model.weights.h5, metadata.json, README.md."""
        return presets.save_preset(self, directory, **kwargs)

    @classmethod
    def from_pretrained(cls, handle, **kwargs):
        """Loads a zoo name, an `hf://org/repo[@revision]` handle or a local preset folder."""
        return presets.load_preset(handle, expected_class=None if cls is BaseGAN else cls, **kwargs)

    def push_to_hub(self, repo_id, **kwargs):
        """Saves a preset and uploads it to the Hugging Face Hub with `huggingface_hub`."""
        return presets.push_to_hub(self, repo_id, **kwargs)

    # ------------------------------------------------------------ serialization
    def get_config(self):
        config = {
            "name": self.name,
            "trainable": self.trainable,
            "dtype": keras.saving.serialize_keras_object(self.dtype_policy),
            "latent_dim": self.latent_dim,
            "seed": self.seed,
        }
        if self.diff_augment:  # left out when off, so configs saved before the option still match
            config["diff_augment"] = self.diff_augment
        if self.ema_decay is not None:  # left out when off, as diff_augment
            config["ema_decay"] = self.ema_decay
            config["ema_warmup"] = self.ema_warmup
        if self.n_critic != type(self).n_critic:  # a deprecated plain GAN(n_critic=...) still round-trips until 0.3
            config["n_critic"] = self.n_critic
        if self._custom_networks:
            config["generator"] = keras.saving.serialize_keras_object(self.generator)
            config["discriminator"] = keras.saving.serialize_keras_object(self.discriminator)
        return config

    @classmethod
    def from_config(cls, config):
        return cls(**cls.upgrade_config(config))

    @classmethod
    def upgrade_config(cls, config: dict) -> dict:
        """A config saved by an older kerasgan (the zoo's among them) in today's option names.
        Stored files are not the user's to fix, so this renames silently; only options typed
        by hand warn."""
        config = dict(config)
        if "n_critic" not in cls._option_names() and config.get("n_critic") == cls.n_critic:
            del config["n_critic"]  # saved by every variant up to 0.1
        return config

    @classmethod
    def _option_names(cls):
        import inspect

        names = []
        for klass in cls.__mro__:
            if not klass.__module__.startswith("kerasgan.models"):  # keras.Model, the trainer, object
                continue
            for p in inspect.signature(klass.__init__).parameters.values():
                if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY) and p.name != "self" and p.name not in names:
                    names.append(p.name)
        return names + list(_MODEL_KWARGS)


def _final_activation(network) -> str:
    """The output activation of a generator, as OUTPUT_RANGES names it: the last layer that has an
    activation decides ("linear", i.e. unbounded, for one not listed there, e.g. relu)."""
    for layer in reversed(network.layers):
        activation = getattr(layer, "activation", None)
        if activation is not None:
            name = keras.activations.serialize(activation)
            name = name if isinstance(name, str) else ""
            return name if name in OUTPUT_RANGES else "linear"
    return "linear"


def _positive_int(name: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value <= 0:
        raise InvalidArgumentError(f"`{name}` must be a positive whole number, got {value!r}.")
    return int(value)


def _ema_options(decay, warmup) -> tuple[float | None, int]:
    if isinstance(warmup, bool) or not isinstance(warmup, (int, np.integer)) or warmup < 0:
        raise InvalidArgumentError(f"`ema_warmup` must be a whole number of generator updates >= 0, got {warmup!r}.")
    if decay is None:
        if warmup:
            raise InvalidArgumentError(f"`ema_warmup={warmup}` needs `ema_decay`, the moving average it delays.")
        return None, 0
    if isinstance(decay, bool) or not isinstance(decay, (int, float, np.number)) or not 0.0 < decay < 1.0:
        raise InvalidArgumentError(f"`ema_decay` must be a number between 0 and 1 (e.g. 0.999), got {decay!r}.")
    return float(decay), int(warmup)


def _averaged_copy(generator, build=None) -> keras.Model:
    """A second generator of the same structure starting from the same weights, to hold the
    moving average. Frozen, so its weights are non-trainable variables: no optimizer sees them,
    Keras' JAX trainer threads them through the compiled step as state, and they are saved
    with the model's weights (checkpoints, presets). `build` makes the default network again;
    a custom one is cloned (Keras' clone serializes every layer's config, which imports
    TensorFlow wherever it is installed, even on the other backends)."""
    ema = build() if build is not None else keras.models.clone_model(generator)
    for copy, source in zip(ema.weights, generator.weights):  # backend to backend: no NumPy round trip
        copy.assign(ops.copy(source.value))  # its own buffer: JAX donates each state once
    ema.trainable = False
    return ema


def _loss_scaled(optimizer):
    if not backend.LOSS_SCALING:
        raise InvalidArgumentError(
            f"mixed_float16 training needs loss scaling, which kerasgan supports on the tensorflow and jax backends only "
            f"(found {keras.backend.backend()}); use the mixed_bfloat16 policy, which needs none."
        )
    if isinstance(optimizer, keras.optimizers.LossScaleOptimizer):
        return optimizer
    return keras.optimizers.LossScaleOptimizer(optimizer, name=f"{optimizer.name}_loss_scaled")
