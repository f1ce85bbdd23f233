"""Training callbacks: sample grids, checkpoint/resume, and training health.

- `SampleGrid` writes a PNG grid of samples from fixed latent vectors every few epochs and
  an animated GIF of all of them at the end.
- `Checkpoint` writes the full training state (weights, both optimizers, every seed
  generator's state, epoch, global step, last logs) atomically; `resume(model, directory)`
  restores it, so `fit(..., initial_epoch=resume(model, directory))` continues the same run.
- `TrainingMonitor` logs D(x) / D(G(z)), warns when one player wins, and stops (and rolls
  back to the last good checkpoint) when any logged value becomes NaN or infinite.

Keras' own `keras.callbacks.TensorBoard` works with the GAN's logs as it is.
"""

from __future__ import annotations

import json
import logging
import math
import os
import re
import tempfile
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import keras
import numpy as np
from keras import ops

from kerasgan import weights_files
from kerasgan.errors import IntegrityError, InvalidArgumentError
from kerasgan.images import make_grid, to_uint8
from kerasgan.staging import write_atomically

logger = logging.getLogger("kerasgan.training")

__all__ = [
    "SampleGrid",
    "Checkpoint",
    "CheckpointInfo",
    "TrainingMonitor",
    "TrainingDiverged",
    "load_checkpoint",
    "resume",
]


# --------------------------------------------------------------------------- helpers
def _global_step(model) -> int:
    """Training steps done so far: the generator optimizer's iteration count (one per step),
    which lives in the checkpoint, so it carries over a resume."""
    try:
        return int(ops.convert_to_numpy(model.optimizer.iterations))
    except (AttributeError, TypeError):
        return 0


def _plain_logs(logs) -> dict:
    """Logs as JSON-ready floats (non-numeric entries are left out)."""
    out = {}
    for key, value in (logs or {}).items():
        try:
            out[str(key)] = float(ops.convert_to_numpy(value))
        except (TypeError, ValueError):
            continue
    return out


def _non_finite(logs) -> dict:
    """The logged values that are NaN or infinite."""
    return {k: v for k, v in _plain_logs(logs).items() if not math.isfinite(v)}


def _finite_state(model) -> bool:
    """Whether every float variable (weights, statistics, both optimizers) is finite."""
    variables = list(model.variables) + list(model.d_optimizer.variables) + list(model.g_optimizer.variables)
    return all(
        np.isfinite(ops.convert_to_numpy(v)).all()
        for v in variables
        if "float" in str(v.dtype)
    )


def _fsync_dir(directory: Path) -> None:
    # Makes the rename itself durable; not possible (nor needed) on Windows.
    if os.name == "nt":
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# ----------------------------------------------------------------------- SampleGrid
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


# ----------------------------------------------------------------------- Checkpoint
_FORMAT = "kerasgan.checkpoint"
_FORMAT_VERSION = 1
_GROUP = "kerasgan_checkpoint"
_NAME = re.compile(r"^ckpt-(\d{9,})(?:-epoch(\d{4,}))?\.weights\.h5$")
_TMP_PREFIX = ".ckpt-tmp-"


@dataclass
class CheckpointInfo:
    """What a checkpoint file says about itself. `epoch` counts finished epochs; for a
    mid-epoch checkpoint (`epoch_end=False`) `batch` batches of epoch index `epoch` were done."""

    path: Path
    step: int
    epoch: int
    batch: int
    epoch_end: bool
    logs: dict = field(default_factory=dict)
    model_class: str = ""
    backend: str = ""
    time: float = 0.0


def _extra_state(model) -> list:
    """Variables that `save_weights` leaves out but a continued run needs: every
    non-trainable variable (seed generator states, the model's and e.g. Dropout layers';
    BatchNorm statistics come along, which costs little). Matched by position, since
    variable paths get renumbered (`seed_generator_3`) when models share a process."""
    return list(model.non_trainable_variables)


def _write_training_state(path: Path, model, metadata: dict) -> None:
    """Appends the seed states and metadata to a `.weights.h5` Keras has written."""
    import h5py

    with h5py.File(path, "a") as f:
        group = f.create_group(_GROUP)
        state = group.create_group("non_trainable")
        for i, variable in enumerate(_extra_state(model)):
            data = state.create_dataset(str(i), data=ops.convert_to_numpy(variable))
            data.attrs["path"] = variable.path
        group.attrs["metadata"] = json.dumps(metadata)  # written last: its presence marks a whole file


def _read_info(path: Path) -> CheckpointInfo:
    """What the checkpoint says about itself; IntegrityError when it cannot be read."""
    with weights_files.open_h5(path, "checkpoint") as f:
        try:
            meta = json.loads(f[_GROUP].attrs["metadata"])
        except (KeyError, OSError, ValueError, RuntimeError):  # not ours, or cut before the record
            raise IntegrityError(f"{path} is not a complete kerasgan checkpoint (it has no training record).") from None
    if not isinstance(meta, dict) or meta.get("format") != _FORMAT:
        raise IntegrityError(f"{path} is not a kerasgan checkpoint.")
    try:
        return CheckpointInfo(
            path=Path(path), step=int(meta["step"]), epoch=int(meta["epoch"]), batch=int(meta["batch"]),
            epoch_end=bool(meta["epoch_end"]), logs=dict(meta.get("logs", {})), model_class=meta.get("model_class", ""),
            backend=meta.get("backend", ""), time=float(meta.get("time", 0.0)),
        )
    except (KeyError, TypeError, ValueError) as error:
        raise IntegrityError(f"{path} has a damaged training record ({error!r}).") from None


def load_checkpoint(model, path) -> CheckpointInfo:
    """Restores a checkpoint file into a compiled model of the same configuration: weights,
    both optimizers' variables and the seed states. Returns what the file says about itself.

    Raises `IntegrityError` for a truncated or foreign file and for one holding NaN or inf
    (checked before anything is assigned), `InvalidArgumentError` for a model built with other
    options than the run that wrote it."""
    path = Path(path)
    if not getattr(model, "compiled", False) or getattr(model, "d_optimizer", None) is None:
        raise InvalidArgumentError("Compile the model before restoring a checkpoint: both optimizers must exist to take their state.")
    info = _read_info(path)
    if info.model_class and info.model_class != type(model).__name__:
        raise InvalidArgumentError(f"{path.name} holds a {info.model_class}, not a {type(model).__name__}.")
    variables = _extra_state(model)
    try:
        with weights_files.open_h5(path, "checkpoint") as f:
            state = f[_GROUP]["non_trainable"]
            values = [state[str(i)][()] for i in range(len(state))]
    except (KeyError, OSError) as error:
        raise IntegrityError(f"The checkpoint {path} is damaged ({error}).") from None
    if len(values) != len(variables) or any(tuple(v.shape) != tuple(a.shape) for v, a in zip(variables, values)):
        raise InvalidArgumentError(f"{path.name} was written by a model with different non-trainable state; "
                                   "build the model with the same options as the run that wrote it.")
    weights_files.load_weights(model, path, "checkpoint")  # refuses NaN/inf before assigning
    for variable, value in zip(variables, values):
        variable.assign(np.asarray(value).astype(variable.dtype))
    return info


class Checkpoint(keras.callbacks.Callback):
    """Saves the full training state every `every_n_epochs` epochs and/or `every_n_steps`
    steps into `directory`, keeping the newest `keep` files plus the newest epoch-end one.

    One file per checkpoint, `ckpt-<step>-epoch<epochs done>.weights.h5` at an epoch's end,
    `ckpt-<step>.weights.h5` inside an epoch: Keras' `.weights.h5` (model weights and both
    optimizers' variables) plus a `kerasgan_checkpoint` group with every non-trainable
    variable (seed generator states above all, which `save_weights` leaves out) and a JSON
    record of epoch, step, batch and the last logs. No pickle anywhere.

    Each file is written to a temporary name in the same folder, fsynced, then renamed with
    `os.replace`: a crash mid-write leaves at most a `.ckpt-tmp-*` file, which is never taken
    for a checkpoint and is removed when the next training starts. A step whose logs or
    variables hold NaN or inf is not saved, so the newest file is always a good one. Use one
    folder per run.
    """

    def __init__(self, directory, every_n_steps: int | None = None, every_n_epochs: int | None = 1, keep: int = 2):
        super().__init__()
        for name, value in (("every_n_steps", every_n_steps), ("every_n_epochs", every_n_epochs)):
            if value is not None and (isinstance(value, bool) or int(value) <= 0):
                raise InvalidArgumentError(f"`{name}` must be a positive whole number or None, got {value!r}.")
        if int(keep) < 1:
            raise InvalidArgumentError(f"`keep` must be at least 1, got {keep!r}.")
        self.directory = Path(directory)
        self.every_n_steps = None if every_n_steps is None else int(every_n_steps)
        self.every_n_epochs = None if every_n_epochs is None else int(every_n_epochs)
        self.keep = int(keep)
        self.last_saved: Path | None = None
        self._epoch = 0
        self._epoch_start_step = 0
        self._batches_done = 0

    # -- file listing
    @staticmethod
    def files(directory, epoch_end_only: bool = False) -> list[Path]:
        """Checkpoint files by name (not opened), oldest first."""
        directory = Path(directory)
        if not directory.is_dir():
            return []
        found = []
        for p in directory.iterdir():
            m = _NAME.match(p.name)
            if m and (m.group(2) is not None or not epoch_end_only):
                found.append((int(m.group(1)), m.group(2) is not None, p))
        return [p for _, _, p in sorted(found)]

    @staticmethod
    def latest(directory, epoch_end_only: bool = False) -> Path | None:
        """The newest complete checkpoint in `directory` (None if there is none). A file that
        cannot be read (truncated, foreign) is skipped with a warning."""
        for path in reversed(Checkpoint.files(directory, epoch_end_only)):
            try:
                _read_info(path)
                return path
            except IntegrityError as error:
                warnings.warn(f"Skipping unreadable checkpoint {path.name}: {error}", stacklevel=2)
        return None

    # -- writing
    def save(self, epoch_end: bool, logs=None) -> Path:
        """Writes one checkpoint now and prunes old ones; returns its path."""
        model = self.model
        step = _global_step(model)
        epoch = self._epoch + 1 if epoch_end else self._epoch
        name = f"ckpt-{step:09d}-epoch{epoch:04d}.weights.h5" if epoch_end else f"ckpt-{step:09d}.weights.h5"
        metadata = {
            "format": _FORMAT, "version": _FORMAT_VERSION, "step": step, "epoch": epoch,
            "batch": 0 if epoch_end else self._batches_done, "epoch_end": epoch_end,
            "logs": _plain_logs(logs), "model_class": type(model).__name__,
            "backend": keras.backend.backend(), "keras": keras.__version__, "time": time.time(),
        }
        self.directory.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=_TMP_PREFIX, suffix=".weights.h5", dir=self.directory)
        os.close(fd)
        tmp = Path(tmp)
        try:
            model.save_weights(tmp, overwrite=True)
            _write_training_state(tmp, model, metadata)
            with open(tmp, "rb") as f:
                os.fsync(f.fileno())
            final = self.directory / name
            os.replace(tmp, final)
            _fsync_dir(self.directory)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        if epoch_end:  # the same step saved mid-epoch is now redundant
            (self.directory / f"ckpt-{step:09d}.weights.h5").unlink(missing_ok=True)
        self.last_saved = final
        self._prune()
        return final

    def _prune(self) -> None:
        """Keeps the newest `keep` readable checkpoints up to the one just written, and the
        newest epoch end among them (resume() needs one). Files with a higher step come from
        a run that was rewound (or are damaged ones a fresh run has not reached yet): they are
        never counted nor deleted, so they can never push out what this run writes."""
        written = _step_of(self.last_saved)
        ours = [p for p in self.files(self.directory) if _step_of(p) <= written]
        readable = [p for p in ours if p == self.last_saved or _readable(p)]
        epoch_ends = [p for p in readable if _NAME.match(p.name).group(2) is not None]
        keep = set(readable[-self.keep:]) | set(epoch_ends[-1:])
        for path in ours:
            if path not in keep:
                path.unlink(missing_ok=True)

    # -- callback hooks
    def on_train_begin(self, logs=None):
        self.directory.mkdir(parents=True, exist_ok=True)
        for stale in self.directory.glob(_TMP_PREFIX + "*"):  # left by a killed writer
            stale.unlink(missing_ok=True)
        self._epoch_start_step = _global_step(self.model)

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch
        self._batches_done = 0
        self._epoch_start_step = _global_step(self.model)

    def on_train_batch_end(self, batch, logs=None):
        before = self._epoch_start_step + self._batches_done
        self._batches_done = batch + 1
        now = self._epoch_start_step + self._batches_done
        if self.every_n_steps and now // self.every_n_steps > before // self.every_n_steps:
            self._save_if_finite(False, logs, f"step {now}")

    def on_epoch_end(self, epoch, logs=None):
        steps = (self.params or {}).get("steps")
        if steps and self._batches_done < steps:
            return  # fit() was stopped inside this epoch (e.g. by TrainingMonitor): no epoch end
        if self.every_n_epochs and (epoch + 1) % self.every_n_epochs == 0:
            self._save_if_finite(True, logs, f"epoch {epoch + 1}")

    def _save_if_finite(self, epoch_end: bool, logs, what: str) -> Path | None:
        # A diverging step can leave inf weights behind finite logs (the logs are computed
        # before the update), so the weights are checked too: every file stays a good one.
        model = self.model
        if _non_finite(logs) or not _finite_state(model):
            logger.warning("Checkpoint: not saving %s, its logs or weights hold NaN/inf.", what)
            return None
        return self.save(epoch_end=epoch_end, logs=logs)


def _step_of(path: Path) -> int:
    return int(_NAME.match(path.name).group(1))


def _readable(path: Path) -> bool:
    try:
        _read_info(path)
        return True
    except IntegrityError:
        return False


def _restore_newest(model, directory, epoch_end_only: bool) -> tuple[CheckpointInfo | None, list[str]]:
    """Loads the newest checkpoint that is whole and finite, newest first; returns its info
    (None when none could be loaded) and one line per file it had to pass over."""
    passed_over = []
    for path in reversed(Checkpoint.files(directory, epoch_end_only)):
        try:
            return load_checkpoint(model, path), passed_over
        except IntegrityError as error:
            passed_over.append(str(error))
            warnings.warn(f"Skipping damaged checkpoint {path.name}: {error}", stacklevel=3)
    return None, passed_over


def resume(model, directory) -> int:
    """Restores the newest epoch-end checkpoint in `directory` into a compiled `model` and
    returns the number of finished epochs, for `fit(..., initial_epoch=resume(model, dir))`;
    0 (and the model untouched) when there is none.

    Mid-epoch (`every_n_steps`) checkpoints are not resumed from: Keras restarts an epoch
    from its first batch and resets the logged running means, so the run rewinds to the last
    epoch end and repeats the steps after it exactly (seed states are restored). Exactly
    means: as long as the data order of an epoch does not depend on how many epochs the
    pipeline has already run, e.g. `shuffle=False`; `fit(shuffle=True)` and a reshuffling
    `tf.data` pipeline start their order afresh in the new process. To skip batches instead,
    restore a step checkpoint yourself with `load_checkpoint(model, Checkpoint.latest(dir))`.

    A damaged checkpoint (truncated, foreign, NaN or inf weights) is passed over with a
    warning for the one before it; when there are checkpoints but none can be resumed from,
    `IntegrityError` is raised rather than a silent restart from epoch 0.
    """
    if not Checkpoint.files(directory, epoch_end_only=True):
        logger.info("resume: no checkpoint in %s, starting from epoch 0.", directory)
        return 0
    info, passed_over = _restore_newest(model, directory, epoch_end_only=True)
    if info is None:
        raise IntegrityError(
            f"None of the {len(passed_over)} epoch-end checkpoint(s) in {directory} can be resumed from "
            f"({passed_over[0].rstrip('.')}); move them away to start afresh."
        )
    path = info.path
    newer = [p for p in Checkpoint.files(directory) if int(_NAME.match(p.name).group(1)) > info.step]
    if newer:
        logger.info("resume: rewinding to the end of epoch %d (step %d); %d newer mid-epoch checkpoint(s) ignored.",
                    info.epoch, info.step, len(newer))
    else:
        logger.info("resume: restored %s (epoch %d, step %d).", path.name, info.epoch, info.step)
    return info.epoch


# ------------------------------------------------------------------ TrainingMonitor
@dataclass
class TrainingDiverged:
    """Where training stopped because a logged value became NaN or infinite."""

    step: int
    epoch: int
    batch: int
    values: dict
    message: str
    restored_from: Path | None = None


class TrainingMonitor(keras.callbacks.Callback):
    """Watches the game. Every `log_every_n_steps` steps it logs, on the "kerasgan.training"
    logger, the means of D(x), D(G(z)) and both losses over those steps.

    Collapse (when `collapse_checks`, by default on for all but the Wasserstein variants,
    whose losses have no floor): the discriminator winning (d_loss below `d_loss_floor` for
    `warn_patience` consecutive steps) or the generator winning early on (g_loss below
    `g_loss_floor` for `warn_patience` consecutive steps within the first `early_steps`
    steps) is warned about once and recorded in `warnings`; with `stop_on_collapse` training
    stops too.

    Divergence: when any logged value is NaN or infinite, training stops, `diverged` holds a
    `TrainingDiverged` naming the step, and, given `checkpoint_dir`, the newest checkpoint
    there (written by `Checkpoint`, which skips non-finite steps) is restored.

    Steps are global and 1-based (the count of training steps done, carried over a resume).
    Keras logs the running means of the epoch so far; with `running_means=True` the
    per-step values are recovered from consecutive means, so checks see each step.
    """

    def __init__(self, warn_patience: int = 50, stop_on_collapse: bool = False, checkpoint_dir=None,
                 d_loss_floor: float = 1e-3, g_loss_floor: float = 1e-3, early_steps: int = 500,
                 log_every_n_steps: int = 100, collapse_checks: bool | None = None, running_means: bool = True):
        super().__init__()
        if int(warn_patience) < 1 or int(log_every_n_steps) < 1:
            raise InvalidArgumentError("`warn_patience` and `log_every_n_steps` must be positive.")
        self.warn_patience, self.stop_on_collapse = int(warn_patience), bool(stop_on_collapse)
        self.checkpoint_dir = None if checkpoint_dir is None else Path(checkpoint_dir)
        self.d_loss_floor, self.g_loss_floor = float(d_loss_floor), float(g_loss_floor)
        self.early_steps, self.log_every_n_steps = int(early_steps), int(log_every_n_steps)
        self.collapse_checks, self.running_means = collapse_checks, bool(running_means)
        self.warnings: list[str] = []
        self.collapsed_at_step: int | None = None
        self.diverged: TrainingDiverged | None = None
        self._reset_run(0)

    @property
    def diverged_at_step(self) -> int | None:
        return None if self.diverged is None else self.diverged.step

    def _reset_run(self, step: int) -> None:
        self._epoch, self._epoch_start_step, self._last_batch = 0, step, -1
        self._prev_means: dict = {}
        self._d_low = self._g_low = 0
        self._window: dict = {}
        self._window_steps = 0
        self._warned: set = set()

    # -- hooks
    def on_train_begin(self, logs=None):
        self._reset_run(_global_step(self.model))
        if self.collapse_checks is None:
            from kerasgan.models.wgan import _Wasserstein

            self.collapse_checks = not isinstance(self.model, _Wasserstein)

    def on_epoch_begin(self, epoch, logs=None):
        self._new_epoch(epoch)

    def _new_epoch(self, epoch: int) -> None:
        self._epoch_start_step += self._last_batch + 1
        self._epoch, self._last_batch, self._prev_means = epoch, -1, {}

    def on_train_batch_end(self, batch, logs=None):
        if batch <= self._last_batch:  # driven without on_epoch_begin: a new epoch began
            self._new_epoch(self._epoch + 1)
        logs = _plain_logs(logs)
        values = self._step_values(batch, logs)
        steps = batch - self._last_batch
        self._last_batch = batch
        step = self._epoch_start_step + batch + 1

        bad = {k: v for k, v in logs.items() if not math.isfinite(v)}
        if bad:
            self._diverge(step, batch, bad)
            return
        self._accumulate(values, steps, step)
        if self.collapse_checks is not False:
            self._check_collapse(step, values, steps)

    # -- per-step values and the periodic log
    def _step_values(self, batch: int, logs: dict) -> dict:
        """Per-step values (the mean over the steps since the last call) from running means."""
        if not self.running_means:
            return dict(logs)
        k, j = batch + 1, self._last_batch + 1
        out = {}
        for key, mean in logs.items():
            prev = self._prev_means.get(key, 0.0) if j > 0 else 0.0
            out[key] = (k * mean - j * prev) / (k - j)
        self._prev_means = dict(logs)
        return out

    def _accumulate(self, values: dict, steps: int, step: int) -> None:
        for key, value in values.items():
            self._window[key] = self._window.get(key, 0.0) + value * steps
        self._window_steps += steps
        if (step - steps) // self.log_every_n_steps < step // self.log_every_n_steps:
            n = self._window_steps
            mean = {k: v / n for k, v in self._window.items()}
            logger.info(
                "step %d (epoch %d): D(x)=%.4f D(G(z))=%.4f d_loss=%.4f g_loss=%.4f (mean of %d steps)",
                step, self._epoch + 1, mean.get("d_real", float("nan")), mean.get("d_fake", float("nan")),
                mean.get("d_loss", float("nan")), mean.get("g_loss", float("nan")), n,
            )
            self._window, self._window_steps = {}, 0

    # -- collapse
    def _check_collapse(self, step: int, values: dict, steps: int) -> None:
        d_loss, g_loss = values.get("d_loss"), values.get("g_loss")
        self._d_low = self._d_low + steps if d_loss is not None and d_loss < self.d_loss_floor else 0
        early = step <= self.early_steps
        self._g_low = self._g_low + steps if early and g_loss is not None and g_loss < self.g_loss_floor else 0
        if self._d_low >= self.warn_patience:
            self._collapse("discriminator", step, (
                f"The discriminator wins: d_loss < {self.d_loss_floor:g} for {self._d_low} consecutive steps "
                f"(up to step {step}); the generator gets almost no gradient. Try a lower D learning rate, "
                "label smoothing or fewer D updates."))
        if self._g_low >= self.warn_patience:
            self._collapse("generator", step, (
                f"The generator wins early: g_loss < {self.g_loss_floor:g} for {self._g_low} consecutive steps "
                f"(up to step {step}); the discriminator is not learning, which often means mode collapse."))

    def _collapse(self, who: str, step: int, message: str) -> None:
        if who in self._warned:
            return
        self._warned.add(who)
        self.warnings.append(message)
        if self.collapsed_at_step is None:
            self.collapsed_at_step = step
        logger.warning(message)
        if self.stop_on_collapse:
            logger.warning("Stopping training (stop_on_collapse=True).")
            self.model.stop_training = True

    # -- divergence
    def _diverge(self, step: int, batch: int, bad: dict) -> None:
        shown = ", ".join(f"{k}={v}" for k, v in sorted(bad.items()))
        message = f"Training diverged at step {step} (epoch {self._epoch + 1}, batch {batch + 1}): {shown}."
        restored = None
        if self.checkpoint_dir is not None:
            info, _ = _restore_newest(self.model, self.checkpoint_dir, epoch_end_only=False)
            if info is None:
                message += f" No good checkpoint in {self.checkpoint_dir} to restore."
            else:
                restored = info.path
                message += f" Restored {info.path.name} (step {info.step})."
        self.diverged = TrainingDiverged(step=step, epoch=self._epoch + 1, batch=batch + 1, values=bad,
                                         message=message, restored_from=restored)
        logger.error(message)
        self.model.stop_training = True
