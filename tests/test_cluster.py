"""Two processes on this machine train as one cluster, set up as a user would: TF_CONFIG with
`MultiWorkerMirroredStrategy` on TensorFlow, a coordinator on 127.0.0.1 and Keras'
KERAS_DISTRIBUTION_* variables for `jax.distributed` on JAX. Each test starts its processes
afresh; none waits more than a few minutes for a peer that died."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from conftest import BACKEND

ROOT = Path(__file__).resolve().parents[1]
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(BACKEND == "torch", reason="Keras has no distribution API on the torch backend"),
]


def _free_ports(n):
    sockets = [socket.socket() for _ in range(n)]
    for s in sockets:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in sockets]
    for s in sockets:
        s.close()
    return ports


def _cluster_envs(n=2):
    """The environment of each of n processes of one cluster on 127.0.0.1."""
    addresses = [f"127.0.0.1:{port}" for port in _free_ports(n)]
    base = {**os.environ, "PYTHONPATH": str(ROOT), "TF_CPP_MIN_LOG_LEVEL": "3", "KERAS_BACKEND": BACKEND}
    if BACKEND == "tensorflow":
        return [{**base, "TF_CONFIG": json.dumps({"cluster": {"worker": addresses},
                                                   "task": {"type": "worker", "index": i}})} for i in range(n)]
    return [{**base, "KERAS_DISTRIBUTION_JOB_ADDRESSES": ",".join(addresses),  # the coordinator first
             "KERAS_DISTRIBUTION_NUM_PROCESSES": str(n), "KERAS_DISTRIBUTION_PROCESS_ID": str(i)} for i in range(n)]


def _run_together(command, cwd, timeout=240):
    procs = [subprocess.Popen(command, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
             for env in _cluster_envs()]
    try:
        outputs = [p.communicate(timeout=timeout)[0] for p in procs]
    finally:
        for p in procs:  # bounded: never leave a process waiting for its peer
            if p.poll() is None:
                p.kill()
    assert [p.returncode for p in procs] == [0, 0], "\n".join(o[-2500:] for o in outputs)
    return outputs


def test_two_processes_end_with_identical_weights_equal_to_one_process(tmp_path):
    """No BatchNorm, SGD, a global batch of 64 over two processes: each ends with the same weights
    to the bit, and with what one process training on the whole batch ends with (float tolerance)."""
    worker = [sys.executable, str(ROOT / "tests" / "cluster_worker.py")]
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TF_CPP_MIN_LOG_LEVEL": "3", "KERAS_BACKEND": BACKEND}
    single = subprocess.run(worker + [str(tmp_path / "one")], env=env, capture_output=True, text=True, timeout=240)
    assert single.returncode == 0, single.stderr[-3000:]
    outputs = _run_together(worker + [str(tmp_path / "two")], tmp_path)
    assert "replicas 2, chief True" in outputs[0] and "replicas 2, chief False" in outputs[1]

    one, first, second = (np.load(tmp_path / folder / f"weights-{i}.npz")
                          for folder, i in (("one", 0), ("two", 0), ("two", 1)))
    assert len(one.files) == len(first.files) > 10
    for key in first.files:
        np.testing.assert_array_equal(first[key], second[key])  # all-reduced: one update, applied twice
        np.testing.assert_allclose(first[key], one[key], atol=1e-5, err_msg=key)
    logs = [json.loads((tmp_path / f).read_text()) for f in ("one/logs-0.json", "two/logs-0.json", "two/logs-1.json")]
    for name, value in logs[0].items():  # the global batch's losses, on both processes
        assert logs[1][name] == logs[2][name] == pytest.approx(value, rel=1e-5), name


@pytest.fixture
def tiny_images(tmp_path):
    path = tmp_path / "tiny.npz"
    np.savez(path, images=np.random.default_rng(0).integers(0, 256, (128, 16, 16, 1), dtype=np.uint8))
    return path


def _train_command(tiny_images, out, epochs, *extra):
    return [sys.executable, "-m", "kerasgan.cli", "train", "dcgan", "--data", str(tiny_images), "--image-size", "16",
            "--channels", "1", "--epochs", str(epochs), "--batch-size", "64", "-o", str(out), *extra]


def test_two_processes_train_together_and_only_the_chief_writes(tiny_images, tmp_path):
    out = tmp_path / "run"
    outputs = _run_together(_train_command(tiny_images, out, 2), tmp_path)
    assert all("data-parallel on 2 replicas" in o for o in outputs)
    last = [o.strip().splitlines()[-2] for o in outputs]  # each one's last epoch line: the global logs
    assert last[0].split("ms/step")[-1] == last[1].split("ms/step")[-1]
    assert "as a worker" in outputs[1] and "as a worker" not in outputs[0]
    assert (out / "preset" / "model.weights.h5").is_file()
    assert sorted(p.name for p in (out / "checkpoints").iterdir()) == [
        "ckpt-000000002-epoch0001.weights.h5", "ckpt-000000004-epoch0002.weights.h5"]
    assert (out / "training_log.csv").read_text().count("\n") == 3  # header and two epochs, written once
    assert not list(tmp_path.glob("kerasgan-worker-*"))


def test_a_killed_pair_resumes_from_the_checkpoint(tiny_images, tmp_path):
    """Both processes are killed (SIGKILL) once the first epoch's checkpoint is on disk; started
    again with --resume, they go on from the newest checkpoint to the last epoch."""
    out = tmp_path / "run"
    command = _train_command(tiny_images, out, 10_000)
    procs = [subprocess.Popen(command, env=env, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
             for env in _cluster_envs()]
    try:
        deadline = time.monotonic() + 240
        while not list((out / "checkpoints").glob("*epoch0001*")) and time.monotonic() < deadline:
            assert all(p.poll() is None for p in procs), "a process of the pair ended before its first checkpoint"
            time.sleep(0.2)
    finally:
        for p in procs:
            p.send_signal(signal.SIGKILL)
            p.wait()
    assert not (out / "preset").exists()
    done = max(int(p.name.split("epoch")[1][:4]) for p in (out / "checkpoints").glob("*.weights.h5"))
    outputs = _run_together(_train_command(tiny_images, out, done + 2, "--resume"), tmp_path)
    assert f"Epoch {done}/" not in outputs[0] and f"Epoch {done + 1}/{done + 2}" in outputs[0]
    assert (out / "preset" / "model.weights.h5").is_file()
    rows = (out / "training_log.csv").read_text().strip().splitlines()
    assert [int(r.split(",")[0]) for r in rows[1:]][-2:] == [done, done + 1]  # CSVLogger counts epochs from 0
