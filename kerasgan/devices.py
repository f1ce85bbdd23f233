"""What the current Keras backend computes on, in words, for training facts and benchmarks."""

from __future__ import annotations

import os
import platform


def device_name() -> str:
    """E.g. "NVIDIA H100 80GB HBM3" or "CPU (x86_64, 2 cores)": the first accelerator the current
    Keras backend sees, else the CPU."""
    import keras

    backend = keras.backend.backend()
    try:
        if backend == "jax":
            import jax

            device = jax.devices()[0]
            if device.platform != "cpu":
                return device.device_kind
        elif backend == "torch":
            import torch

            if torch.cuda.is_available():
                return torch.cuda.get_device_name(0)
        elif backend == "tensorflow":
            import tensorflow as tf

            gpus = tf.config.list_logical_devices("GPU")
            if gpus:
                return tf.config.experimental.get_device_details(tf.config.list_physical_devices("GPU")[0]).get(
                    "device_name", gpus[0].name)
    except Exception:  # a broken accelerator stack still trains on the CPU
        pass
    return f"CPU ({platform.machine()}, {os.cpu_count()} cores)"
