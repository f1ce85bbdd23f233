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
