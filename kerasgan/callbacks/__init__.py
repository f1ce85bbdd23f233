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

from kerasgan.callbacks.checkpoint import Checkpoint, CheckpointInfo, load_checkpoint, resume
from kerasgan.callbacks.monitor import TrainingDiverged, TrainingMonitor
from kerasgan.callbacks.sample_grid import SampleGrid

__all__ = [
    "SampleGrid",
    "Checkpoint",
    "CheckpointInfo",
    "TrainingMonitor",
    "TrainingDiverged",
    "load_checkpoint",
    "resume",
]
