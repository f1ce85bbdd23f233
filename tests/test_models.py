"""Correctness of every variant on the current backend (KERAS_BACKEND)."""

import os
import re
import subprocess
import sys

import keras
import numpy as np
import pytest
from keras import ops

import kerasgan
from kerasgan import losses
from helpers import TINY_VARIANTS, batch, labels_for, make, weights

ALL = list(TINY_VARIANTS)


def _fit(model, x, y, **kwargs):
    return model.fit(x, y, batch_size=8, epochs=1, verbose=0, shuffle=False, **kwargs)


@pytest.mark.parametrize("name", ALL)
def test_shapes_and_ranges(name):
    model = make(name)
    images = model.generate(5, seed=1, labels=labels_for(model, 5))
    assert images.shape == (5,) + model.data_shape and images.dtype == np.uint8
    raw = model.sample(5, seed=1, labels=labels_for(model, 5))
    low, high = model.output_range
    assert raw.dtype == np.float32 and raw.min() >= low and raw.max() <= high
    x, y = batch(model, 4)
    scores = model.discriminator(x if y is None else [x, y.reshape(-1, 1)])
    assert tuple(scores.shape) == (4, 1)


@pytest.mark.parametrize("name", ALL)
def test_each_step_changes_only_its_own_player(name):
    # WGAN's clipping would move the initial critic weights by itself: clip far away here
    extra = {"clip_value": 10.0} if name == "WGAN" else {}
    x, y = batch(make(name, compile=False), 16)
    for frozen in ("g", "d"):
        model = make(name, compile=False, **extra)
        rates = {"d": 1e-2, "g": 1e-2, frozen: 0.0}
        model.compile(keras.optimizers.Adam(rates["d"]), keras.optimizers.Adam(rates["g"]))
        g0, d0 = weights(model.generator.trainable_variables), weights(model.discriminator.trainable_variables)
        _fit(model, x, y)
        g1, d1 = weights(model.generator.trainable_variables), weights(model.discriminator.trainable_variables)
        g_changed = any(not np.array_equal(a, b) for a, b in zip(g0, g1))
        d_changed = any(not np.array_equal(a, b) for a, b in zip(d0, d1))
        if frozen == "g":  # only the D optimizer can move anything: G must stay put
            assert d_changed and not g_changed
        else:
            assert g_changed and not d_changed


def test_wgan_critic_weights_stay_clipped_after_every_step():
    model = make("WGAN", compile=False, clip_value=0.01)
    model.compile(keras.optimizers.RMSprop(5e-3), keras.optimizers.RMSprop(5e-3))
    x, _ = batch(model, 32)

    class CheckClip(keras.callbacks.Callback):
        seen = 0

        def on_train_batch_end(self, step, logs=None):
            # self.model, not the closure: on JAX it syncs the trainer's state into the variables
            critic = self.model.discriminator.trainable_variables
            values = np.concatenate([np.ravel(w) for w in weights(critic)])
            assert np.abs(values).max() <= 0.01 + 1e-7
            CheckClip.seen += 1

    _fit(model, x, None, callbacks=[CheckClip()])
    assert CheckClip.seen == 4
    values = np.concatenate([np.ravel(w) for w in weights(model.discriminator.trainable_variables)])
    assert np.isclose(np.abs(values).max(), 0.01)  # clipping was active, not vacuous


def _fixed_critic(weight_vector, squared):
    """A critic whose input gradient is known: sum_i w_i x_i (gradient w) or
    sum_i w_i x_i^2 (gradient 2 w x)."""
    inp = keras.Input((4,))
    x = keras.layers.Multiply()([inp, inp]) if squared else inp
    dense = keras.layers.Dense(1, use_bias=False)
    out = dense(x)
    critic = keras.Model(inp, out)
    dense.kernel.assign(weight_vector.reshape(4, 1))
    return critic


@pytest.mark.parametrize("squared", [False, True])
def test_gradient_penalty_equals_closed_form(squared):
    w = np.array([0.5, -1.0, 2.0, 0.25], "float32")
    generator = kerasgan.networks.mlp_generator(3, (4,), (4,), batch_norm=False, output_activation="linear", seed=0)
    model = kerasgan.WGANGP(generator=generator, discriminator=_fixed_critic(w, squared), gp_weight=10.0, seed=0)
    x = np.array([[1.0, 2.0, 0.0, -1.0], [0.1, 0.2, 0.3, 0.4], [3.0, -2.0, 1.0, 0.5]], "float32")
    # real == fake makes every interpolate equal to x, whatever the random mixing weights
    penalty = float(ops.convert_to_numpy(model.gradient_penalty(ops.convert_to_tensor(x), ops.convert_to_tensor(x))))
    grads = 2 * w * x if squared else np.tile(w, (3, 1))
    expected = 10.0 * np.mean((np.linalg.norm(grads, axis=1) - 1.0) ** 2)
    assert penalty == pytest.approx(expected, rel=1e-5)


def test_minimax_and_least_squares_losses_equal_their_formulas():
    real = np.array([[2.0], [-0.5], [0.3]], "float32")
    fake = np.array([[-1.0], [0.7], [1.5]], "float32")
    sig = lambda v: 1 / (1 + np.exp(-v.astype("float64")))  # noqa: E731
    value = lambda t: float(ops.convert_to_numpy(t))  # noqa: E731
    assert value(losses.minimax_discriminator_loss(real, fake)) == pytest.approx(
        -np.mean(np.log(sig(real))) - np.mean(np.log(1 - sig(fake))), rel=1e-5)
    assert value(losses.minimax_generator_loss(fake)) == pytest.approx(-np.mean(np.log(sig(fake))), rel=1e-5)
    a, b, c = 0.0, 1.0, 0.5
    assert value(losses.least_squares_discriminator_loss(real, fake, a, b)) == pytest.approx(
        0.5 * np.mean((real - b) ** 2) + 0.5 * np.mean((fake - a) ** 2), rel=1e-6)
    assert value(losses.least_squares_generator_loss(fake, c)) == pytest.approx(0.5 * np.mean((fake - c) ** 2), rel=1e-6)
    assert value(losses.wasserstein_critic_loss(real, fake)) == pytest.approx(np.mean(fake) - np.mean(real), rel=1e-6)
    assert value(losses.gradient_penalty(np.array([[3.0, 4.0], [0.0, 0.5]], "float32"), 2.0)) == pytest.approx(
        2.0 * np.mean([(5.0 - 1) ** 2, (0.5 - 1) ** 2]), rel=1e-5)


@pytest.mark.parametrize("name", ALL)
def test_save_load_roundtrip_gives_identical_images_and_optimizer_state(name, tmp_path):
    model = make(name)
    x, y = batch(model, 16)
    _fit(model, x, y)
    path = tmp_path / "model.keras"
    model.save(path)
    loaded = keras.saving.load_model(path)  # safe_mode=True: no code is executed
    assert type(loaded) is type(model)
    labels = labels_for(model, 6)
    np.testing.assert_array_equal(loaded.generate(6, seed=3, labels=labels), model.generate(6, seed=3, labels=labels))
    for a, b in zip(weights(model.d_optimizer.variables + model.g_optimizer.variables),
                    weights(loaded.d_optimizer.variables + loaded.g_optimizer.variables)):
        np.testing.assert_array_equal(a, b)
    assert int(ops.convert_to_numpy(loaded.g_optimizer.iterations)) == 2
    # and the weights-only round trip
    model.save_weights(tmp_path / "model.weights.h5")
    fresh = make(name, seed=123)
    fresh.load_weights(tmp_path / "model.weights.h5")
    np.testing.assert_array_equal(fresh.generate(6, seed=3, labels=labels), model.generate(6, seed=3, labels=labels))


@pytest.mark.parametrize("name", ["GAN", "WGANGP", "CGAN"])
def test_same_seed_same_run(name):
    runs = []
    for _ in range(2):
        model = make(name, seed=7)
        x, y = batch(model, 16)
        history = _fit(model, x, y)
        runs.append((history.history, model.generate(4, seed=0, labels=labels_for(model, 4))))
    assert runs[0][0] == runs[1][0]
    np.testing.assert_array_equal(runs[0][1], runs[1][1])
    other = make(name, seed=8)
    assert not np.array_equal(other.generate(4, seed=0, labels=labels_for(other, 4)), runs[0][1])


def test_training_noise_differs_between_steps():
    """The seed generator's state is threaded through the step: two steps see new noise."""
    model = make("GAN", seed=0)
    x, y = batch(model, 16)
    history = model.fit(x, y, batch_size=8, epochs=2, verbose=0, shuffle=False)
    state = np.asarray(ops.convert_to_numpy(model.seed_generator.state.value))
    assert state[0] != 0 or state[1] != 0
    assert len(set(np.round(history.history["d_loss"], 6))) == 2


def test_generate_is_repeatable_per_seed():
    model = make("DCGAN")
    np.testing.assert_array_equal(model.generate(3, seed=5), model.generate(3, seed=5))
    assert not np.array_equal(model.generate(3, seed=5), model.generate(3, seed=6))


CROSS_BACKEND = """
import sys, numpy as np
sys.path.insert(0, {tests!r})
from helpers import make, labels_for
for name in ("DCGAN", "CGAN-dcgan", "GAN"):
    model = make(name, seed=99, compile=False)
    model.load_weights({path!r} + "/" + name + ".weights.h5")
    np.save({path!r} + "/" + name + ".other.npy", model.generate(8, seed=4, labels=labels_for(model, 8)))
"""


def test_weights_load_across_backends(tmp_path):
    expected = {}
    for name in ("DCGAN", "CGAN-dcgan", "GAN"):
        model = make(name, seed=1)
        x, y = batch(model, 16)
        _fit(model, x, y)
        model.save_weights(tmp_path / f"{name}.weights.h5")
        expected[name] = model.generate(8, seed=4, labels=labels_for(model, 8))
    script = CROSS_BACKEND.format(tests=os.path.dirname(__file__), path=str(tmp_path))
    for other in {"tensorflow", "jax", "torch"} - {keras.backend.backend()}:
        env = dict(os.environ, KERAS_BACKEND=other)
        done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr[-2000:]
        for name, images in expected.items():
            got = np.load(tmp_path / f"{name}.other.npy")
            # the same float maths up to rounding order: at most one grey level apart, rarely
            diff = np.abs(got.astype(int) - images.astype(int))
            assert diff.max() <= 1 and (diff > 0).mean() < 0.01, (other, name, diff.max(), (diff > 0).mean())


@pytest.mark.parametrize("policy", ["mixed_float16", "mixed_bfloat16"])
def test_mixed_precision_dcgan(policy):
    keras.mixed_precision.set_dtype_policy(policy)
    try:
        model = make("DCGAN", compile=False)
        if policy == "mixed_float16" and keras.backend.backend() == "torch":
            with pytest.raises(ValueError, match="loss scaling"):
                model.compile()
            return
        model.compile()  # on torch, refused only where torch cannot (test below)
        if policy == "mixed_float16":
            assert isinstance(model.d_optimizer, keras.optimizers.LossScaleOptimizer)
            assert isinstance(model.g_optimizer, keras.optimizers.LossScaleOptimizer)
        assert model.generator.layers[-2].compute_dtype in ("float16", "bfloat16")
        x, _ = batch(model, 16)
        history = _fit(model, x, None)
        assert all(np.isfinite(v[-1]) for v in history.history.values())
        assert all(v.dtype == "float32" for v in model.generator.trainable_variables)
        assert model.generate(2, seed=0).dtype == np.uint8
    finally:
        keras.mixed_precision.set_dtype_policy("float32")


@pytest.mark.skipif(keras.backend.backend() == "torch", reason="mixed_float16 is refused on torch (test above)")
def test_loss_scaling_skips_an_overflowing_step_halves_its_scale_then_trains():
    """The dynamic loss scale at work inside the compiled step: a scale so large that float16
    gradients overflow leaves D's weights as they were, its Adam unstepped, and halves the scale;
    a sane one trains."""
    keras.mixed_precision.set_dtype_policy("mixed_float16")
    try:
        model = make("DCGAN", compile=False)
        scaled = [keras.optimizers.LossScaleOptimizer(keras.optimizers.Adam(2e-4, beta_1=0.5), initial_scale=scale)
                  for scale in (2.0**60, 2.0**8)]
        model.compile(*scaled)
        x, _ = batch(model, 8)
        before = weights(model.discriminator.trainable_variables)
        _fit(model, x, None)  # one step
        assert float(scaled[0].dynamic_scale) == 2.0**59
        for b, a in zip(before, weights(model.discriminator.trainable_variables)):
            np.testing.assert_array_equal(a, b)
        assert int(scaled[0].inner_optimizer.iterations) == 0  # Adam never ran
        assert float(scaled[1].dynamic_scale) == 2.0**8 and int(scaled[1].inner_optimizer.iterations) == 1
        model.d_optimizer.dynamic_scale.assign(2.0**8)
        _fit(model, x, None)
        assert any(np.abs(a - b).max() > 0 for b, a in zip(before, weights(model.discriminator.trainable_variables)))
    finally:
        keras.mixed_precision.set_dtype_policy("float32")


@pytest.mark.skipif(keras.backend.backend() != "torch", reason="a torch build's bfloat16 CPU convolutions")
def test_bfloat16_training_is_refused_only_where_torch_cannot_backpropagate_it(monkeypatch):
    import torch

    from kerasgan.backend import torch as torch_backend

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    # the probe: a tiny bfloat16 step through both convolutions, as Keras and kerasgan call them
    works = torch_backend._bfloat16_cpu_convolution_error() is None
    keras.mixed_precision.set_dtype_policy("mixed_bfloat16")
    try:
        if works:  # then a DCGAN trains (test_mixed_precision_dcgan) and a GAN without convolutions too
            make("DCGAN", compile=False).compile()
        monkeypatch.setattr(torch_backend, "_bfloat16_cpu_convolution_error", lambda: "grad_weight must be contiguous")
        with pytest.raises(ValueError, match=r"PyTorch .*'s CPU convolutions cannot backpropagate in bfloat16 "
                                             r"\(torch says: grad_weight must be contiguous\)") as err:
            make("DCGAN", compile=False).compile()
        assert "\n" not in str(err.value)
        make("GAN", compile=False).compile()  # no convolutions: nothing to refuse
    finally:
        keras.mixed_precision.set_dtype_policy("float32")


# ----------------------------------------------------------------- bad input
def test_wrong_image_shape_or_channels_is_one_clear_sentence():
    model = make("DCGAN")
    with pytest.raises(ValueError, match=r"expects images with 3 channel\(s\), got 1") as err:
        model.fit(np.zeros((8, 16, 16, 1), "float32"), epochs=1, verbose=0)
    assert "\n" not in str(err.value)
    with pytest.raises(ValueError, match=r"expects training data of shape \(16, 16, 3\) per sample, got \(32, 32, 3\)"):
        model.fit(np.zeros((8, 32, 32, 3), "float32"), epochs=1, verbose=0)
    import tensorflow as tf

    ds = tf.data.Dataset.from_tensor_slices(np.zeros((8, 8, 8, 3), "float32")).batch(4)
    with pytest.raises(ValueError, match="expects training data of shape"):
        model.fit(ds, epochs=1, verbose=0)


def test_labels_missing_or_unexpected():
    cgan, gan = make("CGAN"), make("GAN")
    x, y = batch(cgan, 8)
    with pytest.raises(ValueError, match="conditional: pass class labels"):
        cgan.fit(x, epochs=1, verbose=0)
    with pytest.raises(ValueError, match="unconditional and takes no labels"):
        gan.fit(x, y, epochs=1, verbose=0)
    with pytest.raises(ValueError, match="conditional: pass `labels`"):
        cgan.generate(4)
    with pytest.raises(ValueError, match="unconditional and takes no labels"):
        gan.generate(4, labels=[1, 2, 3, 4])
    with pytest.raises(ValueError, match=r"lie in 0..2"):
        cgan.generate(2, labels=[0, 5])


@pytest.mark.parametrize("n", [0, -3, 2.5, True])
def test_bad_count(n):
    with pytest.raises(ValueError, match="`n` must be a positive whole number"):
        make("GAN").generate(n)


def test_unknown_options():
    with pytest.raises(ValueError, match="`activation` must be one of 'relu', 'selu', got 'tanh'"):
        kerasgan.DCGAN(activation="tanh")
    with pytest.raises(ValueError, match="unknown option\\(s\\) filterz; its options are image_size"):
        kerasgan.DCGAN(filterz=3)
    with pytest.raises(ValueError, match="image_size"):
        kerasgan.DCGAN(image_size=48 + 2)
    with pytest.raises(ValueError, match="distinct targets"):
        kerasgan.LSGAN(a=1.0, b=1.0)
    with pytest.raises(ValueError, match="`conditioning` must be one of .*'projection'.*, got 'product'"):
        kerasgan.CGAN(conditioning="product")


@pytest.mark.parametrize("architecture", ["mlp", "dcgan"])
def test_projection_discriminator_scores_with_the_label(architecture):
    """D's score is psi(h) + <embed(y), h>: the same images score differently under other labels,
    by exactly the difference of the class embeddings projected onto the features."""
    name = "CGAN" if architecture == "mlp" else "CGAN-projection"
    model = make(name, conditioning="projection")
    d = model.discriminator
    x, _ = batch(model, 4)
    scores = [keras.ops.convert_to_numpy(d([x, np.full((4, 1), k)], training=False)) for k in range(3)]
    features = keras.ops.convert_to_numpy(keras.Model(d.inputs, d.get_layer("features").output)([x, np.zeros((4, 1))]))
    table = keras.ops.convert_to_numpy(d.get_layer("projection_embedding").embeddings)
    np.testing.assert_allclose(scores[1] - scores[0], (features @ (table[1] - table[0]))[:, None], rtol=1e-4, atol=1e-5)


def _bad_values(kind, model):
    x, y = batch(model, 8)
    if kind == "nan":
        x[3, 0, 0] = np.nan
    elif kind == "inf":
        x[5, 1, 1] = -np.inf
    elif kind == "uint8":
        x = ((x + 1) * 127.5).astype("uint8")
    elif kind == "0..255 floats":
        x = (x + 1) * 127.5
    elif kind == "label too large":
        y[2] = model.num_classes
    elif kind == "negative label":
        y[0] = -1
    elif kind == "fractional label":
        y = y.astype("float32")
        y[1] = 1.5
    return x, y


BAD_VALUES = {
    "nan": r"the training images hold 1 NaN or infinite value",
    "inf": r"the training images hold 1 NaN or infinite value",
    "uint8": r"CGAN trains on float images in \[-1, 1\] \(the range of its tanh output\), but the training "
             r"images are uint8 pixels; scale them with kerasgan.images.from_uint8\(images\)\.",
    "0..255 floats": r"CGAN trains on values in \[-1, 1\] \(the range of its tanh output\), but the training "
                     r"images span 0.07667..254.3 \(0..255 pixels\? map them with x / 127.5 - 1\)\.",
    "label too large": r"CGAN has 3 classes, so labels must lie in 0..2, but the training labels span 0..3",
    "negative label": r"labels must lie in 0..2, but the training labels span -1..",
    "fractional label": r"whole class ids in 0..2, but the training labels hold 1 fractional .* e.g. 1.5",
}


@pytest.mark.parametrize("kind", sorted(BAD_VALUES))
def test_fit_refuses_bad_values_and_labels_up_front(kind):
    """The same sentence on every backend, before any step runs (on TensorFlow, labels out of
    range used to be a graph error, on PyTorch an IndexError, on JAX silent NaN losses)."""
    from kerasgan.errors import DataError

    model = make("CGAN")
    before = weights(model.trainable_variables)
    x, y = _bad_values(kind, model)
    with pytest.raises(DataError, match=BAD_VALUES[kind].replace("the training", "[Tt]he training")) as caught:
        model.fit(x, y, batch_size=4, epochs=1, verbose=0)
    assert "\n" not in str(caught.value)
    for a, b in zip(weights(model.trainable_variables), before, strict=True):
        np.testing.assert_array_equal(a, b)


def test_fit_checks_the_first_batch_of_a_dataset():
    tf = pytest.importorskip("tensorflow")
    from kerasgan.errors import DataError

    model = make("CGAN")
    x, y = batch(model, 8)
    bad_images = x.copy()
    bad_images[0, 0, 0] = np.nan
    with pytest.raises(DataError, match="The images of the dataset's first batch hold 1 NaN"):
        model.fit(tf.data.Dataset.from_tensor_slices((bad_images, y)).batch(4), epochs=1, verbose=0)
    with pytest.raises(DataError, match="labels must lie in 0..2, but the labels of the dataset's first batch span 0..3"):
        model.fit(tf.data.Dataset.from_tensor_slices((x, np.arange(8))).batch(4), epochs=1, verbose=0)
    gan = make("DCGAN")
    pixels = tf.data.Dataset.from_tensor_slices(np.full((8,) + gan.data_shape, 200, "uint8")).batch(4)
    with pytest.raises(DataError, match="uint8 pixels"):
        gan.fit(pixels, epochs=1, verbose=0)


def test_the_uint8_advice_names_a_current_function_that_fixes_the_data():
    import importlib
    import warnings

    from kerasgan.errors import DataError

    model = make("DCGAN")
    pixels = np.full((8,) + model.data_shape, 200, "uint8")
    with pytest.raises(DataError) as caught:
        model.fit(pixels, batch_size=4, epochs=1, verbose=0)
    module, name = re.search(r"(kerasgan\.\w+)\.(\w+)\(images\)", str(caught.value)).groups()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # not a deprecated alias
        scale = getattr(importlib.import_module(module), name)
    model.fit(scale(pixels), batch_size=4, epochs=1, verbose=0)


class _Batches(keras.utils.PyDataset):
    def __init__(self, x, y=None, batch_size=4):
        super().__init__()
        self.x, self.y, self.batch_size = x, y, batch_size

    def __len__(self):
        return len(self.x) // self.batch_size

    def __getitem__(self, i):
        part = slice(i * self.batch_size, (i + 1) * self.batch_size)
        return self.x[part] if self.y is None else (self.x[part], self.y[part])


def test_fit_checks_the_first_batch_of_a_py_dataset():
    from kerasgan.errors import DataError

    model = make("CGAN")
    x, y = batch(model, 8)
    bad_images = x.copy()
    bad_images[1, 0, 0] = np.inf
    with pytest.raises(DataError, match="The images of the dataset's first batch hold 1 NaN or infinite"):
        model.fit(_Batches(bad_images, y), epochs=1, verbose=0)
    with pytest.raises(DataError, match="labels must lie in 0..2, but the labels of the dataset's first batch span 0..3"):
        model.fit(_Batches(x, np.arange(8)), epochs=1, verbose=0)
    with pytest.raises(DataError, match="is conditional: pass class labels"):
        model.fit(_Batches(x), epochs=1, verbose=0)
    model.fit(_Batches(x, y), epochs=1, verbose=0)  # and good batches train


def test_fit_checks_the_first_sample_of_a_torch_data_loader():
    torch = pytest.importorskip("torch")
    from torch.utils.data import DataLoader, TensorDataset

    from kerasgan.errors import DataError

    model = make("DCGAN")
    x, _ = batch(model, 8)
    nchw = torch.from_numpy(x).permute(0, 3, 1, 2).contiguous()  # a torchvision habit
    h, w, c = model.data_shape
    with pytest.raises(DataError, match=re.escape(f"of shape {(h, w, c)} per sample, got {(c, h, w)}.")):
        model.fit(DataLoader(TensorDataset(nchw), batch_size=4), epochs=1, verbose=0)
    pixels = torch.full((8,) + model.data_shape, 200, dtype=torch.uint8)
    with pytest.raises(DataError, match="uint8 pixels"):
        model.fit(DataLoader(TensorDataset(pixels), batch_size=4), epochs=1, verbose=0)


def test_fit_value_checks_sample_huge_arrays(monkeypatch):
    """Past FULL_CHECK_ELEMENTS the check reads evenly spaced images only (and stays cheap)."""
    from kerasgan.errors import DataError
    from kerasgan.models import base

    model = make("GAN")
    x = np.zeros((100,) + model.data_shape, "float32")
    x[1, 0, 0] = np.nan  # not among the sampled images 0, 2, 4, ...
    x[50, 0, 0] = 7.0  # sampled
    monkeypatch.setattr(base, "FULL_CHECK_ELEMENTS", x.size // 2)
    with pytest.raises(DataError, match=r"span 0..7"):
        model._check_training_data(x, None)


def test_balanced_labels_cycle_through_every_class():
    assert make("CGAN").balanced_labels(7).tolist() == [0, 1, 2, 0, 1, 2, 0]
    assert make("GAN").balanced_labels(7) is None
    with pytest.raises(ValueError, match="`n` must be a positive whole number"):
        make("CGAN").balanced_labels(0)
