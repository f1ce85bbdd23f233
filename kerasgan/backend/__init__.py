"""What differs per backend: the gradient step, and the ops Keras runs slowly on one of them.

Each module provides `TrainerMixin` (Keras' `train_step` entry point with the backend's
signature; `_loss_and_gradients`, a loss and its gradients for some variables;
`_forward_and_pullback`, a forward pass whose graph is kept to backpropagate a cotangent
later; `_loss_and_input_gradient`, a loss and its gradient for one input; `_apply_gradients`,
an optimizer's update of some variables) and
`input_gradients(fn, x)`, the differentiable gradient of `sum(fn(x))` with respect to `x`
that the gradient penalty needs, `conv` and `conv_transpose`, `keras.ops`' convolutions
computed fast on each backend (JAX: the transposed one's kernel gradient; torch: no layout
copies), `batch_norm`, a training batch's normalisation in one fused kernel (None where the compiler
fuses Keras' layer: XLA, Grappler), `replica_rows(draw, n)`, this replica's n rows of a random draw
for the global batch, and what mixed precision each can train: `LOSS_SCALING` (mixed_float16) and
`check_bfloat16_training(networks)`, which refuses mixed_bfloat16 where the backend cannot.
"""

import keras

BACKEND = keras.backend.backend()

if BACKEND == "tensorflow":
    from kerasgan.backend.tensorflow import (
        LOSS_SCALING, TrainerMixin, batch_norm, check_bfloat16_training, conv, conv_transpose, input_gradients,
        replica_rows)
elif BACKEND == "jax":
    from kerasgan.backend.jax import (
        LOSS_SCALING, TrainerMixin, batch_norm, check_bfloat16_training, conv, conv_transpose, input_gradients,
        replica_rows)
elif BACKEND == "torch":
    from kerasgan.backend.torch import (
        LOSS_SCALING, TrainerMixin, batch_norm, check_bfloat16_training, conv, conv_transpose, input_gradients,
        replica_rows)
else:  # pragma: no cover - depends on the environment
    raise ImportError(
        f"kerasgan runs on the tensorflow, jax and torch Keras backends, found KERAS_BACKEND={BACKEND!r}."
    )

__all__ = ["BACKEND", "LOSS_SCALING", "TrainerMixin", "batch_norm", "check_bfloat16_training", "conv", "conv_transpose",
           "input_gradients", "replica_rows"]
