"""`Checkpoint`, `load_checkpoint` and `resume`: the whole training state, written atomically and read back."""

from __future__ import annotations

import json
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
from kerasgan.callbacks.common import finite_state, fsync_dir, global_step, logger, non_finite, plain_logs
from kerasgan.errors import IntegrityError, InvalidArgumentError


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
        step = global_step(model)
        epoch = self._epoch + 1 if epoch_end else self._epoch
        name = f"ckpt-{step:09d}-epoch{epoch:04d}.weights.h5" if epoch_end else f"ckpt-{step:09d}.weights.h5"
        metadata = {
            "format": _FORMAT, "version": _FORMAT_VERSION, "step": step, "epoch": epoch,
            "batch": 0 if epoch_end else self._batches_done, "epoch_end": epoch_end,
            "logs": plain_logs(logs), "model_class": type(model).__name__,
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
            fsync_dir(self.directory)
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
        self._epoch_start_step = global_step(self.model)

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch
        self._batches_done = 0
        self._epoch_start_step = global_step(self.model)

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
        if non_finite(logs) or not finite_state(model):
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


def restore_newest(model, directory, epoch_end_only: bool) -> tuple[CheckpointInfo | None, list[str]]:
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
    info, passed_over = restore_newest(model, directory, epoch_end_only=True)
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
