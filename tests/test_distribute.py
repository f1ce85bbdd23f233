"""Data-parallel training on 4 virtual CPU devices gives what one device gives.

Each backend's check runs once, in a subprocess (tests/distributed_step.py), because the device
count is fixed when the backend starts. JAX: `keras.distribution.DataParallel`, one program over
the global batch. TensorFlow: `MirroredStrategy`, one copy of the step per replica, whose
gradients Keras sums; kerasgan divides each replica's loss by the replica count and slices every
random draw (noise, penalty interpolates, DiffAugment) out of the global batch's draw.
PyTorch has no Keras distribution API (see test_cli_devices.py).
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import BACKEND

ROOT = Path(__file__).resolve().parents[1]
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(BACKEND == "torch", reason="Keras has no distribution API on the torch backend"),
]
CASES = {
    "jax": ["no-batchnorm", "wgangp-penalty", "batchnorm"],
    "tensorflow": ["no-batchnorm", "wgan-clipping", "wgangp-penalty", "batchnorm"],
}
WEIGHT_ATOL = 1e-5  # float32 sums in another order; a missing 1/N or shared noise moves weights by ~1e-4 or more


@pytest.fixture(scope="module")
def results():
    env = {**os.environ, "KERAS_BACKEND": BACKEND, "PYTHONPATH": str(ROOT), "TF_CPP_MIN_LOG_LEVEL": "3"}
    proc = subprocess.run(
        [sys.executable, str(ROOT / "tests" / "distributed_step.py"), *CASES[BACKEND]],
        env=env, capture_output=True, text=True, timeout=400,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _same_logs(case):
    for name, value in case["single_logs"].items():
        assert case["replica_logs"][name] == pytest.approx(value, rel=1e-5, abs=1e-7), name


@pytest.mark.parametrize("name", ["no-batchnorm", "wgangp-penalty"])
def test_without_batchnorm_four_replicas_match_one_device(results, name):
    case = results[name]
    assert case["max_weight_diff"] < WEIGHT_ATOL, case
    assert case["replica_spread"] == 0.0
    assert case["max_grid_diff"] < WEIGHT_ATOL
    _same_logs(case)  # losses and D's reports are the global batch's


@pytest.mark.skipif(BACKEND != "tensorflow", reason="weight clipping acts on per-replica copies only under tf.distribute")
def test_weight_clipping_on_replicas_matches_one_device(results):
    case = results["wgan-clipping"]
    assert case["max_weight_diff"] < WEIGHT_ATOL, case
    assert case["replica_spread"] == 0.0
    _same_logs(case)


@pytest.mark.skipif(BACKEND != "jax", reason="BatchNorm sees the global batch only under JAX's DataParallel")
def test_batchnorm_on_jax_uses_global_batch_statistics(results):
    case = results["batchnorm"]
    assert case["max_weight_diff"] < 5 * WEIGHT_ATOL, case  # moving statistics included
    _same_logs(case)


@pytest.mark.skipif(BACKEND != "tensorflow", reason="per-replica BatchNorm statistics are MirroredStrategy's")
def test_batchnorm_on_mirrored_strategy_normalizes_per_replica(results):
    """Each replica normalizes by its own slice's statistics (as documented in the README): the
    step differs from one device's, but the trainable weights and both optimizers' states stay
    identical on every replica; each replica keeps its own moving statistics, and the model
    saves the first replica's."""
    case = results["batchnorm"]
    assert case["replica_spread"] == 0.0, case
    assert case["max_trainable_diff"] > WEIGHT_ATOL  # statistics of 16 images, not of 64
    assert case["statistics_spread"] > 0.0
    assert case["replica_logs"]["d_loss"] == pytest.approx(case["single_logs"]["d_loss"], rel=1e-2)
