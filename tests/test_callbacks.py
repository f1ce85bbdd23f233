"""Callbacks: sample grids, checkpoint/resume (atomic, exact trajectory), TensorBoard, monitor."""

import logging
import math

import keras
import numpy as np
import pytest
from PIL import Image

import kerasgan
from kerasgan.callbacks import checkpoint as checkpoint_module
from kerasgan.callbacks import Checkpoint, SampleGrid, TrainingMonitor, load_checkpoint, resume
from kerasgan.errors import IntegrityError

from helpers import TINY_FC, weights


def tiny(seed=0, compile=True, **overrides):
    model = kerasgan.GAN(seed=seed, **{**TINY_FC, **overrides})
    if compile:
        model.compile()
    return model


def data(n=48, seed=0):
    return np.random.default_rng(seed).uniform(-1, 1, (n,) + TINY_FC["data_shape"]).astype("float32")


def state(model):
    """Every variable a continued run depends on, as numpy."""
    return weights(model.trainable_variables + model.non_trainable_variables
                   + model.d_optimizer.variables + model.g_optimizer.variables)


def assert_state_equal(a, b):
    for x, y in zip(state(a), state(b), strict=True):
        np.testing.assert_array_equal(x, y)


class BatchLogs(keras.callbacks.Callback):
    """Records every step's logs as {epoch: [logs, ...]}."""

    def __init__(self):
        super().__init__()
        self.epochs = {}

    def on_epoch_begin(self, epoch, logs=None):
        self.epochs[epoch] = []

    def on_train_batch_end(self, batch, logs=None):
        self.epochs[self._epoch_of()].append({k: float(v) for k, v in logs.items()})

    def _epoch_of(self):
        return max(self.epochs)


class CrashAt(keras.callbacks.Callback):
    """Kills a fit() at (epoch, batch), after the callbacks listed before it ran."""

    def __init__(self, epoch, batch):
        super().__init__()
        self.at, self.epoch = (epoch, batch), None

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        if (self.epoch, batch) == self.at:
            raise KeyboardInterrupt("simulated crash")


def fit(model, x, **kwargs):
    kwargs.setdefault("batch_size", 8)
    return model.fit(x, verbose=0, shuffle=False, **kwargs)


# ------------------------------------------------------------------------ SampleGrid
def test_sample_grid_writes_pngs_and_gif_with_one_frame_per_grid(tmp_path):
    model = tiny()
    grid = SampleGrid(tmp_path / "samples", n=16, seed=3)
    fit(model, data(), epochs=3, callbacks=[grid])
    pngs = sorted(p.name for p in (tmp_path / "samples").glob("*.png"))
    assert pngs == ["epoch_0001.png", "epoch_0002.png", "epoch_0003.png"]
    with Image.open(tmp_path / "samples" / "epoch_0003.png") as im:
        last = np.asarray(im)
    assert last.shape == (4 * 10 + 2, 4 * 10 + 2)  # 4x4 grid of 8x8 images, 2px padding
    with Image.open(tmp_path / "samples" / "progress.gif") as gif:
        assert gif.n_frames == 3
    # Fixed latent vectors: the same weights give the same grid, also in a fresh model.
    np.testing.assert_array_equal(grid.render()[..., 0], last)
    model.save_weights(tmp_path / "w.weights.h5")
    other = tiny(seed=7, compile=False)
    other.load_weights(tmp_path / "w.weights.h5")
    np.testing.assert_array_equal(SampleGrid(tmp_path / "x", n=16, seed=3).render(other)[..., 0], last)
    assert not np.array_equal(SampleGrid(tmp_path / "x", n=16, seed=4).render(other)[..., 0], last)


def test_a_grid_cut_short_by_a_killed_run_is_left_out_of_the_gif(tmp_path):
    """A run killed while writing epoch 1's grid left half a PNG; the resumed run's GIF goes on
    without it, saying so, and leaves no temporary files behind."""
    folder = tmp_path / "samples"
    folder.mkdir()
    (folder / "epoch_0001.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 20)
    model = tiny()
    with pytest.warns(UserWarning, match=r"Leaving epoch_0001\.png out of progress\.gif: it is not a readable image"):
        fit(model, data(), epochs=3, initial_epoch=1, callbacks=[SampleGrid(folder, n=4, seed=3)])
    with Image.open(folder / "progress.gif") as gif:
        assert gif.n_frames == 2
    assert sorted(p.name for p in folder.iterdir()) == ["epoch_0001.png", "epoch_0002.png", "epoch_0003.png",
                                                         "progress.gif"]


def test_sample_grid_every_n_epochs_and_conditional_labels(tmp_path):
    model = kerasgan.CGAN(num_classes=3, seed=0, **TINY_FC)
    grid = SampleGrid(tmp_path, n=9, every_n_epochs=2, gif=False)
    grid.set_model(model)  # the hooks fit() would call, without its compile time
    grid.on_train_begin()
    for epoch in range(4):
        grid.on_epoch_end(epoch)
    grid.on_train_end()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["epoch_0002.png", "epoch_0004.png"]
    np.testing.assert_array_equal(grid._y, [0, 1, 2] * 3)
    with pytest.raises(ValueError, match="unconditional"):
        SampleGrid(tmp_path, labels=[0] * 64)._prepare(tiny(compile=False))


# ------------------------------------------------------------------------ Checkpoint
def test_checkpoint_holds_both_optimizers_seed_state_epoch_and_step(tmp_path):
    model = tiny(d_dropout=0.3)  # Dropout has a seed generator of its own
    fit(model, data(), epochs=2, callbacks=[Checkpoint(tmp_path)])
    path = Checkpoint.latest(tmp_path)
    assert path.name == "ckpt-000000012-epoch0002.weights.h5"
    fresh = tiny(seed=99, d_dropout=0.3)
    assert int(keras.ops.convert_to_numpy(fresh.seed_generator.state)[1]) == 0
    info = load_checkpoint(fresh, path)
    assert (info.epoch, info.step, info.epoch_end) == (2, 12, True)
    assert set(info.logs) == {"d_loss", "g_loss", "d_real", "d_fake"}
    assert_state_equal(fresh, model)  # includes the seed states and both optimizers
    assert int(keras.ops.convert_to_numpy(fresh.d_optimizer.iterations)) == 12
    with pytest.raises(ValueError, match="Compile"):
        load_checkpoint(tiny(compile=False), path)


def test_checkpoint_keeps_the_newest_and_the_newest_epoch_end(tmp_path):
    model = tiny()
    fit(model, data(), epochs=2, callbacks=[Checkpoint(tmp_path, every_n_steps=4, keep=2)])
    # steps 4, 6 (epoch end), 8, 12 (epoch end; replaces the step-12 file)
    assert [p.name for p in Checkpoint.files(tmp_path)] == [
        "ckpt-000000008.weights.h5", "ckpt-000000012-epoch0002.weights.h5"]
    steps_only = Checkpoint(tmp_path, every_n_steps=5, every_n_epochs=None, keep=1)
    fit(model, data(), epochs=3, initial_epoch=2, callbacks=[steps_only])
    # keep=1 still keeps the newest epoch end, which resume() needs
    assert [p.name for p in Checkpoint.files(tmp_path)] == [
        "ckpt-000000012-epoch0002.weights.h5", "ckpt-000000015.weights.h5"]


def test_a_crash_mid_write_leaves_the_previous_checkpoint_as_latest(tmp_path, monkeypatch):
    model = tiny()
    ckpt = Checkpoint(tmp_path)
    fit(model, data(), epochs=1, callbacks=[ckpt])
    good = Checkpoint.latest(tmp_path)
    snapshot = state(model)

    def dies_mid_write(path, model, metadata):  # the weights are on disk, the rest is not
        with open(path, "r+b") as f:
            f.truncate(1000)
        raise OSError("disk full")

    monkeypatch.setattr(checkpoint_module, "_write_training_state", dies_mid_write)
    with pytest.raises(OSError, match="disk full"):
        fit(model, data(), epochs=2, initial_epoch=1, callbacks=[ckpt])
    monkeypatch.undo()
    assert [p.name for p in tmp_path.iterdir()] == [good.name]  # no partial file left behind
    assert Checkpoint.latest(tmp_path) == good

    # A hard kill skips the cleanup: what it can leave is a temp file, never taken for a
    # checkpoint, and removed by the next run; a broken file under a checkpoint's name
    # (disk corruption) is skipped with a warning.
    (tmp_path / ".ckpt-tmp-abc.weights.h5").write_bytes(good.read_bytes()[:1000])
    (tmp_path / "ckpt-000000099-epoch0009.weights.h5").write_bytes(good.read_bytes()[:1000])
    with pytest.warns(UserWarning, match="unreadable checkpoint"):
        assert Checkpoint.latest(tmp_path) == good
    fresh = tiny(seed=5)
    with pytest.warns(UserWarning, match="damaged checkpoint ckpt-000000099"):
        assert resume(fresh, tmp_path) == 1
    for x, y in zip(state(fresh), snapshot, strict=True):
        np.testing.assert_array_equal(x, y)
    ckpt.on_train_begin()
    assert not (tmp_path / ".ckpt-tmp-abc.weights.h5").exists()


def test_resume_from_an_empty_folder_starts_at_epoch_zero(tmp_path):
    assert resume(tiny(), tmp_path / "none") == 0


def test_checkpoint_skips_non_finite_state(tmp_path):
    model = tiny()
    ckpt = Checkpoint(tmp_path)
    ckpt.set_model(model)
    assert ckpt._save_if_finite(True, {"d_loss": float("nan")}, "epoch 1") is None
    model.generator.trainable_variables[0].assign(np.full(model.generator.trainable_variables[0].shape, np.inf))
    assert ckpt._save_if_finite(True, {"d_loss": 0.5}, "epoch 1") is None
    assert Checkpoint.files(tmp_path) == []


def test_resumed_run_continues_the_same_trajectory(tmp_path):
    """An uninterrupted 2-epoch run against one killed inside epoch 2 and continued by a
    freshly built model: epoch 2's step logs and the final state must agree."""
    x = data()
    reference, expected = tiny(d_dropout=0.3), BatchLogs()  # Dropout: a second seed generator
    fit(reference, x, epochs=2, callbacks=[expected])

    crashed = tiny(d_dropout=0.3)
    with pytest.raises(KeyboardInterrupt):
        fit(crashed, x, epochs=2, callbacks=[Checkpoint(tmp_path, every_n_steps=2), CrashAt(1, 3)])
    del crashed
    assert Checkpoint.latest(tmp_path).name == "ckpt-000000010.weights.h5"  # mid-epoch 2

    def continued(restore):
        fresh, logs = tiny(seed=1234, d_dropout=0.3), BatchLogs()  # other init, other seed state
        initial_epoch = restore(fresh, tmp_path)
        assert initial_epoch == 1  # rewound to the end of epoch 1, not the step-10 file
        fit(fresh, x, epochs=2, initial_epoch=initial_epoch, callbacks=[logs])
        return fresh, logs.epochs[1]

    resumed, got = continued(resume)
    assert len(got) == len(expected.epochs[1]) == 6
    for a, b in zip(got, expected.epochs[1]):
        assert a.keys() == b.keys()
        for key in a:
            assert a[key] == pytest.approx(b[key], abs=1e-5, rel=1e-5), key
    for a, b in zip(state(resumed), state(reference), strict=True):
        np.testing.assert_allclose(a, b, atol=1e-5, rtol=1e-5)

    # The control: what `save_weights` (and so `BackupAndRestore`) keeps is not enough;
    # without the seed states the continued run draws other latents and Dropout masks.
    def weights_only(model, directory):
        model.load_weights(Checkpoint.latest(directory, epoch_end_only=True))
        return 1

    _, got = continued(weights_only)
    assert not all(math.isclose(a["g_loss"], b["g_loss"], abs_tol=1e-5) for a, b in zip(got, expected.epochs[1]))


# ----------------------------------------------------------------------- TensorBoard
def test_keras_tensorboard_logs_the_gan_losses(tmp_path):
    tf = pytest.importorskip("tensorflow")
    # tf.summary needs the `tensorboard` package, which tensorflow no longer pulls in.
    pytest.importorskip("tensorboard", reason="keras.callbacks.TensorBoard needs the tensorboard package")
    model = tiny()
    tb = keras.callbacks.TensorBoard(tmp_path, update_freq="batch", histogram_freq=1, write_steps_per_second=True)
    fit(model, data(), epochs=2, callbacks=[tb])
    events = list(tmp_path.rglob("events.out.tfevents.*"))
    assert events
    scalars = {}
    for path in events:
        for event in tf.compat.v1.train.summary_iterator(str(path)):
            for value in event.summary.value:
                if value.metadata.plugin_data.plugin_name == "scalars":
                    scalars.setdefault(value.tag, []).append(float(tf.make_ndarray(value.tensor)))
    for name in ("d_loss", "g_loss", "d_real", "d_fake"):
        assert len(scalars[f"epoch_{name}"]) == 2
        assert len(scalars[f"batch_{name}"]) == 12
        assert all(math.isfinite(v) for v in scalars[f"epoch_{name}"])
    assert "epoch_steps_per_second" in scalars  # reads model.optimizer.iterations


# ------------------------------------------------------------------- TrainingMonitor
def running_means(per_step):
    """Per-step values -> what Keras logs: the epoch's running mean, in float32."""
    out, total = [], {}
    for k, values in enumerate(per_step, start=1):
        for key, v in values.items():
            total[key] = total.get(key, 0.0) + v
        out.append({key: np.float32(t / k) for key, t in total.items()})
    return out


def feed(monitor, per_step, epoch=0):
    monitor.on_epoch_begin(epoch)
    for batch, logs in enumerate(running_means(per_step)):
        monitor.on_train_batch_end(batch, logs)
        if monitor.model.stop_training:
            return batch + 1
    return None


def healthy(d_loss=1.2, g_loss=0.8):
    return {"d_loss": d_loss, "g_loss": g_loss, "d_real": 0.6, "d_fake": 0.4}


def started(monitor, model=None):
    model = model or tiny()
    model.stop_training = False
    monitor.set_model(model)
    monitor.on_train_begin()
    return model


def test_monitor_logs_means_and_warns_and_stops_when_the_discriminator_wins(caplog):
    monitor = TrainingMonitor(warn_patience=5, stop_on_collapse=True, log_every_n_steps=10)
    started(monitor)
    steps = [healthy()] * 10 + [dict(healthy(), d_real=0.9, d_fake=0.1)] * 10
    steps += [healthy(d_loss=1e-5, g_loss=9.0)] * 10
    with caplog.at_level(logging.INFO, logger="kerasgan.training"):
        stopped_after = feed(monitor, steps)
    info = [r.getMessage() for r in caplog.records if r.levelno == logging.INFO]
    assert info[0].startswith("step 10 (epoch 1): D(x)=0.6000 D(G(z))=0.4000")
    assert info[1].startswith("step 20 (epoch 1): D(x)=0.9000 D(G(z))=0.1000")  # the window's, not the epoch's
    # Per-step values are recovered from the running means: the running mean itself stays
    # far above the floor for all 30 steps.
    assert stopped_after == 25 and monitor.collapsed_at_step == 25
    assert "discriminator wins" in monitor.warnings[0] and "discriminator wins" in caplog.text

    relaxed = TrainingMonitor(warn_patience=5)
    model = started(relaxed)
    assert feed(relaxed, steps) is None and not model.stop_training
    assert len(relaxed.warnings) == 1  # warned once, not every step


def test_monitor_warns_when_the_generator_wins_early_only():
    early = TrainingMonitor(warn_patience=4, early_steps=10)
    started(early)
    feed(early, [healthy(d_loss=3.0, g_loss=1e-4)] * 6)
    assert "generator wins" in early.warnings[0] and early.collapsed_at_step == 4

    late = TrainingMonitor(warn_patience=4, early_steps=10)
    started(late)
    feed(late, [healthy()] * 10 + [healthy(d_loss=3.0, g_loss=1e-4)] * 10)
    assert late.warnings == []


def test_monitor_collapse_checks_are_off_for_wasserstein_losses():
    monitor = TrainingMonitor(warn_patience=2)
    nets = tiny(compile=False)  # tiny dense networks: a conv build costs seconds on JAX
    wgan = kerasgan.WGAN(image_size=16, channels=1, generator=nets.generator, discriminator=nets.discriminator)
    started(monitor, wgan)
    feed(monitor, [healthy(d_loss=-1e-5, g_loss=-1e-5)] * 5)
    assert monitor.warnings == [] and monitor.collapse_checks is False


def test_monitor_stops_on_nan_names_the_step_and_restores_the_checkpoint(tmp_path, caplog):
    model = tiny()
    fit(model, data(16), epochs=1, callbacks=[Checkpoint(tmp_path)])  # 2 steps
    good = state(model)
    variable = model.discriminator.trainable_variables[0]
    variable.assign(keras.ops.convert_to_numpy(variable) + 1.0)

    monitor = TrainingMonitor(checkpoint_dir=tmp_path)
    started(monitor, model)
    steps = [healthy()] * 4 + [dict(healthy(), d_real=float("inf"))] + [healthy()]
    with caplog.at_level(logging.ERROR, logger="kerasgan.training"):
        assert feed(monitor, steps) == 5
    # global steps: 2 done before, so the 5th batch here is step 7
    assert monitor.diverged_at_step == 7
    assert "step 7" in monitor.diverged.message and "d_real=inf" in monitor.diverged.message
    assert "step 7" in caplog.text
    assert monitor.diverged.restored_from == Checkpoint.latest(tmp_path)
    for x, y in zip(state(model), good, strict=True):
        np.testing.assert_array_equal(x, y)


def test_real_divergence_stops_training_at_the_last_good_checkpoint(tmp_path):
    model = tiny()
    model.compile(d_optimizer=keras.optimizers.SGD(0.01), g_optimizer=keras.optimizers.SGD(0.01))
    x = data()
    fit(model, x, epochs=1, callbacks=[Checkpoint(tmp_path)])
    for optimizer in (model.d_optimizer, model.g_optimizer):
        optimizer.learning_rate.assign(1e9)
    monitor = TrainingMonitor(checkpoint_dir=tmp_path)
    history = fit(model, x, epochs=5, initial_epoch=1,
                  callbacks=[monitor, Checkpoint(tmp_path, every_n_steps=1, keep=3)])
    assert monitor.diverged is not None, history.history
    assert len(history.history["d_loss"]) == 1  # stopped inside the first epoch of this fit
    assert 6 < monitor.diverged_at_step <= 12
    last_good = Checkpoint.latest(tmp_path)
    assert monitor.diverged.restored_from == last_good
    expected = tiny(seed=42)
    expected.compile(d_optimizer=keras.optimizers.SGD(0.01), g_optimizer=keras.optimizers.SGD(0.01))
    info = load_checkpoint(expected, last_good)
    assert 6 <= info.step < monitor.diverged_at_step
    assert_state_equal(model, expected)
    assert all(np.isfinite(w).all() for w in state(model))


# ------------------------------------------------------------ damaged checkpoints
def _truncate(path):
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _poison(path):
    """Writes NaN into the first float array of a checkpoint, as a diverged run would."""
    import h5py

    with h5py.File(path, "a") as f:
        names = []
        f.visititems(lambda name, item: names.append(name) if isinstance(item, h5py.Dataset)
                     and np.issubdtype(item.dtype, np.floating) and item.size > 1 else None)
        array = f[names[0]][()]
        array.flat[0] = np.nan
        f[names[0]][...] = array


def test_resume_passes_over_damaged_newest_checkpoints_and_keeps_what_it_writes(tmp_path):
    """The newest checkpoint truncated and the one before it holding NaN: resume goes back to
    the third, and the run it continues replaces the damaged files with good ones."""
    model = tiny()
    fit(model, data(16), epochs=3, callbacks=[Checkpoint(tmp_path, keep=3)])  # 2 steps per epoch
    first, second, third = Checkpoint.files(tmp_path)
    reference = tiny(seed=5)
    load_checkpoint(reference, first)
    expected = state(reference)
    _truncate(third)
    _poison(second)
    with pytest.raises(IntegrityError, match="truncated"):
        load_checkpoint(tiny(), third)
    with pytest.raises(IntegrityError, match="NaN"):
        load_checkpoint(tiny(), second)

    resumed = tiny(seed=7)
    with pytest.warns(UserWarning, match="Skipping unreadable checkpoint"):
        assert Checkpoint.latest(tmp_path) == second  # readable record, bad weights
    assert resume(resumed, tmp_path) == 1
    for x, y in zip(state(resumed), expected, strict=True):
        np.testing.assert_array_equal(x, y)
    fit(resumed, data(16), epochs=4, initial_epoch=1, callbacks=[Checkpoint(tmp_path, keep=3)])
    names = [p.name for p in Checkpoint.files(tmp_path)]
    assert names == [f"ckpt-{s:09d}-epoch{e:04d}.weights.h5" for s, e in ((4, 2), (6, 3), (8, 4))]
    for path in Checkpoint.files(tmp_path):
        load_checkpoint(tiny(), path)  # every kept file is whole and finite


def test_resume_refuses_a_folder_of_damaged_checkpoints_and_fresh_runs_keep_their_files(tmp_path):
    model = tiny()
    fit(model, data(16), epochs=2, callbacks=[Checkpoint(tmp_path)])
    for path in Checkpoint.files(tmp_path):
        _truncate(path)
    fresh = tiny()
    before = state(fresh)
    with pytest.raises(IntegrityError, match=r"None of the 2 .* move them away"):
        resume(fresh, tmp_path)
    for x, y in zip(state(fresh), before, strict=True):
        np.testing.assert_array_equal(x, y)
    # a fresh run into the folder (from Python, no resume) must not prune its own new files
    # in favour of the damaged ones, whose step numbers are higher
    bigger_steps = tiny()
    fit(bigger_steps, data(8), epochs=1, callbacks=[Checkpoint(tmp_path, keep=1)])  # 1 step
    kept = Checkpoint.files(tmp_path)
    assert tmp_path / "ckpt-000000001-epoch0001.weights.h5" in kept
    load_checkpoint(tiny(), tmp_path / "ckpt-000000001-epoch0001.weights.h5")


def test_monitor_restores_the_newest_finite_checkpoint(tmp_path):
    model = tiny()
    fit(model, data(16), epochs=2, callbacks=[Checkpoint(tmp_path)])
    older, newest = Checkpoint.files(tmp_path)
    _poison(newest)
    monitor = TrainingMonitor(checkpoint_dir=tmp_path)
    started(monitor, model)
    feed(monitor, [dict(healthy(), d_loss=float("nan"))])
    assert monitor.diverged.restored_from == older
    assert all(np.isfinite(w).all() for w in state(model))
