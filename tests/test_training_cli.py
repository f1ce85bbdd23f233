"""Training through the command line: a killed run resumes on the same trajectory, and a
folder with broken files trains on the good ones."""

import csv
import os
import signal
import subprocess
import sys
import time

import keras
import numpy as np
import pytest
from PIL import Image


def _cli(args, **kwargs):
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2")
    return subprocess.Popen([sys.executable, "-m", "kerasgan.cli", *args], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, **kwargs)


def _rows(path):
    with open(path) as f:
        return {int(row["epoch"]): row for row in csv.DictReader(f)}


@pytest.mark.skipif(keras.backend.backend() != "tensorflow", reason="one backend is enough for the CLI; "
                    "tests/test_callbacks.py checks resume on every backend")
def test_killed_run_resumes_on_the_same_trajectory(data_dir, tmp_path):
    images = str(data_dir / "mnist" / "train-images-idx3-ubyte.gz")
    common = ["train", "dcgan", "--data", images, "--image-size", "28", "--channels", "1", "--epochs", "3",
              "--batch-size", "64", "--limit", "2000", "--seed", "0"]
    whole = _cli(common + ["-o", str(tmp_path / "whole")])
    out, _ = whole.communicate(timeout=600)
    assert whole.returncode == 0, out[-3000:]

    broken = _cli(common + ["-o", str(tmp_path / "broken")])
    checkpoints = tmp_path / "broken" / "checkpoints"
    deadline = time.time() + 600
    while not list(checkpoints.glob("*epoch0001*")) and broken.poll() is None and time.time() < deadline:
        time.sleep(0.05)
    broken.send_signal(signal.SIGKILL)  # part way into epoch 2: no chance to clean up
    broken.communicate()
    assert broken.returncode == -signal.SIGKILL
    assert not (tmp_path / "broken" / "preset").exists()

    resumed = _cli(common + ["-o", str(tmp_path / "broken"), "--resume"])
    out, _ = resumed.communicate(timeout=600)
    assert resumed.returncode == 0, out[-3000:]
    expected, got = _rows(tmp_path / "whole" / "training_log.csv"), _rows(tmp_path / "broken" / "training_log.csv")
    assert sorted(got) == [0, 1, 2]
    for epoch in (1, 2):
        for key in ("d_loss", "g_loss", "d_real", "d_fake"):
            assert float(got[epoch][key]) == pytest.approx(float(expected[epoch][key]), rel=1e-4, abs=1e-5), (epoch, key)


def test_folder_with_broken_files_trains_on_the_good_ones(tmp_path):
    folder = tmp_path / "images"
    folder.mkdir()
    rng = np.random.default_rng(0)
    for i in range(6):
        Image.fromarray(rng.integers(0, 255, (20, 20, 3), dtype=np.uint8)).save(folder / f"good_{i}.png")
    Image.fromarray(rng.integers(0, 255, (20, 20, 3), dtype=np.uint8)).convert("CMYK").save(folder / "cmyk.jpg")
    Image.fromarray(rng.integers(0, 255, (20, 20, 3), dtype=np.uint8)).save(folder / "truncated.jpg")
    data = (folder / "truncated.jpg").read_bytes()
    (folder / "truncated.jpg").write_bytes(data[: len(data) // 2])
    (folder / "notes.png").write_text("not an image")
    Image.new("RGB", (1, 1)).save(folder / "tiny.png")
    run = _cli(["train", "dcgan", "--data", str(folder), "--image-size", "16", "--epochs", "1", "--batch-size", "7",
                "-o", str(tmp_path / "run")])
    out, _ = run.communicate(timeout=600)
    assert run.returncode == 0, out[-3000:]
    for name in ("truncated.jpg", "notes.png", "tiny.png"):
        assert name in out, out[-3000:]
    report = next(line for line in out.splitlines() if "truncated.jpg" in line)
    assert "cmyk.jpg" not in report and "good_" not in report  # CMYK is converted, not refused
    # the 6 good PNGs and the CMYK JPEG make one batch of 7: one training step ran
    assert (tmp_path / "run" / "preset" / "model.weights.h5").is_file()
    assert len(_rows(tmp_path / "run" / "training_log.csv")) == 1


def test_recipe_through_the_cli_follows_train_recipe(tmp_path, monkeypatch):
    """`kerasgan train --recipe` trains as recipes.train_recipe trained the published
    checkpoint: same weights, same shuffled order, same losses (on a small stand-in dataset)."""
    from typer.testing import CliRunner

    from kerasgan import recipes
    from kerasgan.cli import app

    rng = np.random.default_rng(0)
    images = rng.uniform(-1, 1, (320, 28, 28, 1)).astype("float32")
    monkeypatch.setattr(recipes, "load_recipe_data", lambda recipe, data_dir=None: (images, None))
    recipes.train_recipe("mnist-gan", tmp_path / "direct", data_dir=tmp_path, epochs=2, verbose=0)
    result = CliRunner().invoke(app, ["train", "--recipe", "mnist-gan", "--data", str(tmp_path), "--epochs", "2",
                                      "-o", str(tmp_path / "cli")])
    assert result.exit_code == 0, result.output
    expected, got = _rows(tmp_path / "direct" / "training_log.csv"), _rows(tmp_path / "cli" / "training_log.csv")
    for epoch in (0, 1):
        for key in ("d_loss", "g_loss"):
            assert float(got[epoch][key]) == pytest.approx(float(expected[epoch][key]), rel=1e-5), (epoch, key)


def test_a_recipe_run_that_diverges_gives_no_model(tmp_path, monkeypatch):
    """recipes.train_recipe (how zoo checkpoints are trained) stops on NaN and returns nothing to publish."""
    from kerasgan import recipes

    images = np.random.default_rng(0).uniform(-1, 1, (320, 28, 28, 1)).astype("float32")
    monkeypatch.setattr(recipes, "load_recipe_data", lambda recipe, data_dir=None: (images, None))
    model = recipes.build_from_recipe(recipes.get_recipe("mnist-gan"))
    blown_up = [np.full_like(w, np.nan) for w in model.generator.get_weights()]

    def diverging_build(recipe):  # a generator already gone to NaN: the first step's losses are NaN
        model.generator.set_weights(blown_up)
        return model

    monkeypatch.setattr(recipes, "build_from_recipe", diverging_build)
    with pytest.raises(FloatingPointError, match="gave no model"):
        recipes.train_recipe("mnist-gan", tmp_path, data_dir=tmp_path, epochs=2, verbose=0)
    assert len(_rows(tmp_path / "training_log.csv")) <= 1  # stopped in its first epoch


# ------------------------------------------------------------ training runs that must not lie
def _train(args, tmp_path):
    from typer.testing import CliRunner

    from kerasgan.cli import app

    return CliRunner().invoke(app, ["train", "dcgan", "--image-size", "16", "--channels", "1", *args])


@pytest.fixture
def tiny_npz(tmp_path):
    images = np.random.default_rng(0).integers(0, 255, (24, 16, 16), dtype=np.uint8)
    path = tmp_path / "tiny.npz"
    np.savez(path, images=images)
    return path


def _epochs_logged(path):
    with open(path) as f:
        return [int(row["epoch"]) for row in csv.DictReader(f)]


def test_resume_after_a_kill_between_log_row_and_checkpoint_logs_each_epoch_once(tiny_npz, tmp_path):
    out = tmp_path / "run"
    common = ["--data", str(tiny_npz), "--batch-size", "8", "-o", str(out)]
    result = _train(common + ["--epochs", "2"], tmp_path)
    assert result.exit_code == 0, result.output
    # as if killed after epoch 2 was logged but before its checkpoint was written
    newest = max((out / "checkpoints").glob("ckpt-*"))
    newest.unlink()
    result = _train(common + ["--epochs", "3", "--resume"], tmp_path)
    assert result.exit_code == 0, result.output
    assert _epochs_logged(out / "training_log.csv") == [0, 1, 2]


def test_resume_from_only_damaged_checkpoints_is_refused_and_keeps_them(tiny_npz, tmp_path):
    out = tmp_path / "run"
    common = ["--data", str(tiny_npz), "--batch-size", "8", "-o", str(out)]
    assert _train(common + ["--epochs", "2"], tmp_path).exit_code == 0
    damaged = sorted((out / "checkpoints").glob("ckpt-*"))
    for path in damaged:
        path.write_bytes(path.read_bytes()[:4000])
    for extra in ([], ["--resume"]):
        result = _train(common + ["--epochs", "4", *extra], tmp_path)
        assert result.exit_code == 2, result.output
        last = result.output.strip().splitlines()[-1]
        assert last.startswith("Error: ") and ("already holds a run" if not extra else "move them away") in last
    assert sorted((out / "checkpoints").glob("ckpt-*")) == damaged
    assert _epochs_logged(out / "training_log.csv") == [0, 1]


def test_a_diverged_run_exits_non_zero_without_a_preset(tiny_npz, tmp_path, monkeypatch):
    from kerasgan import DCGAN

    monkeypatch.setattr(DCGAN, "default_optimizers",
                        lambda self: (keras.optimizers.SGD(1e12), keras.optimizers.SGD(1e12)))
    out = tmp_path / "run"
    result = _train(["--data", str(tiny_npz), "--batch-size", "8", "--epochs", "20", "-o", str(out)], tmp_path)
    assert result.exit_code == 1, result.output
    last = result.output.strip().splitlines()[-1]
    assert last.startswith("Error: Training diverged at step") and last.endswith("No preset was written."), last
    assert not (out / "preset").exists()


def test_limit_on_a_folder_keeps_that_many_images(tmp_path):
    folder = tmp_path / "images"
    folder.mkdir()
    rng = np.random.default_rng(0)
    for i in range(20):
        Image.fromarray(rng.integers(0, 255, (16, 16), dtype=np.uint8)).save(folder / f"{i:02d}.png")
    out = tmp_path / "run"
    common = ["--data", str(folder), "--epochs", "1", "-o", str(out)]
    # 5 images cannot fill a batch of 8 (it used to train on one batch of 8 anyway)
    result = _train(common + ["--batch-size", "8", "--limit", "5"], tmp_path)
    assert result.exit_code == 2 and "limit=5 keeps 5 readable images, fewer than batch_size=8" in result.output
    result = _train(common + ["--batch-size", "5", "--limit", "15"], tmp_path)
    assert result.exit_code == 0, result.output
    assert [p.name for p in (out / "checkpoints").glob("ckpt-*")] == ["ckpt-000000003-epoch0001.weights.h5"]
