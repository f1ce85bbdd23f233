"""DCGAN-64 training throughput: kerasgan beside a plain PyTorch and a plain Keras step.

One invocation measures, one after the other and each in its own subprocess:
  kerasgan   `DCGAN(image_size=64, channels=3)` trained by `fit()` on the requested backends;
  keras      the same networks in a plain Keras loop on each requested backend
             (benchmarks/plain_keras_dcgan.py);
  torch      a plain PyTorch DCGAN step (benchmarks/plain_torch_dcgan.py), the reference.
Each takes its batches from host memory, runs `--warmup` steps, then `--repeats` windows of
`--steps` steps; it reports the median images/s, the peak host RSS and, on a GPU, the peak
device memory. The table gives every row's ratio to the plain PyTorch step at the same
batch size: ratios mean something only when measured side by side in one run. On a shared
machine, `--rounds 3` runs the whole plan three times over, interleaved, and reports each
row's median round, so that a neighbour's burst of work does not land on one row alone.

    python benchmarks/train_throughput.py --backends jax torch --batch-sizes 64 256 \
        --steps 50 --warmup 10 --device cuda --json-out results.json

Nothing imports TensorFlow unless the tensorflow backend is asked for, so this runs where
only JAX and PyTorch are installed; each row records whether TensorFlow got imported.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
IMPLEMENTATIONS = ("kerasgan", "keras", "torch")
IMAGE_SHAPE = (64, 64, 3)


# ------------------------------------------------------------------------ the workers
def _host_batches(batch_size: int, count: int, seed: int = 0):
    import numpy as np

    data = np.random.default_rng(seed).uniform(-1, 1, (count * batch_size, *IMAGE_SHAPE))
    return data.astype("float32")


def _timed_windows(run_window, sync, warmup: int, repeats: int, steps: int, batch_size: int):
    if warmup:
        run_window(warmup)
        sync()
    rates = []
    for _ in range(repeats):
        start = time.perf_counter()
        run_window(steps)
        sync()
        rates.append(batch_size * steps / (time.perf_counter() - start))
    return rates


def run_kerasgan(args) -> list[float]:
    import keras

    from kerasgan import DCGAN

    if args.dtype_policy != "float32":
        keras.config.set_dtype_policy(args.dtype_policy)
    model = DCGAN(image_size=64, channels=3, seed=0)
    model.compile(jit_compile=_jit_argument(args.jit_compile), steps_per_execution=args.steps_per_execution)
    data = _host_batches(args.batch_size, max(args.steps, args.warmup))

    def run_window(steps):
        model.fit(data[: steps * args.batch_size], batch_size=args.batch_size, epochs=1, verbose=0, shuffle=False)

    def sync():  # reading a weight waits for every queued step
        keras.ops.convert_to_numpy(model.generator.trainable_variables[0])

    return _timed_windows(run_window, sync, args.warmup, args.repeats, args.steps, args.batch_size)


def run_plain_keras(args) -> list[float]:
    import keras

    sys.path.insert(0, str(HERE))
    import plain_keras_dcgan

    if args.dtype_policy != "float32":
        keras.config.set_dtype_policy(args.dtype_policy)
    step = plain_keras_dcgan.make_step(args.batch_size, jit_compile=args.jit_compile != "false")
    data = _host_batches(args.batch_size, max(args.steps, args.warmup)).reshape(-1, args.batch_size, *IMAGE_SHAPE)
    last = [None]

    def run_window(steps):
        for i in range(steps):
            last[0] = step(data[i])

    def sync():
        keras.ops.convert_to_numpy(last[0])

    return _timed_windows(run_window, sync, args.warmup, args.repeats, args.steps, args.batch_size)


def run_plain_torch(args) -> list[float]:
    import torch

    sys.path.insert(0, str(HERE))
    import plain_torch_dcgan

    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    dtype = torch.bfloat16 if args.dtype_policy == "mixed_bfloat16" else torch.float32
    gan = plain_torch_dcgan.PlainDCGAN(device, dtype)
    data = _host_batches(args.batch_size, max(args.steps, args.warmup)).reshape(-1, args.batch_size, *IMAGE_SHAPE)
    data = torch.from_numpy(data).permute(0, 1, 4, 2, 3)  # NHWC -> NCHW, as a loader would give
    if device.type == "cuda":
        data = data.contiguous().pin_memory()

    def run_window(steps):
        for i in range(steps):
            gan.train_step(data[i].to(device, non_blocking=True).contiguous())

    def sync():
        if device.type == "cuda":
            torch.cuda.synchronize()

    return _timed_windows(run_window, sync, args.warmup, args.repeats, args.steps, args.batch_size)


def _jit_argument(value: str):
    return {"auto": "auto", "true": True, "false": False}[value]


def _device_report(implementation: str, backend: str) -> tuple[str, float | None]:
    """The device name and its peak memory in MiB (None on the CPU or where unknown)."""
    if implementation == "torch" or backend == "torch":
        import torch

        if torch.cuda.is_available():
            return torch.cuda.get_device_name(0), torch.cuda.max_memory_allocated() / 2**20
    elif backend == "jax":
        import jax

        device = jax.local_devices()[0]
        if device.platform != "cpu":
            stats = device.memory_stats() or {}
            peak = stats.get("peak_bytes_in_use")
            return device.device_kind, None if peak is None else peak / 2**20
    elif backend == "tensorflow":
        import tensorflow as tf

        gpus = tf.config.list_physical_devices("GPU")
        if gpus:
            peak = tf.config.experimental.get_memory_info("GPU:0")["peak"]
            return tf.config.experimental.get_device_details(gpus[0]).get("device_name", "GPU"), peak / 2**20
    return _cpu_name(), None


def _cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return f"CPU {line.split(':', 1)[1].strip()} ({os.cpu_count()} cores)"
    except OSError:
        pass
    return f"CPU {platform.machine()} ({os.cpu_count()} cores)"


def _versions(implementation: str, backend: str) -> dict:
    versions = {}
    if implementation != "torch":
        import keras

        versions["keras"] = keras.__version__
    module = "torch" if implementation == "torch" else backend
    versions[module] = sys.modules[module].__version__ if module in sys.modules else __import__(module).__version__
    return versions


def worker(args) -> None:
    run = {"kerasgan": run_kerasgan, "keras": run_plain_keras, "torch": run_plain_torch}[args.worker]
    rates = run(args)
    backend = "torch" if args.worker == "torch" else os.environ.get("KERAS_BACKEND", "tensorflow")
    device, device_peak = _device_report(args.worker, backend)
    if args.device == "cuda" and device.startswith("CPU"):
        raise SystemExit(f"--device cuda was asked for, but {args.worker} on {backend} ran on the {device}.")
    print(json.dumps({
        "implementation": args.worker,
        "backend": backend,
        "batch_size": args.batch_size,
        "steps": args.steps,
        "repeats": args.repeats,
        "images_per_second": round(statistics.median(rates), 1),
        "images_per_second_each": [round(r, 1) for r in rates],
        "peak_host_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "peak_device_mib": None if device_peak is None else round(device_peak, 1),
        "device": device,
        "dtype_policy": args.dtype_policy,
        "jit_compile": args.jit_compile,
        "steps_per_execution": args.steps_per_execution,
        "versions": _versions(args.worker, backend),
        "tensorflow_imported": "tensorflow" in sys.modules,
    }))


# ------------------------------------------------------------------------- the driver
def _environment(backend: str, device: str, checkout: Path = HERE.parent) -> dict:
    env = dict(os.environ, KERAS_BACKEND=backend, TF_CPP_MIN_LOG_LEVEL="2", XLA_PYTHON_CLIENT_PREALLOCATE="false")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(checkout), env.get("PYTHONPATH")]))
    if device == "cpu":
        env.update(CUDA_VISIBLE_DEVICES="", JAX_PLATFORMS="cpu")
    elif device == "cuda":
        env["JAX_PLATFORMS"] = "cuda"
    return env


def _run_one(run: dict, args) -> dict:
    argv = [sys.executable, __file__, "--worker", run["implementation"], "--batch-sizes", str(run["batch_size"]),
            "--steps", str(args.steps), "--warmup", str(args.warmup), "--repeats", str(args.repeats),
            "--device", args.device, "--jit-compile", run["jit_compile"],
            "--steps-per-execution", str(run["steps_per_execution"]), "--dtype-policy", run["dtype_policy"]]
    # A session of its own, so that a timeout ends the worker and anything it started.
    checkout = Path(run.get("checkout") or HERE.parent)
    process = subprocess.Popen(argv, env=_environment(run["backend"], args.device, checkout), stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        out, err = process.communicate(timeout=args.timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        return {**run, "error": f"timed out after {args.timeout} s"}
    lines = [line for line in out.splitlines() if line.startswith("{")]
    if process.returncode != 0 or not lines:
        return {**run, "error": f"exit code {process.returncode}: {err.strip()[-1500:]}"}
    return {**run, **json.loads(lines[-1])}


def _jit_settings(values, backend):
    """`--jit-compile` values for one backend: plain ones for all, `BACKEND:VALUE` for one."""
    settings = [v.split(":")[-1] for v in values if ":" not in v or v.split(":")[0] == backend]
    return list(dict.fromkeys(settings)) or ["auto"]


def _plan(args):
    """Every run, in order: per batch size and dtype policy, plain PyTorch first, then per
    backend kerasgan in every compile setting asked for, then plain Keras."""
    for batch_size in args.batch_sizes:
        for dtype_policy in args.dtype_policy:
            common = {"batch_size": batch_size, "dtype_policy": dtype_policy}
            if "torch" in args.implementations:
                yield {**common, "implementation": "torch", "backend": "torch", "jit_compile": "false",
                       "steps_per_execution": 1}
            for backend in args.backends:
                if "kerasgan" in args.implementations:
                    for jit_compile in _jit_settings(args.jit_compile, backend):
                        for steps_per_execution in args.steps_per_execution:
                            yield {**common, "implementation": "kerasgan", "backend": backend,
                                   "jit_compile": jit_compile, "steps_per_execution": steps_per_execution}
                if args.compare_with and "kerasgan" in args.implementations:
                    yield {**common, "implementation": "kerasgan", "backend": backend, "jit_compile": "auto",
                           "steps_per_execution": 1, "checkout": str(args.compare_with)}
                if "keras" in args.implementations:
                    yield {**common, "implementation": "keras", "backend": backend,
                           "jit_compile": "false" if backend == "torch" else "true", "steps_per_execution": 1}


def _add_ratios(rows) -> None:
    """Each row's images/s over plain PyTorch's at the same batch size and dtype, in one round."""
    reference = {(r["batch_size"], r["dtype_policy"]): r["images_per_second"] for r in rows
                 if r["implementation"] == "torch" and "error" not in r}
    for r in rows:
        ref = reference.get((r["batch_size"], r["dtype_policy"]))
        if ref and "error" not in r:
            r["ratio_to_plain_torch"] = r["images_per_second"] / ref


def _median_round(runs) -> dict:
    """One row from the same run in every round: the round with the median images/s, and the
    median of the rounds' ratios to plain PyTorch (each from one round: robust to a load that
    changes between rounds)."""
    good = sorted((r for r in runs if "error" not in r), key=lambda r: r["images_per_second"])
    if not good:
        return runs[-1]
    row = dict(good[(len(good) - 1) // 2])
    row["images_per_second_rounds"] = [r.get("images_per_second") for r in runs]
    ratios = [r["ratio_to_plain_torch"] for r in runs if "ratio_to_plain_torch" in r]
    if ratios:
        row["ratio_to_plain_torch_rounds"] = [round(x, 3) for x in ratios]
        row["ratio_to_plain_torch"] = statistics.median(ratios)
    return row


def _table(rows) -> str:
    lines = ["| implementation | backend | batch | dtype | jit_compile | steps/execution | images/s | × plain PyTorch "
             "| peak host RSS MiB | peak device MiB | device |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        name = "plain PyTorch" if r["implementation"] == "torch" else ("plain Keras" if r["implementation"] == "keras" else "kerasgan")
        if r.get("checkout"):
            name = f"kerasgan from {r['checkout']}"
        backend = "-" if r["implementation"] == "torch" else r["backend"]
        settings = f"{r['batch_size']} | {r['dtype_policy']} | {r['jit_compile']} | {r['steps_per_execution']}"
        if "error" in r:
            lines.append(f"| {name} | {backend} | {settings} | failed: {r['error'].splitlines()[-1][:120]} | | | | |")
            continue
        ratio = f"{r['ratio_to_plain_torch']:.2f}" if "ratio_to_plain_torch" in r else "-"
        device_mib = "-" if r["peak_device_mib"] is None else f"{r['peak_device_mib']:.0f}"
        lines.append(f"| {name} | {backend} | {settings} | {r['images_per_second']:.1f} | {ratio} | "
                     f"{r['peak_host_rss_mib']:.0f} | {device_mib} | {r['device']} |")
    return "\n".join(lines)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backends", nargs="+", default=["tensorflow", "jax", "torch"],
                        choices=["tensorflow", "jax", "torch"], help="Keras backends for kerasgan and plain Keras")
    parser.add_argument("--batch-sizes", nargs="+", type=int, default=[64])
    parser.add_argument("--implementations", nargs="+", default=list(IMPLEMENTATIONS), choices=IMPLEMENTATIONS,
                        help="kerasgan, keras (plain Keras loop), torch (plain PyTorch, the reference)")
    parser.add_argument("--steps", type=int, default=20, help="training steps per timed window")
    parser.add_argument("--warmup", type=int, default=5, help="untimed steps first (compilation happens here)")
    parser.add_argument("--repeats", type=int, default=3, help="timed windows per run; the median is reported")
    parser.add_argument("--device", choices=["auto", "cpu", "cuda"], default="auto")
    jit_choices = [f"{b}{v}" for b in ("", "tensorflow:", "jax:", "torch:") for v in ("auto", "true", "false")]
    parser.add_argument("--jit-compile", nargs="+", choices=jit_choices, default=["auto"], metavar="[BACKEND:]VALUE",
                        help="kerasgan's compile(jit_compile=...): auto, true or false, a run for each; "
                             "`torch:true` for one backend only (plain Keras compiles but on torch)")
    parser.add_argument("--steps-per-execution", nargs="+", type=int, default=[1],
                        help="kerasgan's compile(steps_per_execution=...), a run for each")
    parser.add_argument("--dtype-policy", nargs="+", choices=["float32", "mixed_bfloat16"], default=["float32"],
                        help="a run of everything for each (plain PyTorch: autocast)")
    parser.add_argument("--rounds", type=int, default=1, help="run the whole plan this many times; medians are reported")
    parser.add_argument("--timeout", type=float, default=900, help="seconds one run may take before it is ended")
    parser.add_argument("--compare-with", type=Path, metavar="DIR",
                        help="also measure the kerasgan of another checkout (an older commit, say) on each backend")
    parser.add_argument("--json-out", type=Path, help="also write every row as JSON here")
    parser.add_argument("--worker", choices=IMPLEMENTATIONS, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    for name in ("steps", "warmup", "repeats", "rounds", "timeout"):
        if getattr(args, name) <= 0 and not (name == "warmup" and args.warmup == 0):
            parser.error(f"--{name.replace('_', '-')} must be positive, got {getattr(args, name)}")
    if min(args.steps_per_execution + args.batch_sizes) <= 0:
        parser.error("--batch-sizes and --steps-per-execution must be positive")
    if args.worker:  # one run: the driver passes one value of each
        args.batch_size, args.jit_compile = args.batch_sizes[0], args.jit_compile[0].split(":")[-1]
        args.steps_per_execution, args.dtype_policy = args.steps_per_execution[0], args.dtype_policy[0]
        worker(args)
        return
    rounds = []
    for round_index in range(args.rounds):
        rows = []
        for run in _plan(args):
            started = time.perf_counter()
            row = _run_one(run, args)
            status = row.get("error", "").splitlines()[-1:] or [f"{row['images_per_second']} images/s"]
            print(f"round {round_index + 1}: {json.dumps(run)}: {status[0]} ({time.perf_counter() - started:.0f} s)",
                  file=sys.stderr, flush=True)
            rows.append(row)
        rounds.append(rows)
    for rows in rounds:
        _add_ratios(rows)
    rows = [_median_round(same) for same in zip(*rounds)]
    print(_table(rows))
    if args.json_out:
        args.json_out.write_text(json.dumps({"argv": sys.argv[1:], "rows": rows}, indent=1) + "\n")
    if any("error" in r for r in rows):
        sys.exit(1)


if __name__ == "__main__":
    main()
