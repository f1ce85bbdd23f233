"""One process of a two-process cluster on this machine, as a user would set one up.

    KERAS_BACKEND=tensorflow TF_CONFIG='{"cluster": {"worker": [...]}, "task": {...}}' python tests/cluster_worker.py OUT
    KERAS_BACKEND=jax KERAS_DISTRIBUTION_JOB_ADDRESSES=127.0.0.1:PORT,... KERAS_DISTRIBUTION_NUM_PROCESSES=2 \\
        KERAS_DISTRIBUTION_PROCESS_ID=I python tests/cluster_worker.py OUT
    KERAS_BACKEND=... python tests/cluster_worker.py OUT          # the same training on one process

Trains a DCGAN without BatchNorm (SELU) for two steps of a global batch of 64 through
`kerasgan.distribute`, as `kerasgan train` does, and writes OUT/weights-<process>.npz (this
process's copy of every weight) and OUT/logs-<process>.json (its last logged metrics).
"""

import json
import os
import sys
from pathlib import Path

import keras
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from helpers import batch, make  # noqa: E402

from kerasgan import distribute  # noqa: E402

GLOBAL_BATCH = 64


def _process_index() -> int:
    if os.environ.get("TF_CONFIG"):
        return int(json.loads(os.environ["TF_CONFIG"])["task"]["index"])
    return int(os.environ.get("KERAS_DISTRIBUTION_PROCESS_ID", 0))


def _local_copy(variable) -> np.ndarray:
    value = variable.value
    if hasattr(value, "addressable_data"):  # JAX: a global array; this process holds a full replica
        return np.asarray(value.addressable_data(0))
    return keras.ops.convert_to_numpy(value)


def main(out: Path) -> None:
    with distribute.data_parallel():
        model = make("DCGAN-selu", seed=0, compile=False)
        # SGD is scale-sensitive: a gradient summed over processes without the 1/N would show
        model.compile(keras.optimizers.SGD(0.1), keras.optimizers.SGD(0.1))
        x, _ = batch(model, 2 * GLOBAL_BATCH, seed=1)
        x, _, batch_size = distribute.this_process_share(x, None, GLOBAL_BATCH)
        history = model.fit(x, batch_size=batch_size, epochs=1, shuffle=False, verbose=0)
        replicas = distribute.replica_count()
    index = _process_index()
    np.savez(out / f"weights-{index}.npz", *[_local_copy(v) for v in model.weights])
    (out / f"logs-{index}.json").write_text(json.dumps({k: float(v[-1]) for k, v in history.history.items()}))
    print(f"process {index}: replicas {replicas}, chief {distribute.is_chief()}")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
