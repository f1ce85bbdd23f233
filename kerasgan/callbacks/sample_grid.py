"""`SampleGrid`: a PNG grid of samples from fixed latent vectors every few epochs, and a GIF of them all."""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import keras
import numpy as np

from kerasgan.errors import InvalidArgumentError
from kerasgan.images import make_grid, to_uint8
from kerasgan.staging import write_atomically


class SampleGrid(keras.callbacks.Callback):
    """Saves a grid of samples from fixed latent vectors every `every_n_epochs` epochs
    (`epoch_0001.png`, ...) and, at the end of training, `progress.gif` of every grid in
    `directory` (so a resumed run's GIF covers the whole training).

    The latent vectors come from `model.latent_vectors(n, seed)`, so the same weights give
    the same grid. Conditional models get `labels` (default: classes cycling 0, 1, ...,
    `num_classes - 1`, one class per grid column when `n` is a square of a multiple of it).
    Unbounded (linear) outputs are scaled by the grid's own min and max.
    """

    PATTERN = re.compile(r"^epoch_(\d{4,})\.png$")

    def __init__(self, directory, n: int = 64, seed: int = 0, labels=None, every_n_epochs: int = 1,
                 gif: bool = True, gif_frame_ms: int = 300):
        super().__init__()
        if int(n) <= 0 or int(every_n_epochs) <= 0:
            raise InvalidArgumentError(f"`n` and `every_n_epochs` must be positive, got n={n}, every_n_epochs={every_n_epochs}.")
        self.directory = Path(directory)
        self.n, self.seed, self.labels = int(n), seed, labels
        self.every_n_epochs, self.gif, self.gif_frame_ms = int(every_n_epochs), bool(gif), int(gif_frame_ms)
        self.written: list[Path] = []
        self._z = None
        self._y = None

    def _prepare(self, model) -> None:
        shape = tuple(model.data_shape)
        if not (len(shape) == 2 or (len(shape) == 3 and shape[-1] in (1, 3, 4))):
            raise InvalidArgumentError(f"SampleGrid draws images (H, W[, 1|3|4]); this model makes samples of shape {shape}.")
        self._z = model.latent_vectors(self.n, self.seed)
        if getattr(model, "conditional", False):
            labels = model.balanced_labels(self.n) if self.labels is None else self.labels
            self._y = model._check_labels(labels, self.n).reshape(-1)
        elif self.labels is not None:
            raise InvalidArgumentError(f"{type(model).__name__} is unconditional; SampleGrid got labels={self.labels!r}.")

    def render(self, model=None) -> np.ndarray:
        """The current grid as a uint8 (H, W, C) array."""
        model = model or self.model
        if self._z is None:
            self._prepare(model)
        samples = np.nan_to_num(model.decode(self._z, labels=self._y))  # a diverged G still draws
        value_range = model.output_range
        if value_range is None:
            low, high = float(samples.min()), float(samples.max())
            value_range = (low, high if high > low else low + 1.0)
        return make_grid(to_uint8(samples, value_range))

    def on_train_begin(self, logs=None):
        self._prepare(self.model)
        self.directory.mkdir(parents=True, exist_ok=True)

    def on_epoch_end(self, epoch, logs=None):
        if (epoch + 1) % self.every_n_epochs:
            return
        from PIL import Image

        grid = self.render()
        path = self.directory / f"epoch_{epoch + 1:04d}.png"
        write_atomically(path, lambda f: Image.fromarray(grid[..., 0] if grid.shape[-1] == 1 else grid).save(f, "PNG"))
        self.written.append(path)

    def on_train_end(self, logs=None):
        if self.gif:
            self.write_gif()

    def frames(self) -> list[Path]:
        """Every `epoch_NNNN.png` in the folder, in epoch order."""
        found = [p for p in self.directory.glob("epoch_*.png") if self.PATTERN.match(p.name)]
        return sorted(found, key=lambda p: int(self.PATTERN.match(p.name).group(1)))

    def write_gif(self) -> Path | None:
        """Writes `progress.gif` from all grids; returns its path (None if there are none).
        Pillow merges identical consecutive frames into one longer frame."""
        from PIL import Image

        paths = self.frames()
        if not paths:
            return None
        images = []
        for p in paths:
            try:
                with Image.open(p) as im:
                    im.load()
                    images.append(im.convert("RGB") if im.mode not in ("L", "RGB") else im.copy())
            except (OSError, ValueError) as error:  # e.g. cut short when an earlier run was killed
                warnings.warn(f"Leaving {p.name} out of progress.gif: it is not a readable image ({error}).",
                              stacklevel=2)
        if not images:
            return None
        path = self.directory / "progress.gif"
        write_atomically(path, lambda f: images[0].save(f, "GIF", save_all=True, append_images=images[1:],
                                                         duration=self.gif_frame_ms, loop=0))
        return path
