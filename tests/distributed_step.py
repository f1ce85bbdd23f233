"""One training step on 4 virtual devices against the same step on one device.

Run as a script in a fresh process (the device count is fixed when the backend starts):
    KERAS_BACKEND=jax|tensorflow python tests/distributed_step.py
It prints one JSON line: per variant, the largest weight difference after one step with a global
batch of 64, the logged metrics of both runs, the largest difference of sample grids, and, on
TensorFlow, the largest difference between replicas' copies of every variable.
Data parallelism is set up the way the Keras documentation shows: `DataParallel` on JAX,
building and compiling inside `MirroredStrategy.scope()` on TensorFlow.
"""

import json
import os
import sys

BACKEND = os.environ["KERAS_BACKEND"]
REPLICAS = 4
if BACKEND == "jax":  # must precede jax's import
    os.environ["XLA_FLAGS"] = f"--xla_force_host_platform_device_count={REPLICAS}"

import numpy as np  # noqa: E402

if BACKEND == "tensorflow":
    import tensorflow as tf

    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * REPLICAS)

import keras  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from helpers import batch, make  # noqa: E402

GLOBAL_BATCH = 64

# name -> (helpers variant, constructor overrides, optimizers). Without BatchNorm anywhere
# ("selu") N replicas must compute what one device does. SGD is scale-sensitive, so it shows
# gradients summed over replicas without the 1/N; Adam and RMSprop would hide that.
CASES = {
    # noise, DiffAugment's draws and the 1/N loss scaling
    "no-batchnorm": ("DCGAN-selu", dict(diff_augment="color,translation,cutout"), "sgd"),
    "wgan-clipping": ("WGAN", dict(activation="selu"), None),  # n_critic=2, RMSprop, clipped critic
    "wgangp-penalty": ("WGANGP", dict(activation="selu"), None),  # the penalty's second-order gradients
    "batchnorm": ("DCGAN", {}, None),  # BatchNorm in G and D
}


def _compile(model, optimizers):
    if optimizers == "sgd":
        model.compile(keras.optimizers.SGD(0.1), keras.optimizers.SGD(0.1))
    else:
        model.compile()


def _train_one_step(model, weights, x):
    model.set_weights(weights)
    history = model.fit(x, batch_size=GLOBAL_BATCH, epochs=1, shuffle=False, verbose=0)
    return [np.array(w) for w in model.get_weights()], {k: float(v[-1]) for k, v in history.history.items()}


_STRATEGY = []


def _mirrored():
    """One strategy for the process: a second MirroredStrategy's collectives collide with the first's."""
    if not _STRATEGY:
        _STRATEGY.append(tf.distribute.MirroredStrategy([f"/cpu:{i}" for i in range(REPLICAS)]))
    return _STRATEGY[0]


def _replica_spread(variables):
    """The largest difference between replicas' copies of any of these variables (TensorFlow)."""
    spread = 0.0
    for v in variables:
        copies = [c.numpy() for c in v.value.values] if hasattr(v.value, "values") else []
        spread = max([spread] + [float(np.max(np.abs(c - copies[0]))) for c in copies[1:]])
    return spread


def run_case(variant, overrides, optimizers):
    single = make(variant, seed=0, compile=False, **overrides)
    weights = single.get_weights()
    x, _ = batch(single, GLOBAL_BATCH, seed=1)
    _compile(single, optimizers)
    single_weights, single_logs = _train_one_step(single, weights, x)
    single_grid = single.sample(4, seed=3)

    if BACKEND == "jax":
        import jax

        with keras.distribution.DataParallel(devices=jax.devices()).scope():
            model = make(variant, seed=0, compile=False, **overrides)
            _compile(model, optimizers)
            spread_weights, spread_logs = _train_one_step(model, weights, x)
            grid = model.sample(4, seed=3)
        replica_spread = statistics_spread = 0.0  # one program over sharded arrays: no copies to drift
        layout = str(model.generator.trainable_variables[0].value.sharding)
    else:
        strategy = _mirrored()
        with strategy.scope():
            model = make(variant, seed=0, compile=False, **overrides)
            _compile(model, optimizers)
        spread_weights, spread_logs = _train_one_step(model, weights, x)
        grid = model.sample(4, seed=3)
        replica_spread = _replica_spread(model.trainable_weights + model.optimizer.variables)
        statistics_spread = _replica_spread(model.non_trainable_weights)
        layout = f"{strategy.num_replicas_in_sync} replicas"
    return {
        "max_weight_diff": max(float(np.max(np.abs(a - b))) for a, b in zip(single_weights, spread_weights)),
        # without BatchNorm's moving statistics
        "max_trainable_diff": max(
            float(np.max(np.abs(np.array(a) - np.array(b))))
            for a, b in zip(_trainable(single), _trainable(model))
        ),
        "single_logs": single_logs,
        "replica_logs": spread_logs,
        "max_grid_diff": float(np.max(np.abs(single_grid - grid))),
        "replica_spread": replica_spread,  # trainable weights and both optimizers' states
        "statistics_spread": statistics_spread,  # BatchNorm's moving statistics and the seed state
        "layout": layout,
    }


def _trainable(model):
    return [keras.ops.convert_to_numpy(v) for v in model.trainable_weights]


if __name__ == "__main__":
    names = sys.argv[1:] or list(CASES)
    print(json.dumps({name: run_case(*CASES[name]) for name in names}))
