"""Data-parallel overhead: DCGAN training images/s against the number of replicas.

Each row trains `DCGAN(image_size=32, channels=3)` through `kerasgan.distribute.data_parallel`
on N virtual CPU devices (XLA_FLAGS=--xla_force_host_platform_device_count for JAX, logical CPU
devices for TensorFlow's MirroredStrategy), with the same global batch, in its own subprocess.
Virtual devices share this machine's cores, so more replicas cannot be faster here: the table
shows what splitting the batch and reducing the gradients costs, not a speed-up. On a machine
with N GPUs the same rows measure scaling.

    python benchmarks/replica_throughput.py --backends jax tensorflow --replicas 1 2 4 --steps 20
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def worker(replicas: int, batch_size: int, steps: int, warmup: int, repeats: int) -> dict:
    backend = os.environ["KERAS_BACKEND"]
    if backend == "tensorflow":
        import tensorflow as tf

        cpu = tf.config.list_physical_devices("CPU")[0]
        tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * replicas)
    import numpy as np

    import kerasgan
    from kerasgan import distribute

    x = np.random.default_rng(0).uniform(-1, 1, (batch_size * max(steps, warmup), 32, 32, 3)).astype("float32")
    with distribute.data_parallel(replicas):
        model = kerasgan.DCGAN(image_size=32, channels=3, seed=0)
        model.compile()
        model.fit(x[: batch_size * warmup], batch_size=batch_size, epochs=1, verbose=0, shuffle=False)
        rates = []
        for _ in range(repeats):
            start = time.perf_counter()
            model.fit(x[: batch_size * steps], batch_size=batch_size, epochs=1, verbose=0, shuffle=False)
            rates.append(batch_size * steps / (time.perf_counter() - start))
        found = distribute.replica_count()
    return {"backend": backend, "replicas": found, "images_per_s": sorted(rates)[len(rates) // 2]}


def _reason(proc) -> str:
    """The line that says why a worker died: a Python error, or XLA's fatal log line (F...)."""
    lines = [line.strip() for line in proc.stderr.splitlines() if line.strip()]
    fatal = [line for line in lines if line.startswith("F") and "]" in line or "Error" in line]
    return (fatal or lines or [f"exit code {proc.returncode}"])[-1][:300]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--backends", nargs="+", default=["jax", "tensorflow"], choices=["jax", "tensorflow"])
    p.add_argument("--replicas", nargs="+", type=int, default=[1, 2, 4])
    p.add_argument("--batch-size", type=int, default=64, help="the global batch")
    p.add_argument("--steps", type=int, default=20)
    p.add_argument("--warmup", type=int, default=5)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--timeout", type=float, default=600, help="seconds per row")
    p.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.worker:
        print(json.dumps(worker(args.replicas[0], args.batch_size, args.steps, args.warmup, args.repeats)))
        return

    rows = []
    for backend in args.backends:
        for replicas in args.replicas:
            env = {**os.environ, "KERAS_BACKEND": backend, "PYTHONPATH": str(ROOT), "TF_CPP_MIN_LOG_LEVEL": "3",
                   "XLA_FLAGS": f"--xla_force_host_platform_device_count={replicas}"}
            command = [sys.executable, __file__, "--worker", "--replicas", str(replicas), "--batch-size",
                       str(args.batch_size), "--steps", str(args.steps), "--warmup", str(args.warmup),
                       "--repeats", str(args.repeats)]
            try:
                proc = subprocess.run(command, env=env, capture_output=True, text=True, timeout=args.timeout)
                row = json.loads(proc.stdout.strip().splitlines()[-1]) if proc.returncode == 0 else \
                    {"backend": backend, "replicas": replicas, "error": _reason(proc)}
            except subprocess.TimeoutExpired:
                row = {"backend": backend, "replicas": replicas, "error": f"timed out after {args.timeout:.0f} s"}
            rows.append(row)
            print(json.dumps(row), file=sys.stderr)

    print(f"| backend | replicas | images/s (global batch {args.batch_size}) | ratio to 1 replica |")
    print("|---|---|---|---|")
    for row in rows:
        one = next((r for r in rows if r["backend"] == row["backend"] and r["replicas"] == 1 and "error" not in r), None)
        if "error" in row:
            print(f"| {row['backend']} | {row['replicas']} | {row['error']} | |")
            continue
        ratio = f"{row['images_per_s'] / one['images_per_s']:.2f}" if one else "n/a"
        print(f"| {row['backend']} | {row['replicas']} | {row['images_per_s']:.0f} | {ratio} |")


if __name__ == "__main__":
    main()
