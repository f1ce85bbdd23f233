"""The project's own classifiers for the 28x28 zoo domains (digits, clothes, Quick-Draw doodles).

They measure checkpoints: which class each sample looks like (coverage, a cGAN's accuracy), and a
feature space that knows the domain for FID, KID and precision/recall. A classifier is a small CNN
rebuilt from the numbers in its `config.json` (nothing is deserialized) plus `model.weights.h5`,
found and SHA-256-checked like a zoo checkpoint (the manifest's "classifiers" section, `hub/<name>/`).
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import keras
import numpy as np

from kerasgan.cards import classifier_card
from kerasgan.errors import IntegrityError, InvalidArgumentError
from kerasgan.images import from_uint8
from kerasgan.presets import CONFIG_FILE, WEIGHTS_FILE  # a classifier folder is laid out as a preset

FEATURE_LAYER = "features"
CONFIG_FORMAT = "kerasgan-classifier"

QUICKDRAW_CLASSES = ["apple", "bicycle", "cat", "diamond", "eye", "fish", "flower"]
FASHION_CLASSES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag",
                   "Ankle boot"]

# How each classifier is trained. "test" is the split its accuracy is measured on.
CLASSIFIERS: dict[str, dict] = {
    "mnist-classifier": {
        "description": "Digit classifier for measuring the MNIST checkpoints",
        "data": {"loader": "mnist", "kind": "mnist"},
        "class_names": [str(d) for d in range(10)],
        "batch_size": 128, "epochs": 4, "seed": 0, "min_test_accuracy": 0.99,
    },
    "fashion-mnist-classifier": {
        "description": "Fashion-MNIST classifier for measuring the Fashion-MNIST checkpoints",
        "data": {"loader": "mnist", "kind": "fashion-mnist"},
        "class_names": FASHION_CLASSES,
        "batch_size": 128, "epochs": 5, "seed": 0, "min_test_accuracy": 0.90,
    },
    "quickdraw-classifier": {
        "description": "Quick-Draw classifier over the conditional GAN's seven classes",
        # The last 15% of each class's drawings are held out for the test accuracy.
        "data": {"loader": "quickdraw", "classes": QUICKDRAW_CLASSES, "limit_per_class": 3000,
                 "test_fraction": 0.15},
        "class_names": QUICKDRAW_CLASSES,
        "batch_size": 128, "epochs": 6, "seed": 0, "min_test_accuracy": 0.85,
    },
}


def build_classifier(num_classes: int, input_shape=(28, 28, 1), seed: int = 0) -> keras.Sequential:
    """A small CNN on images in [-1, 1]; its penultimate Dense layer is named "features"."""
    init = lambda i: keras.initializers.GlorotUniform(seed=seed + i)  # noqa: E731 - seeded per layer
    conv = lambda f, i: keras.layers.Conv2D(f, 3, padding="same", activation="relu", kernel_initializer=init(i))  # noqa: E731
    return keras.Sequential([
        keras.Input(tuple(input_shape)),
        conv(32, 0), conv(32, 1), keras.layers.MaxPooling2D(),
        conv(64, 2), conv(64, 3), keras.layers.MaxPooling2D(),
        keras.layers.Flatten(),
        keras.layers.Dense(128, activation="relu", kernel_initializer=init(4), name=FEATURE_LAYER),
        keras.layers.Dropout(0.3, seed=seed),
        keras.layers.Dense(num_classes, activation="softmax", kernel_initializer=init(5), name="probabilities"),
    ], name="classifier")


class Classifier:
    """A trained classifier with its class names; takes uint8 images (N, H, W, C)."""

    def __init__(self, model: keras.Model, class_names, name: str = "classifier") -> None:
        self.model = model
        self.class_names = list(class_names)
        self.name = name

    @property
    def num_classes(self) -> int:
        return len(self.class_names)

    def probabilities(self, images, batch_size: int = 500) -> np.ndarray:
        """Class probabilities (N, num_classes) of uint8 images."""
        x = from_uint8(np.asarray(images))
        return np.asarray(self.model.predict(x, batch_size=batch_size, verbose=0), dtype=np.float64)

    def predict(self, images, batch_size: int = 500) -> np.ndarray:
        """The most likely class index of each uint8 image."""
        return self.probabilities(images, batch_size).argmax(axis=1)

    def features(self):
        """The "features" layer as a `kerasgan.metrics.ModelFeatures` extractor for FID, KID and friends."""
        from kerasgan.metrics import ModelFeatures

        return ModelFeatures(self.model, FEATURE_LAYER, batch_size=500, name=f"{self.name}/{FEATURE_LAYER}")


# ------------------------------------------------------------------- data
def load_classifier_data(spec: dict, data_dir: str | os.PathLike | None = None):
    """((train images, labels), (test images, labels)) for a classifier recipe, images in [-1, 1]."""
    from kerasgan import datasets

    data_dir = datasets.resolve_data_dir(data_dir, "Training a classifier reads real data")
    data = spec["data"]
    if data["loader"] == "mnist":
        return (datasets.mnist(data_dir, "train", data["kind"]), datasets.mnist(data_dir, "test", data["kind"]))
    images, labels, _ = datasets.quickdraw_classes(data_dir, data["classes"], data.get("limit_per_class"))
    test = np.zeros(len(labels), bool)
    for label in np.unique(labels):  # the last test_fraction of each class, in file order
        rows = np.flatnonzero(labels == label)
        test[rows[len(rows) - int(round(len(rows) * data["test_fraction"])):]] = True
    return (images[~test], labels[~test]), (images[test], labels[test])


# ---------------------------------------------------------------- training
def train_classifier(name: str, data_dir=None, verbose="auto") -> tuple[Classifier, dict]:
    """Trains the named classifier recipe; returns it with its facts (test accuracy, steps, time, device)."""
    if name not in CLASSIFIERS:
        raise InvalidArgumentError(f"Unknown classifier {name!r}; the classifiers are {', '.join(sorted(CLASSIFIERS))}.")
    spec = CLASSIFIERS[name]
    (x, y), (x_test, y_test) = load_classifier_data(spec, data_dir)
    keras.utils.set_random_seed(spec["seed"])
    model = build_classifier(len(spec["class_names"]), x.shape[1:], spec["seed"])
    model.compile(keras.optimizers.Adam(1e-3), "sparse_categorical_crossentropy", metrics=["accuracy"])
    start = time.perf_counter()
    model.fit(x, y, batch_size=spec["batch_size"], epochs=spec["epochs"], verbose=verbose)
    wall = time.perf_counter() - start
    accuracy = float((model.predict(x_test, batch_size=500, verbose=0).argmax(axis=1) == y_test).mean())
    from kerasgan.devices import device_name

    facts = {"steps": int(keras.ops.convert_to_numpy(model.optimizer.iterations)), "epochs": spec["epochs"],
             "examples": int(len(x)), "wall_time_s": round(wall, 1), "backend": keras.backend.backend(),
             "device": device_name()}
    return Classifier(model, spec["class_names"], name), {**facts, "test_accuracy": round(accuracy, 4),
                                                          "test_examples": int(len(x_test))}


# ---------------------------------------------------------- save and load
def save_classifier(classifier: Classifier, folder: str | os.PathLike, metadata: dict | None = None) -> Path:
    """Writes config.json (the numbers that rebuild the network), model.weights.h5 and metadata.json."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    config = {"class_name": "Classifier", "format": CONFIG_FORMAT, "class_names": classifier.class_names,
              "input_shape": list(classifier.model.input_shape[1:])}
    (folder / CONFIG_FILE).write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")
    # A fresh, uncompiled copy: Keras would store a compiled model's optimizer state too (3x the size).
    bare = build_classifier(len(classifier.class_names), config["input_shape"])
    bare.set_weights(classifier.model.get_weights())
    bare.save_weights(folder / WEIGHTS_FILE)
    meta = {"data_shape": config["input_shape"], "keras_version": keras.__version__, **(metadata or {})}
    (folder / "metadata.json").write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    (folder / "README.md").write_text(classifier_card(classifier.name, classifier.class_names, meta), encoding="utf-8")
    return folder


def load_classifier(handle: str | os.PathLike, manifest=None) -> Classifier:
    """A classifier from a folder, or by name from the manifest's "classifiers" section (checksums checked)."""
    from kerasgan.hub import resolve_classifier

    path = Path(handle).expanduser()
    name = path.name
    if not path.is_dir():
        name = str(handle)
        path = resolve_classifier(name, manifest).path
    try:
        config = json.loads((path / CONFIG_FILE).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise IntegrityError(f"{path / CONFIG_FILE} should be a classifier's JSON config; reading it failed: {error}.") from None
    if config.get("format") != CONFIG_FORMAT:
        raise IntegrityError(f"{path} holds no kerasgan classifier: config.json has format {config.get('format')!r}, "
                         f"expected {CONFIG_FORMAT!r}.")
    model = build_classifier(len(config["class_names"]), config["input_shape"])
    model.load_weights(path / WEIGHTS_FILE)
    return Classifier(model, config["class_names"], name)
