"""Where kerasgan's TensorFlow training step spends its time: TensorFlow's own profiler over a
few DCGAN-64 steps, summed per op type (milliseconds of compute-thread time and calls per step).

    KERAS_BACKEND=tensorflow python benchmarks/tf_step_profile.py --batch-size 64 --steps 4

The call counts show what the step computes (e.g. how many kernel gradients); the times, which
of TensorFlow's kernels they cost. Compute threads run in parallel, so the times add up to more
than the wall time, which is printed first.
"""

from __future__ import annotations

import argparse
import collections
import tempfile
import time
from pathlib import Path


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--steps", type=int, default=4)
    p.add_argument("--top", type=int, default=15)
    args = p.parse_args()

    import keras
    import numpy as np
    import tensorflow as tf
    from tensorflow.tsl.profiler.protobuf import xplane_pb2

    from kerasgan import DCGAN

    if keras.backend.backend() != "tensorflow":
        raise SystemExit(f"This profiles the tensorflow backend, found KERAS_BACKEND={keras.backend.backend()}.")
    model = DCGAN(image_size=64, channels=3, seed=0)
    model.compile()
    data = np.random.default_rng(0).uniform(-1, 1, (args.batch_size * args.steps, 64, 64, 3)).astype("float32")
    model.fit(data[: 2 * args.batch_size], batch_size=args.batch_size, epochs=1, verbose=0)  # traced and warm
    with tempfile.TemporaryDirectory() as logdir:
        start = time.perf_counter()
        tf.profiler.experimental.start(logdir)
        model.fit(data, batch_size=args.batch_size, epochs=1, verbose=0)
        tf.profiler.experimental.stop()
        wall = time.perf_counter() - start
        space = xplane_pb2.XSpace()
        space.ParseFromString(next(Path(logdir).rglob("*.xplane.pb")).read_bytes())

    ms, calls = collections.Counter(), collections.Counter()
    for plane in space.planes:
        for line in plane.lines:
            if not line.name.startswith("tf_Compute"):  # the executor's threads: one event per op
                continue
            for event in line.events:
                op = plane.event_metadata[event.metadata_id].name.split(":")[-1]
                ms[op] += event.duration_ps / 1e9 / args.steps
                calls[op] += 1 / args.steps
    ms.pop("Process", None)  # the executor's own span around its ops
    print(f"{args.steps} steps at batch {args.batch_size}: {wall / args.steps * 1e3:.0f} ms per step (profiled)")
    print("| op | ms per step | calls per step |\n|---|---|---|")
    for op, t in ms.most_common(args.top):
        print(f"| {op} | {t:.1f} | {calls[op]:.1f} |")
    print(f"| all ops | {sum(ms.values()):.1f} | {sum(c for op, c in calls.items() if op != 'Process'):.0f} |")


if __name__ == "__main__":
    main()
