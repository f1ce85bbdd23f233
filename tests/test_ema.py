"""The generator's exponential moving average (`ema_decay`, `ema_warmup`): the closed form,
BatchNorm statistics, resume, presets, and that leaving it off changes nothing."""

import h5py
import keras
import numpy as np
import pytest

from kerasgan import GAN, presets
from kerasgan.callbacks import Checkpoint, resume
from kerasgan.errors import InvalidArgumentError

from helpers import batch, labels_for, make, weights

DECAY = 0.8


class RawWeights(keras.callbacks.Callback):
    """The raw generator's weights after every training step."""

    def __init__(self):
        super().__init__()
        self.steps = []

    def on_train_batch_end(self, batch, logs=None):
        self.steps.append(weights(self.model.generator.weights))


def fit(model, x, y=None, **kwargs):
    kwargs.setdefault("batch_size", 8)
    return model.fit(x, y, verbose=0, shuffle=False, **kwargs)


def split(model, values):
    """Splits values listed like `generator.weights` into (averaged, copied) lists."""
    trained = {id(v) for v in model.generator.trainable_weights}
    averaged = [a for a, v in zip(values, model.generator.weights) if id(v) in trained]
    copied = [a for a, v in zip(values, model.generator.weights) if id(v) not in trained]
    return averaged, copied


def closed_form(raw, decay, warmup):
    """EMA after k = len(raw) - 1 updates, written out rather than recursed:
    d^(k-w) raw_w + sum_{i=w+1..k} (1-d) d^(k-i) raw_i, raw_0 being the initial weights and
    w = min(warmup, k) the updates that copied the raw weights."""
    k = len(raw) - 1
    w = min(warmup, k)
    return [decay ** (k - w) * raw[w][j] + sum((1 - decay) * decay ** (k - i) * raw[i][j] for i in range(w + 1, k + 1))
            for j in range(len(raw[0]))]


@pytest.mark.parametrize("name, warmup", [("GAN", 0), ("DCGAN", 2), ("WGAN", 1), ("CGAN-dcgan", 3)])
def test_ema_equals_the_closed_form_after_k_steps(name, warmup):
    model = make(name, ema_decay=DECAY, ema_warmup=warmup)
    x, y = batch(model, n=40)  # 5 steps of 8
    recorder = RawWeights()
    initial = weights(model.generator.weights)
    np.testing.assert_array_equal(np.concatenate([a.ravel() for a in weights(model.ema_generator.weights)]),
                                  np.concatenate([a.ravel() for a in initial]))  # starts as a copy
    fit(model, x, y, epochs=1, callbacks=[recorder])
    raw = [split(model, w)[0] for w in [initial] + recorder.steps]
    assert len(raw) == 6 and int(keras.ops.convert_to_numpy(model.ema_updates)) == 5

    ema_averaged, ema_copied = split(model, weights(model.ema_generator.weights))
    for got, expected, last in zip(ema_averaged, closed_form(raw, DECAY, warmup), raw[-1], strict=True):
        np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)
    # The average lags the raw generator (it is not a copy), and BatchNorm's moving statistics are copied.
    assert not all(np.allclose(got, last) for got, last in zip(ema_averaged, raw[-1]))
    for got, expected in zip(ema_copied, split(model, recorder.steps[-1])[1], strict=True):
        np.testing.assert_array_equal(got, expected)

    # Sampling uses the EMA generator, unless asked for the raw one.
    labels = labels_for(model, 4)
    z = model.latent_vectors(4, seed=0)
    ema_out = keras.ops.convert_to_numpy(model.ema_generator(z if labels is None else [z, labels[:, None]]))
    np.testing.assert_allclose(model.sample(4, seed=0, labels=labels), ema_out, rtol=1e-5, atol=1e-6)
    assert not np.allclose(model.sample(4, seed=0, labels=labels, use_ema=False), ema_out)


def test_ema_off_changes_nothing():
    """No option: no extra variable, config key or weights group; with it on, the raw players
    train exactly as without it, and `use_ema=False` samples what the plain model samples."""
    plain, averaged = make("DCGAN"), make("DCGAN", ema_decay=0.9)
    assert plain.ema_generator is None
    assert not any(key.startswith("ema") for key in plain.get_config())
    assert {"ema_decay": 0.9, "ema_warmup": 0}.items() <= averaged.get_config().items()
    x, _ = batch(plain, n=24)
    for model in (plain, averaged):
        fit(model, x, epochs=1)

    ema_ids = {id(v) for v in averaged.ema_generator.weights} | {id(averaged.ema_updates)}
    rest = [v for v in averaged.non_trainable_variables if id(v) not in ema_ids]
    assert len(plain.non_trainable_variables) == len(rest)
    for a, b in zip(weights(plain.trainable_variables + plain.non_trainable_variables + plain.optimizer.variables),
                    weights(averaged.trainable_variables + rest + averaged.optimizer.variables), strict=True):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(plain.generate(4, seed=0), averaged.generate(4, seed=0, use_ema=False))
    np.testing.assert_array_equal(plain.generate(4, seed=0), plain.generate(4, seed=0, use_ema=True))


def test_resume_keeps_the_ema(tmp_path):
    """Train, checkpoint, continue in a fresh model of other initial weights: the same EMA as
    an uninterrupted run."""
    options = dict(ema_decay=DECAY, ema_warmup=1)
    reference = make("GAN", **options)
    x, _ = batch(reference, n=24)
    fit(reference, x, epochs=2)

    first = make("GAN", **options)
    fit(first, x, epochs=1, callbacks=[Checkpoint(tmp_path)])
    fresh = make("GAN", seed=1234, **options)
    assert not np.allclose(weights(fresh.ema_generator.weights)[0], weights(reference.ema_generator.weights)[0])
    assert resume(fresh, tmp_path) == 1
    fit(fresh, x, epochs=2, initial_epoch=1)

    assert int(keras.ops.convert_to_numpy(fresh.ema_updates)) == 6
    for a, b in zip(weights(fresh.ema_generator.weights), weights(reference.ema_generator.weights), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_preset_keeps_the_ema_and_the_raw_generator(tmp_path):
    model = make("CGAN", ema_decay=0.9, ema_warmup=2)
    x, y = batch(model, n=24)
    fit(model, x, y, epochs=1)
    folder = presets.save_preset(model, tmp_path / "preset")
    with h5py.File(folder / presets.WEIGHTS_FILE, "r") as f:
        assert {"generator", "ema_generator", "discriminator"} <= set(f)

    loaded = presets.load_preset(folder)
    assert (loaded.ema_decay, loaded.ema_warmup) == (0.9, 2)
    assert int(keras.ops.convert_to_numpy(loaded.ema_updates)) == 3  # fine-tuning continues the warm-up count
    for net in ("generator", "ema_generator"):
        for a, b in zip(weights(getattr(loaded, net).weights), weights(getattr(model, net).weights), strict=True):
            np.testing.assert_array_equal(a, b)
    labels = labels_for(model, 4)
    for use_ema in (True, False):
        np.testing.assert_array_equal(loaded.generate(4, seed=0, labels=labels, use_ema=use_ema),
                                      model.generate(4, seed=0, labels=labels, use_ema=use_ema))


def test_custom_networks_get_an_averaged_copy():
    donor = make("GAN", compile=False)
    model = GAN(generator=donor.generator, discriminator=donor.discriminator, ema_decay=0.99)
    assert model.ema_generator is not model.generator
    assert not model.ema_generator.trainable_weights
    assert len(model.trainable_variables) == len(donor.generator.trainable_weights + donor.discriminator.trainable_weights)
    np.testing.assert_array_equal(model.generate(2, seed=0), model.generate(2, seed=0, use_ema=False))


@pytest.mark.parametrize("options, message", [
    (dict(ema_decay=1.0), "`ema_decay` must be a number between 0 and 1"),
    (dict(ema_decay=0), "`ema_decay` must be a number between 0 and 1"),
    (dict(ema_decay="0.9"), "`ema_decay` must be a number between 0 and 1"),
    (dict(ema_decay=0.9, ema_warmup=-1), "`ema_warmup` must be a whole number"),
    (dict(ema_decay=0.9, ema_warmup=1.5), "`ema_warmup` must be a whole number"),
    (dict(ema_warmup=10), "needs `ema_decay`"),
])
def test_bad_ema_options(options, message):
    with pytest.raises(InvalidArgumentError, match=message):
        make("GAN", compile=False, **options)
