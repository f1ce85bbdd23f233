"""`kerasgan train --devices N`: data-parallel on jax and tensorflow, refused on torch."""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from conftest import BACKEND
from kerasgan.cli import app

ROOT = Path(__file__).resolve().parents[1]
# The device count is fixed when the backend starts, so a run on 4 virtual CPU devices needs its
# own process: XLA_FLAGS for JAX, logical devices (set before TensorFlow starts) for TensorFlow.
FOUR_DEVICES = """
import sys
import tensorflow as tf
cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 4)
from kerasgan.cli import main
sys.argv = ["kerasgan"] + sys.argv[1:]
main()
"""


@pytest.fixture
def tiny_images(tmp_path):
    path = tmp_path / "tiny.npz"
    np.savez(path, images=np.random.default_rng(0).integers(0, 256, (128, 16, 16, 1), dtype=np.uint8))
    return path


@pytest.mark.skipif(BACKEND != "torch", reason="only torch lacks a Keras distribution API")
def test_torch_refuses_several_devices_in_one_sentence(tiny_images, tmp_path):
    result = CliRunner().invoke(app, ["train", "dcgan", "--data", str(tiny_images), "--devices", "2",
                                      "-o", str(tmp_path / "run")])
    assert result.exit_code == 2, result.output
    assert "no distribution API on the torch backend" in result.output
    assert not (tmp_path / "run").exists()  # refused before anything was trained or written


def test_more_devices_than_there_are_is_refused(tiny_images, tmp_path):
    result = CliRunner().invoke(app, ["train", "dcgan", "--data", str(tiny_images), "--devices", "64",
                                      "-o", str(tmp_path / "run")])
    assert result.exit_code == 2, result.output
    expected = "no distribution API" if BACKEND == "torch" else "asks for 64 devices, but this process sees"
    assert expected in result.output


def test_zero_devices_is_refused(tiny_images, tmp_path):
    result = CliRunner().invoke(app, ["train", "dcgan", "--data", str(tiny_images), "--devices", "0"])
    assert result.exit_code == 2, result.output
    assert "`devices` must be a positive whole number, got 0" in result.output


@pytest.mark.slow
@pytest.mark.skipif(BACKEND == "torch", reason="Keras has no distribution API on the torch backend")
def test_train_on_four_virtual_devices(tiny_images, tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TF_CPP_MIN_LOG_LEVEL": "3",
           "XLA_FLAGS": "--xla_force_host_platform_device_count=4"}
    command = [sys.executable, "-c", FOUR_DEVICES] if BACKEND == "tensorflow" else [sys.executable, "-m", "kerasgan.cli"]
    out = tmp_path / "run"
    proc = subprocess.run(command + ["train", "dcgan", "--data", str(tiny_images), "--image-size", "16",
                                     "--channels", "1", "--epochs", "1", "--batch-size", "64", "--devices", "4",
                                     "-o", str(out)], env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-3000:]
    assert "data-parallel on 4 replicas" in proc.stderr
    assert (out / "preset" / "model.weights.h5").is_file()
    assert (out / "training_log.csv").read_text().count("\n") == 2  # header and the one epoch
