"""Pluggable feature spaces for the feature-based metrics (FID, KID, precision/recall, density/coverage)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np

from kerasgan.errors import InvalidArgumentError
from kerasgan.metrics._checks import as_images, check_positive_int

INCEPTION_WEIGHTS_FILE = "inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5"
INCEPTION_WEIGHTS_URL = (
    "https://storage.googleapis.com/tensorflow/keras-applications/inception_v3/" + INCEPTION_WEIGHTS_FILE
)


@runtime_checkable
class FeatureExtractor(Protocol):
    """Maps uint8 images (N, H, W, C) to float features (N, D); `name` identifies the feature space in reports."""

    name: str

    def __call__(self, images: np.ndarray) -> np.ndarray: ...


def _batched_predict(model, x: np.ndarray, batch_size: int) -> np.ndarray:
    """Runs `model` in inference mode batch by batch, padding the last batch to a full one.

    Padding keeps a single input shape, so compiled backends trace once; inference-mode layers treat samples
    independently, so the padded rows cannot change the real ones.
    """
    outputs = []
    for start in range(0, x.shape[0], batch_size):
        batch = x[start : start + batch_size]
        n = batch.shape[0]
        if n < batch_size:
            batch = np.concatenate([batch, np.zeros((batch_size - n,) + batch.shape[1:], batch.dtype)])
        out = np.asarray(model.predict_on_batch(batch))
        outputs.append(out[:n].reshape(n, -1))
    return np.concatenate(outputs).astype(np.float64)


def inception_weight_candidates() -> list[Path]:
    """Where Keras' `get_file` caches the InceptionV3 no-top weights ($KERAS_HOME or ~/.keras, else /tmp/.keras)."""
    home = os.environ.get("KERAS_HOME")
    # Read at call time (Keras reads it once at import), so pointing KERAS_HOME elsewhere takes effect.
    bases = [Path(home).expanduser()] if home else [Path("~/.keras").expanduser()]
    if not home or not os.access(bases[0], os.W_OK):
        bases.append(Path("/tmp/.keras"))
    return [base / "models" / INCEPTION_WEIGHTS_FILE for base in bases]


class InceptionFeatures:
    """InceptionV3 pool3 (2048-d average-pool) features of ImageNet-trained Keras weights, for FID/KID.

    Images are converted to RGB, resized to 299x299 bilinearly and scaled with `inception_v3.preprocess_input`.
    The network is built on first use and only from weights already on disk (never downloaded here):
    `weights="imagenet"` looks in the Keras cache, a path loads that .h5 file, None gives random weights (tests).
    """

    name = "inception_v3_pool3"
    input_size = 299

    def __init__(self, batch_size: int = 32, weights: str | os.PathLike | None = "imagenet") -> None:
        self.batch_size = check_positive_int(batch_size, "batch_size")
        self.weights = weights
        self._model = None

    def _weights_path(self) -> Path | None:
        if self.weights is None:
            return None
        if str(self.weights) != "imagenet":
            path = Path(self.weights).expanduser()
            if not path.is_file():
                raise InvalidArgumentError(f"weights must be 'imagenet', None or an existing .h5 file, got missing file {path}.")
            return path
        candidates = inception_weight_candidates()
        for path in candidates:
            if path.is_file():
                return path
        raise RuntimeError(
            f"InceptionV3 ImageNet weights are not in the Keras cache (looked for {candidates[0]}) and are never "
            f"downloaded here: download {INCEPTION_WEIGHTS_URL} (or run "
            "`keras.applications.InceptionV3(include_top=False, weights='imagenet')` once on a machine with internet, "
            "which saves it under ~/.keras/models/) and put the file at that path, or pass "
            "InceptionFeatures(weights=<path to the .h5 file>)."
        )

    def _build(self):
        path = self._weights_path()  # Checked before touching keras.applications, so nothing can hit the network.
        import keras

        model = keras.applications.InceptionV3(
            include_top=False, pooling="avg", weights=None, input_shape=(self.input_size, self.input_size, 3)
        )
        if path is not None:
            model.load_weights(str(path))
        return model

    def preprocess(self, images) -> np.ndarray:
        """uint8 (N, H, W, C in {1, 3}) -> float32 (N, 299, 299, 3) in [-1, 1] as the network expects."""
        import keras

        x = as_images(images, "images")
        if x.shape[3] not in (1, 3):
            raise InvalidArgumentError(f"images must have 1 or 3 channels, got {x.shape[3]}.")
        x = x.astype(np.float32)
        if x.shape[3] == 1:
            x = np.repeat(x, 3, axis=3)
        if x.shape[1:3] != (self.input_size, self.input_size):
            # antialias only matters when shrinking large images; upscaling is plain bilinear.
            x = keras.ops.convert_to_numpy(
                keras.ops.image.resize(x, (self.input_size, self.input_size), interpolation="bilinear", antialias=True)
            ).astype(np.float32)
        return keras.applications.inception_v3.preprocess_input(x)

    def __call__(self, images) -> np.ndarray:
        """Pool3 features (N, 2048) in float64."""
        x = as_images(images, "images")
        if x.shape[3] not in (1, 3):
            raise InvalidArgumentError(f"images must have 1 or 3 channels, got {x.shape[3]}.")
        if self._model is None:
            self._model = self._build()
        outputs = [
            _batched_predict(self._model, self.preprocess(x[start : start + self.batch_size]), self.batch_size)
            for start in range(0, x.shape[0], self.batch_size)
        ]
        return np.concatenate(outputs)


class ModelFeatures:
    """Activations of one layer (default: the penultimate) of any single-input Keras model, e.g. a classifier.

    uint8 images are mapped linearly to `value_range` (default [-1, 1], the package's generator range; use
    (0, 1) for a classifier trained on x / 255, or None to feed raw 0..255 floats). Features are flattened to
    (N, D) float64 and, with the model in inference mode, do not depend on `batch_size`.
    """

    def __init__(
        self,
        keras_model,
        layer_name: str | None = None,
        batch_size: int = 64,
        value_range: tuple[float, float] | None = (-1.0, 1.0),
        name: str | None = None,
    ) -> None:
        import keras

        inputs = getattr(keras_model, "inputs", None)
        if not inputs or len(inputs) != 1:
            raise InvalidArgumentError(
                f"keras_model must be a built functional or Sequential model with one input, got inputs {inputs!r}."
            )
        if layer_name is not None:
            layer = keras_model.get_layer(layer_name)
        else:
            layers = [layer for layer in keras_model.layers if not isinstance(layer, keras.layers.InputLayer)]
            if len(layers) < 2:
                raise InvalidArgumentError(f"keras_model needs at least 2 layers to take the penultimate one, got {len(layers)}.")
            layer = layers[-2]
        self._extractor = keras.Model(inputs[0], layer.output)
        self.batch_size = check_positive_int(batch_size, "batch_size")
        if value_range is not None and len(value_range) != 2:
            raise InvalidArgumentError(f"value_range must be (low, high) or None, got {value_range!r}.")
        self.value_range = value_range
        self.name = name or f"{keras_model.name}/{layer.name}"

    def __call__(self, images) -> np.ndarray:
        """Layer activations (N, D) in float64."""
        x = as_images(images, "images")
        expected = tuple(self._extractor.inputs[0].shape[1:])
        if expected != x.shape[1:]:
            if None in expected or int(np.prod(expected)) != int(np.prod(x.shape[1:])):
                raise InvalidArgumentError(
                    f"images must fit the model input (N, {', '.join(map(str, expected))}), got shape {x.shape}."
                )
            # e.g. an MLP classifier on flattened pixels.
            x = x.reshape((x.shape[0],) + expected)
        x = x.astype(np.float32)
        if self.value_range is not None:
            low, high = self.value_range
            x = (x * np.float32((high - low) / 255.0) + np.float32(low)).astype(np.float32)
        return _batched_predict(self._extractor, x, self.batch_size)
