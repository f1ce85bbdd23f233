"""`kerasgan.evaluation` and `kerasgan eval`: metrics beside floors, class checks, the report and the CLI.

A toy domain makes the expected answers known: class 0 is dark images, class 1 bright ones, and a
hand-set classifier reads mean brightness. A generator drawing from the real distribution must
score near the floors; one that collapsed onto dark images must lose a class and recall.
"""

import json

import keras
import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner

from kerasgan import GAN
from kerasgan.classifiers import Classifier, load_classifier, save_classifier
from kerasgan.cli import app
from kerasgan.evaluation import EvalData, evaluate, format_table, summary, to_json
from kerasgan.hub import ChecksumError
from kerasgan.manifest import add_to_manifest, manifest_entry_for


def toy_images(labels, seed):
    """28x28 images whose brightness says their class (dark 0..100, bright 155..255)."""
    rng = np.random.default_rng(seed)
    base = np.where(np.asarray(labels) == 1, 205.0, 50.0)[:, None, None, None]
    return np.clip(base + rng.normal(0, 25, (len(labels), 28, 28, 1)), 0, 255).astype(np.uint8)


def brightness_classifier():
    """features = (10 m, -10 m) for mean brightness m in [-1, 1]; class 1 when m > 0."""
    model = keras.Sequential([
        keras.Input((28, 28, 1)),
        keras.layers.GlobalAveragePooling2D(),
        keras.layers.Dense(2, name="features"),
        keras.layers.Dense(2, activation="softmax", name="probabilities"),
    ])
    model.get_layer("features").set_weights([np.array([[10.0, -10.0]]), np.zeros(2)])
    model.get_layer("probabilities").set_weights([np.array([[0.0, 1.0], [1.0, 0.0]]), np.zeros(2)])
    return Classifier(model, ["dark", "bright"], "brightness")


class Stub:
    """A generator stand-in: `draw(n, seed, labels)` makes the uint8 samples."""

    def __init__(self, draw, num_classes=None):
        self.draw, self.num_classes = draw, num_classes
        self.conditional = num_classes is not None

    def generate(self, n, seed=None, labels=None):
        return self.draw(n, seed, labels)

    def balanced_labels(self, n):
        return np.arange(n) % self.num_classes if self.conditional else None


@pytest.fixture(scope="module")
def toy_data():
    labels = np.arange(600) % 2
    return EvalData(toy_images(labels, 1), "toy", labels, ["dark", "bright"], toy_images(labels, 2))


def test_matching_generator_scores_near_its_floors_and_collapsed_one_does_not(toy_data):
    classifier = brightness_classifier()
    good = evaluate(Stub(lambda n, s, _: toy_images(np.arange(n) % 2, 10 + s)), toy_data, n=600,
                    classifier=classifier)["metrics"]
    bad = evaluate(Stub(lambda n, s, _: toy_images(np.zeros(n), 10 + s)), toy_data, n=600,
                   classifier=classifier)["metrics"]
    assert good["classes_covered"] == {"value": 2, "floor": 2, "n": 600}
    assert bad["classes_covered"]["value"] == 1 and bad["min_class_fraction"]["value"] == 0.0
    assert good["fid"]["value"] < 3 * good["fid"]["floor"] + 0.5 < bad["fid"]["value"]
    assert bad["recall"]["value"] < 0.7 < good["recall"]["value"]
    assert abs(good["swd"]["value"] - good["swd"]["floor"]) < abs(bad["swd"]["value"] - bad["swd"]["floor"])
    assert good["memorization_ratio"]["value"] == pytest.approx(1.0, abs=0.15)
    assert good["mean_confidence"]["value"] > 0.95


def test_conditional_accuracy_per_class(toy_data):
    classifier = brightness_classifier()
    right = evaluate(Stub(lambda n, s, y: toy_images(y, s), 2), toy_data, n=200, classifier=classifier)["metrics"]
    swapped = evaluate(Stub(lambda n, s, y: toy_images(1 - y, s), 2), toy_data, n=200,
                       classifier=classifier)["metrics"]
    assert right["min_class_accuracy"]["value"] == 1.0 == right["min_class_accuracy"]["floor"]
    assert swapped["min_class_accuracy"]["value"] == 0.0
    assert right["class_accuracy"]["value"] == {"dark": 1.0, "bright": 1.0}


def test_report_json_table_and_summary(toy_data):
    report = evaluate(Stub(lambda n, s, _: toy_images(np.arange(n) % 2, s)), toy_data, n=100,
                      classifier=brightness_classifier())
    assert json.loads(to_json(report))["metrics"]["fid"]["n"] == 100
    table = format_table(report).splitlines()
    assert table[0].split()[:3] == ["metric", "value", "floor"]
    assert {line.split()[0] for line in table[1:]} >= {"fid", "kid", "precision", "recall", "swd", "ms_ssim"}
    stored = summary(report)
    assert stored["measured"] == {"n_samples": 100, "seed": 0, "real_data": "toy", "feature_space": "brightness/features"}
    assert "class_fractions" not in stored and set(stored["fid"]) == {"value", "floor"}


def test_classifier_round_trip_and_checksum(tmp_path, monkeypatch):
    from kerasgan.classifiers import build_classifier

    original = Classifier(build_classifier(3, seed=1), ["a", "b", "c"], "toy-classifier")
    folder = save_classifier(original, tmp_path / "mirror" / "toy-classifier", {"description": "toy"})
    images = toy_images(np.arange(8) % 2, 0)
    np.testing.assert_allclose(load_classifier(folder).probabilities(images), original.probabilities(images), atol=1e-6)
    # By name: listed in a manifest's "classifiers" section, found in a mirror, checked before loading.
    entry = manifest_entry_for(folder, "toy-classifier", "kerasgan/toy-classifier", "v0.1.0",
                               data={"name": "toy", "license": "none", "source": "test"},
                               training={"steps": 0, "wall_time_s": 0.0, "backend": "any", "device": "any"})
    manifest = add_to_manifest("toy-classifier", entry, tmp_path / "manifest.json", section="classifiers")
    monkeypatch.setenv("KERASGAN_MIRROR", str(tmp_path / "mirror"))
    assert load_classifier("toy-classifier", manifest=manifest).class_names == ["a", "b", "c"]
    weights = folder / "model.weights.h5"
    data = bytearray(weights.read_bytes())
    data[len(data) // 2] ^= 0xFF
    weights.write_bytes(bytes(data))
    with pytest.raises(ChecksumError, match="model.weights.h5 of zoo checkpoint 'toy-classifier'"):
        load_classifier("toy-classifier", manifest=manifest)


@pytest.fixture
def tiny_preset(tmp_path):
    gan = GAN(data_shape=(16, 16, 1), latent_dim=8, g_units=(16,), d_units=(16,), seed=0)
    return gan.save_preset(tmp_path / "tiny")


def test_eval_cli_on_a_preset_and_an_image_folder(tiny_preset, tmp_path, monkeypatch):
    folder = tmp_path / "real"
    folder.mkdir()
    for i, image in enumerate(toy_images(np.arange(24) % 2, 0)):
        Image.fromarray(image[..., 0]).resize((16, 16)).save(folder / f"{i}.png")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras-home"))  # no InceptionV3 weights there
    result = CliRunner().invoke(app, ["eval", str(tiny_preset), "--data", str(folder), "-n", "32"])
    assert result.exit_code == 0, result.output
    assert "swd" in result.output and "floor (real vs real)" in result.output
    assert "FID, KID, precision/recall and density/coverage are left out" in result.output
    report = json.loads((tmp_path / "tiny.eval.json").read_text())
    assert report["n_samples"] == 32 and report["metrics"]["swd"]["n"] == 12


def test_eval_cli_bad_data_is_one_sentence(tiny_preset, tmp_path):
    result = CliRunner().invoke(app, ["eval", str(tiny_preset), "--data", str(tmp_path / "nowhere")])
    assert result.exit_code == 2
    assert result.output.strip().startswith("Error: --data should be an image folder")
    bad = tmp_path / "wrong.npz"
    np.savez(bad, images=np.zeros((10, 8, 8), np.uint8))
    result = CliRunner().invoke(app, ["eval", str(tiny_preset), "--data", str(bad)])
    assert result.exit_code == 2 and "makes images of shape (16, 16, 1)" in result.output


def blobs(n, seed):
    """28x28 colour images of one distribution: a random colour plus pixel noise."""
    rng = np.random.default_rng(seed)
    return np.clip(rng.normal(128, 40, (n, 1, 1, 3)) + rng.normal(0, 30, (n, 28, 28, 3)), 0, 255).astype(np.uint8)


def test_image_folder_recipe_measured_against_its_training_images_and_held_out_files(tmp_path):
    """An image-folder recipe's real side is its training images; its held-out files (the recipe's
    split) serve the memorization ratio, so a generator that copies training images scores ~0."""
    from kerasgan import datasets, recipes
    from kerasgan.evaluation import _has_recipe_data, eval_data_for_recipe

    folder = tmp_path / "blobs" / "28"
    folder.mkdir(parents=True)
    for i, image in enumerate(blobs(48, 0)):
        Image.fromarray(image).save(folder / f"{i:03d}.png")
    recipe = {"data": {"loader": "image_folder", "kind": "blobs", "path": "blobs/28", "image_size": 28, "holdout": 16},
              "options": {"channels": 3}}
    assert _has_recipe_data(recipe, tmp_path) and _has_recipe_data(recipe, folder)
    assert not _has_recipe_data(recipe, tmp_path / "elsewhere")
    data = eval_data_for_recipe(recipe, tmp_path)
    train_files, held_files = recipes.recipe_split(recipe, tmp_path)
    assert np.array_equal(data.heldout, datasets.load_image_files(held_files, 28))
    assert len(data.real) == len(data.train) == 32 and "32 training images" in data.description
    fresh = evaluate(Stub(lambda n, s, _: blobs(n, 100 + s)), data, n=32)["metrics"]
    copies = evaluate(Stub(lambda n, s, _: data.train[:n]), data, n=32)["metrics"]
    assert fresh["memorization_ratio"]["n"] == 8 and fresh["swd"]["n"] == 16
    assert fresh["memorization_ratio"]["value"] == pytest.approx(1.0, abs=0.2)
    assert copies["memorization_ratio"]["value"] == pytest.approx(0.0, abs=1e-6)


@pytest.mark.parametrize("name, classifier", [("mnist-gan", "mnist-classifier"),
                                              ("fashion-mnist-gan", "fashion-mnist-classifier"),
                                              ("quickdraw-cgan", "quickdraw-classifier")])
def test_grayscale_recipes_are_measured_with_their_domain_classifier(data_dir, name, classifier):
    """Each field lands where it belongs: the classifier is named, and the memorization ratio
    compares with the training split (MNIST) or is left out with a note (Quick-Draw)."""
    from kerasgan import recipes
    from kerasgan.evaluation import eval_data_for_recipe

    data = eval_data_for_recipe(recipes.get_recipe(name), data_dir)
    assert data.classifier == classifier
    assert data.heldout is None
    assert data.class_names is not None and len(data.class_names) == len(set(data.labels.tolist()))
    if name == "quickdraw-cgan":
        assert data.train is None and "memorization_ratio is not measured" in data.notes[0]
    else:
        assert data.train.shape == (60_000, 28, 28, 1) and data.notes == []


def test_a_moving_average_generator_is_measured_unless_asked_for_the_raw_one():
    model = GAN(data_shape=(28, 28, 1), latent_dim=8, g_units=(16,), d_units=(16,), ema_decay=0.9, seed=0)
    model.compile()
    labels = np.zeros(64, int)
    model.fit(toy_images(labels, 3).astype("float32") / 127.5 - 1, batch_size=16, epochs=2, verbose=0)
    data = EvalData(toy_images(labels, 1), "toy")
    averaged, raw = (evaluate(model, data, n=64, use_ema=use_ema) for use_ema in (True, False))
    assert (averaged["generator"], raw["generator"]) == ("moving-average", "raw")
    assert summary(raw)["measured"]["generator"] == "raw"
    assert averaged["metrics"]["swd"]["value"] != raw["metrics"]["swd"]["value"]
    plain = GAN(data_shape=(28, 28, 1), latent_dim=8, g_units=(16,), d_units=(16,), seed=0)
    assert "generator" not in evaluate(plain, data, n=64)
