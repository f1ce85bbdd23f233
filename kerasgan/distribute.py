"""Data-parallel training on several devices and hosts, through the engines Keras already has.

    with kerasgan.distribute.data_parallel(devices=8):   # None: every local accelerator
        gan = DCGAN(); gan.compile(); gan.fit(ds)        # build, compile and fit inside

- JAX: `keras.distribution.DataParallel`, one program over the global batch. Several hosts:
  `keras.distribution.initialize()` (`jax.distributed`) first, from Keras' variables
  `KERAS_DISTRIBUTION_JOB_ADDRESSES` (the coordinator's host:port first),
  `KERAS_DISTRIBUTION_NUM_PROCESSES` and `KERAS_DISTRIBUTION_PROCESS_ID`.
- TensorFlow: `MirroredStrategy` over the local GPUs (or logical CPUs, for tests), and
  `MultiWorkerMirroredStrategy` when `TF_CONFIG` names a cluster.
- PyTorch: Keras has no distribution API there, so more than one device is refused.

Call `data_parallel` before the backend runs its first operation: both multi-host set-ups must
come first. Only the chief (`is_chief()`) should write checkpoints, logs and presets.
"""

from __future__ import annotations

import contextlib
import json
import os

from kerasgan.errors import InvalidArgumentError

_STRATEGIES = {}  # one strategy per device set: a second MirroredStrategy's collectives clash with the first's


def _backend() -> str:
    import keras

    return keras.backend.backend()


def multi_host() -> bool:
    """Whether the environment names a cluster of processes (TF_CONFIG, or Keras' variables for JAX)."""
    if _backend() == "tensorflow":
        return bool(json.loads(os.environ.get("TF_CONFIG", "{}")).get("cluster"))
    if _backend() == "jax":
        return int(os.environ.get("KERAS_DISTRIBUTION_NUM_PROCESSES", "1")) > 1
    return False


def local_devices() -> list:
    """This process's devices: its accelerators, else its CPU devices (one, unless virtual ones
    were configured: XLA_FLAGS=--xla_force_host_platform_device_count, TF logical devices)."""
    backend = _backend()
    if backend == "jax":
        import jax

        return jax.local_devices()
    if backend == "tensorflow":
        import tensorflow as tf

        return tf.config.list_logical_devices("GPU") or tf.config.list_logical_devices("CPU")
    import torch

    return [f"cuda:{i}" for i in range(torch.cuda.device_count())] or ["cpu"]


def _is_accelerator(device) -> bool:
    kind = getattr(device, "device_type", None) or getattr(device, "platform", None) or str(device)
    return not kind.lower().startswith("cpu")


def data_parallel(devices: int | None = None):
    """A context to build, compile and fit a model in, on `devices` local devices (None: every
    local accelerator) and on every process of a cluster. One device gives a plain context."""
    if devices is not None and (isinstance(devices, bool) or not isinstance(devices, int) or devices < 1):
        raise InvalidArgumentError(f"`devices` must be a positive whole number, got {devices!r}.")
    backend = _backend()
    if backend == "torch":
        if devices is not None and devices > 1:
            raise InvalidArgumentError(
                f"Keras has no distribution API on the torch backend, so kerasgan trains on one device there, "
                f"not {devices}; use the jax or tensorflow backend (KERAS_BACKEND) to train on several.")
        return contextlib.nullcontext()
    if backend == "jax" and multi_host():
        import keras

        keras.distribution.initialize()  # jax.distributed, from KERAS_DISTRIBUTION_* variables
    if backend == "tensorflow" and multi_host():
        return _strategy_scope("multi-worker", devices)
    available = local_devices()
    wanted = devices or sum(map(_is_accelerator, available)) or 1  # default: every accelerator, else one CPU
    if wanted > len(available):
        kinds = sorted({getattr(d, "device_type", None) or getattr(d, "platform", "device") for d in available})
        raise InvalidArgumentError(
            f"--devices asks for {wanted} devices, but this process sees {len(available)} "
            f"({', '.join(kinds).lower()}).")
    if backend == "jax":
        import jax
        import keras

        if jax.process_count() == 1 and wanted == 1:
            return contextlib.nullcontext()
        # every process's devices: with several hosts the global batch spans them all
        chosen = jax.devices() if jax.process_count() > 1 else available[:wanted]
        return keras.distribution.DataParallel(devices=chosen).scope()
    if wanted == 1:
        return contextlib.nullcontext()
    return _strategy_scope(tuple(d.name for d in available[:wanted]), devices)


def _strategy_scope(key, devices):
    import tensorflow as tf

    if key not in _STRATEGIES:
        if key == "multi-worker":
            _STRATEGIES[key] = tf.distribute.MultiWorkerMirroredStrategy()
        else:
            _STRATEGIES[key] = tf.distribute.MirroredStrategy(list(key))
    return _STRATEGIES[key].scope()


def replica_count() -> int:
    """How many replicas the current strategy or distribution trains on (1 outside one)."""
    backend = _backend()
    if backend == "tensorflow":
        import tensorflow as tf

        return tf.distribute.get_strategy().num_replicas_in_sync
    if backend == "jax":
        import keras

        distribution = keras.distribution.distribution()
        return len(distribution.device_mesh.devices.reshape(-1)) if distribution is not None else 1
    return 1


def this_process_share(x, y, batch_size: int):
    """(x, y, batch size) for this process to pass to `fit`. JAX on several hosts: Keras shards a
    `tf.data.Dataset` across processes itself but takes in-memory arrays as each process's own
    share, so every process keeps an equal share of the rows (x[i::n]) and of the global batch.
    Elsewhere: unchanged."""
    if _backend() != "jax" or not multi_host():
        return x, y, batch_size
    import jax
    import keras

    n, i = jax.process_count(), jax.process_index()
    if batch_size % n:
        raise InvalidArgumentError(f"The global batch size must be a multiple of the {n} processes, got {batch_size}.")
    keras.distribution.distribution().auto_shard_dataset = False  # the arrays below are this process's share
    rows = len(x) // n  # equal shares: every process must run as many steps
    return x[i::n][:rows], None if y is None else y[i::n][:rows], batch_size // n


def is_chief() -> bool:
    """Whether this process writes checkpoints, logs and presets: the only one, JAX's process 0,
    or TF_CONFIG's chief (its worker 0 when there is no chief)."""
    backend = _backend()
    if backend == "jax" and multi_host():
        import jax

        return jax.process_index() == 0
    if backend == "tensorflow" and multi_host():
        task = json.loads(os.environ["TF_CONFIG"]).get("task", {})
        cluster = json.loads(os.environ["TF_CONFIG"])["cluster"]
        if "chief" in cluster:
            return task.get("type") == "chief"
        return task.get("type") == "worker" and int(task.get("index", 0)) == 0
    return True
