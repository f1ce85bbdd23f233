"""Images per second of DCGAN-64 training (one D and one G update per step) on the current
Keras backend, after warm-up. Run: KERAS_BACKEND=jax python benchmarks/train_throughput.py

Ratios between backends or versions mean something only when measured side by side in one
run on one machine; `--backends` runs each in a subprocess, one after the other.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time


def measure(batch_size: int, steps: int, warmup: int, image_size: int) -> dict:
    import keras
    import numpy as np

    from kerasgan import DCGAN

    model = DCGAN(image_size=image_size, channels=3, seed=0)
    model.compile(steps_per_execution=1)
    data = np.random.default_rng(0).uniform(-1, 1, (batch_size * (warmup + steps), image_size, image_size, 3))
    data = data.astype("float32")
    model.fit(data[: batch_size * warmup], batch_size=batch_size, epochs=1, verbose=0, shuffle=False)
    start = time.perf_counter()
    model.fit(data[batch_size * warmup :], batch_size=batch_size, epochs=1, verbose=0, shuffle=False)
    seconds = time.perf_counter() - start
    return {
        "backend": keras.backend.backend(),
        "image_size": image_size,
        "batch_size": batch_size,
        "steps": steps,
        "seconds": round(seconds, 3),
        "images_per_second": round(batch_size * steps / seconds, 1),
        "device": _device(),
    }


def _device() -> str:
    try:
        import jax

        kind = jax.devices()[0].device_kind
        if kind.lower() != "cpu":
            return kind
    except Exception:
        pass
    return f"CPU ({platform.processor() or platform.machine()}, {os.cpu_count()} cores)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--image-size", type=int, default=64)
    parser.add_argument("--backends", nargs="*", help="run these backends side by side, each in a subprocess")
    args = parser.parse_args()
    if not args.backends:
        print(json.dumps(measure(args.batch_size, args.steps, args.warmup, args.image_size)))
        return
    for backend in args.backends:
        argv = [sys.executable, __file__, "--batch-size", str(args.batch_size), "--steps", str(args.steps),
                "--warmup", str(args.warmup), "--image-size", str(args.image_size)]
        out = subprocess.run(argv, env=dict(os.environ, KERAS_BACKEND=backend), capture_output=True, text=True)
        print(out.stdout.strip().splitlines()[-1] if out.returncode == 0 else f"{backend}: failed\n{out.stderr[-1500:]}")


if __name__ == "__main__":
    main()
