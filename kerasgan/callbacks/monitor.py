"""`TrainingMonitor`: D(x) and D(G(z)) in the logs, a warning when one player wins, a stop (and a
rollback to the last good checkpoint) when a logged value is NaN or infinite."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import keras

from kerasgan.callbacks.checkpoint import restore_newest
from kerasgan.callbacks.common import global_step, logger, plain_logs
from kerasgan.errors import InvalidArgumentError


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
        self._reset_run(global_step(self.model))
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
        logs = plain_logs(logs)
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
            info, _ = restore_newest(self.model, self.checkpoint_dir, epoch_end_only=False)
            if info is None:
                message += f" No good checkpoint in {self.checkpoint_dir} to restore."
            else:
                restored = info.path
                message += f" Restored {info.path.name} (step {info.step})."
        self.diverged = TrainingDiverged(step=step, epoch=self._epoch + 1, batch=batch + 1, values=bad,
                                         message=message, restored_from=restored)
        logger.error(message)
        self.model.stop_training = True
