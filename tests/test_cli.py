"""The `kerasgan` command line: help everywhere, one-sentence errors with exit code 2."""

import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner

from kerasgan.cli import app, slerp
from helpers import make

runner = CliRunner()
COMMANDS = ["list", "info", "sample", "interpolate", "train", "eval", "prepare-cats", "download", "publish"]


@pytest.mark.parametrize("command", COMMANDS)
def test_help(command):
    result = runner.invoke(app, [command, "--help"])
    assert result.exit_code == 0 and "Usage" in result.output


@pytest.fixture
def preset(tmp_path):
    model = make("DCGAN")
    return model, model.save_preset(tmp_path / "preset")


def test_sample_from_a_preset_folder(preset, tmp_path):
    model, folder = preset
    out = tmp_path / "grid.png"
    result = runner.invoke(app, ["sample", str(folder), "-n", "4", "--seed", "3", "-o", str(out)])
    assert result.exit_code == 0, result.output
    grid = np.asarray(Image.open(out))
    side = model.data_shape[0]
    expected = model.generate(4, seed=3)
    np.testing.assert_array_equal(grid[2 : 2 + side, 2 : 2 + side], expected[0])


def test_interpolate_writes_a_gif(preset, tmp_path):
    _, folder = preset
    out = tmp_path / "walk.gif"
    result = runner.invoke(app, ["interpolate", str(folder), "--steps", "3", "--points", "2", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert Image.open(out).n_frames == 6


def test_slerp_stays_on_the_sphere_between_endpoints():
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal(64), rng.standard_normal(64)
    np.testing.assert_allclose(slerp(a, b, 0.0), a, atol=1e-9)
    np.testing.assert_allclose(slerp(a, b, 1.0), b, atol=1e-9)
    mid = slerp(a, b, 0.5)
    assert abs(np.linalg.norm(mid) - (np.linalg.norm(a) + np.linalg.norm(b)) / 2) < 0.1 * np.linalg.norm(a)


@pytest.mark.parametrize(
    "argv, phrase",
    [
        (["sample", "no-such-checkpoint"], "no-such-checkpoint"),
        (["sample", "mnist-dcgan", "-n", "0"], "-n must be a positive number"),
        (["train", "dcgan"], "--data PATH"),
        (["train", "nogan", "--data", "."], "Unknown variant 'nogan'"),
        (["train", "--recipe", "nope"], "Unknown recipe 'nope'"),
        (["info", "no-such-checkpoint"], "no-such-checkpoint"),
    ],
)
def test_user_errors_exit_2_with_one_sentence(argv, phrase):
    result = runner.invoke(app, argv)
    assert result.exit_code == 2, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error: ") and phrase in lines[0], result.output
    assert "Traceback" not in result.output


def _zoo():
    from kerasgan.manifest import load_manifest

    return sorted(load_manifest()["checkpoints"])


@pytest.mark.parametrize("name", _zoo())
def test_every_staged_zoo_checkpoint_samples_offline(name, tmp_path, monkeypatch):
    """The README's main job: each checkpoint in hub/ passes its SHA-256 checks and samples."""
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    out = tmp_path / f"{name}.png"
    result = runner.invoke(app, ["sample", name, "-n", "16", "--seed", "0", "-o", str(out)])
    assert result.exit_code == 0, result.output
    grid = np.asarray(Image.open(out))
    assert grid.std() > 10  # not a blank or constant grid
    listing = runner.invoke(app, ["list"])
    row = next(line for line in listing.output.splitlines() if line.startswith(f"{name} "))
    assert row.endswith("yes") and " ? " not in row, row  # local, with its parameter count
    assert "(" in row, row  # metrics beside their floors
    card = runner.invoke(app, ["info", name])
    assert card.exit_code == 0 and f"kerasgan zoo checkpoint `{name}`" in card.output, card.output
    assert "## Training recipe" in card.output and "## Metrics" in card.output, card.output


# ------------------------------------------------------------ one sentence for every bad input
def _damaged_preset(tmp_path, damage):
    import json

    folder = make("DCGAN").save_preset(tmp_path / "damaged", sample_grid=False)
    weights, config = folder / "model.weights.h5", folder / "config.json"
    if damage == "truncated weights":
        weights.write_bytes(weights.read_bytes()[:4000])
    elif damage == "weights not HDF5":
        weights.write_text("<html>not found</html>")
    else:
        data = json.loads(config.read_text())
        data["config"]["image_size"] = {"string image_size": "16", "weights of another size": 32}[damage]
        config.write_text(json.dumps(data))
    return folder


@pytest.mark.parametrize("damage, phrase", [
    ("truncated weights", "is truncated or not an HDF5 file"),
    ("weights not HDF5", "is truncated or not an HDF5 file"),
    ("string image_size", "does not describe a DCGAN kerasgan can build: `image_size` must be a positive whole"),
    ("weights of another size", "holds weights of another shape than this DCGAN"),
])
def test_damaged_presets_are_one_sentence(tmp_path, damage, phrase):
    folder = _damaged_preset(tmp_path, damage)
    result = runner.invoke(app, ["sample", str(folder), "-n", "4", "-o", str(tmp_path / "grid.png")])
    assert result.exit_code == 2, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error: ") and phrase in lines[0], result.output


def _bad_invocations(tmp_path):
    a_file = tmp_path / "a-file"
    a_file.write_text("x")
    images = tmp_path / "images"
    images.mkdir()
    folder = tmp_path / "out-folder"
    folder.mkdir()
    return [
        (["train", "dcgan", "--data", str(images), "-o", str(a_file)], "-o " + str(a_file) + " is a file"),
        (["train", "dcgan", "--data", str(images), "-o", str(images)], "lies inside --data"),
        (["train", "dcgan", "--data", str(images), "-o", str(images / "run")], "lies inside --data"),
        (["train", "dcgan", "--data", str(tmp_path / "missing"), "-o", str(folder)],
         "--data " + str(tmp_path / "missing") + " does not exist; expected an image folder"),
        (["train", "dcgan", "--data", str(images), "--image-size", "0"], "--image-size must be at least 1, got 0"),
        (["train", "dcgan", "--data", str(images), "--epochs", "0"], "--epochs must be at least 1, got 0"),
        (["train", "dcgan", "--data", str(images), "--epochs", "-1"], "--epochs must be at least 1, got -1"),
        (["train", "dcgan", "--data", str(images), "--limit", "0"], "--limit must be at least 1, got 0"),
        (["train", "dcgan", "--data", str(images), "--seed", "-1"], "--seed must be a whole number in 0..4294967295"),
        (["sample", "mnist-dcgan", "--seed", "-1"], "--seed must be a whole number in 0..4294967295, got -1"),
        (["sample", "mnist-dcgan", "-n", "1000000000"], "-n must be at most 4,096 images"),
        (["sample", "mnist-dcgan", "-o", str(folder)], f"-o {folder} is a folder"),
        (["sample", "mnist-dcgan", "-o", str(tmp_path / "grid")], "has no extension"),
        (["interpolate", "mnist-dcgan", "-o", str(tmp_path / "walk.png")], "has the extension '.png'"),
    ]


def test_bad_options_are_one_sentence_before_any_work(tmp_path, monkeypatch):
    import kerasgan.cli

    def must_not_load(name):
        raise AssertionError("loaded a checkpoint before checking the options")

    monkeypatch.setattr(kerasgan.cli, "_load", must_not_load)
    for argv, phrase in _bad_invocations(tmp_path):
        result = runner.invoke(app, argv)
        lines = [line for line in result.output.splitlines() if line.strip()]
        assert result.exit_code == 2 and len(lines) == 1, (argv, result.output)
        assert lines[0].startswith("Error: ") and phrase in lines[0], (argv, result.output)
