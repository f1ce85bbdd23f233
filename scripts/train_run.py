"""Trains one zoo recipe under a wall-clock budget and packs the run as one tar file.

    python scripts/train_run.py cats128 --data DATA --out runs/cats128 --seconds 400 --tar OUT/cats128.tar
    python scripts/train_run.py roses64 --name roses64-noaug --set diff_augment= ...

The run stops at the recipe's epochs or when `--seconds` have passed, whichever comes first,
and writes into `--out`: the float16 preset (with its training facts), training_log.csv,
sample grids during training, samples.png, nearest_train.png (32 samples above their nearest
training images) and facts.json with the memorization ratio against the recipe's held-out files.
An `--out` that already holds a preset (e.g. carried back from an earlier call) is trained on
from those weights; the optimizers start afresh, and the facts add up both calls' steps.
`scripts/train_on_gpu.sh` runs several of these side by side on one GPU.
"""

from __future__ import annotations

import argparse
import json
import tarfile
import time
from pathlib import Path

import keras
import numpy as np

import kerasgan
from kerasgan import datasets, recipes
from kerasgan.devices import device_name
from kerasgan.metrics import memorization_ratio
from kerasgan.presets import load_preset, save_preset


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("recipe")
    p.add_argument("--name", help="name of the run (default: the recipe's)")
    p.add_argument("--data", required=True, help="the datasets folder (the recipe's path lies under it)")
    p.add_argument("--out", required=True)
    p.add_argument("--seconds", type=float, default=300, help="wall-clock budget for training")
    p.add_argument("--set", action="append", default=[], metavar="OPTION=VALUE",
                   help="override a constructor option (JSON value; empty for None/off)")
    p.add_argument("--grid-every", type=float, default=60, help="seconds between sample grids")
    p.add_argument("--tar", help="pack the run folder into this tar file")
    p.add_argument("--no-preset-in-tar", action="store_true", help="leave the weights out of the tar")
    return p.parse_args()


def main():
    args = parse_args()
    name = args.name or args.recipe
    recipe = dict(recipes.get_recipe(args.recipe))
    recipe["options"] = {**recipe["options"], **{k: _value(v) for k, v in (s.split("=", 1) for s in args.set)}}
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    t_load = time.perf_counter()
    train_files, held_files = recipes.recipe_split(recipe, args.data)
    size, channels = recipe["data"]["image_size"], recipe["options"].get("channels", 3)
    train_u8 = datasets.load_image_files(train_files, size, channels)
    held_u8 = datasets.load_image_files(held_files, size, channels)
    x = kerasgan.images.from_uint8(train_u8)
    print(f"[{name}] {len(train_u8)} training images, {len(held_u8)} held out, read in "
          f"{time.perf_counter() - t_load:.1f} s", flush=True)

    model = recipes.build_from_recipe(recipe)
    earlier = {}
    if (out / "preset" / "config.json").is_file():  # a later call goes on from the earlier one's weights
        model.set_weights(load_preset(out / "preset").get_weights())
        earlier = json.loads((out / "facts.json").read_text())
        print(f"[{name}] continuing from {earlier.get('steps')} steps", flush=True)

    budget = _Budget(args.seconds, args.grid_every, out, name)
    keras.utils.set_random_seed(recipe["seed"] + len(earlier.get("calls", [])))
    start = time.perf_counter()
    history = model.fit(x, batch_size=recipe["batch_size"], epochs=recipe["epochs"], shuffle=True, verbose=0,
                        callbacks=[budget, keras.callbacks.CSVLogger(str(out / "training_log.csv"), append=bool(earlier))])
    wall = time.perf_counter() - start
    steps = int(keras.ops.convert_to_numpy(model.g_optimizer.iterations))

    samples = model.generate(64, seed=0)
    kerasgan.save_grid(samples, out / "samples.png")
    fakes = model.generate(256, seed=123)
    memo = memorization_ratio(fakes, train_u8, held_u8)
    nearest = np.concatenate([fakes[:32], train_u8[memo["sample_nearest"][:32]]])
    kerasgan.save_grid(nearest, out / "nearest_train.png", nrow=8)

    calls = earlier.get("calls", []) + [{"steps": steps, "epochs": budget.epochs, "wall_time_s": round(wall, 1)}]
    facts = {
        "name": name, "recipe": args.recipe, "class_name": recipe["class_name"], "options": recipe["options"],
        "steps": sum(c["steps"] for c in calls), "epochs": sum(c["epochs"] for c in calls),
        "wall_time_s": round(sum(c["wall_time_s"] for c in calls), 1), "calls": calls,
        "examples": len(train_u8), "held_out": [f.name for f in held_files], "batch_size": recipe["batch_size"],
        "backend": keras.backend.backend(), "device": device_name(), "keras": keras.__version__,
        "final_logs": {k: round(float(v[-1]), 4) for k, v in history.history.items()},
        "memorization": {"ratio": round(memo["ratio"], 4), "n_samples": len(fakes), "n_held_out": len(held_u8),
                         "mean_sample_distance": round(memo["mean_sample_distance"], 4),
                         "mean_heldout_distance": round(memo["mean_heldout_distance"], 4)},
    }
    training = {k: facts[k] for k in ("steps", "epochs", "wall_time_s", "backend", "device")}
    save_preset(model, out / "preset", metadata={"training": training}, dtype="float16")
    back = load_preset(out / "preset").generate(64, seed=0)
    facts["fp16_max_grey_diff"] = int(np.abs(back.astype(int) - samples.astype(int)).max())
    (out / "facts.json").write_text(json.dumps(facts, indent=1))
    print(f"[{name}] done: {json.dumps({k: v for k, v in facts.items() if k != 'held_out'})}", flush=True)
    if args.tar:
        _pack(out, name, args.tar, with_preset=not args.no_preset_in_tar)


def _pack(out: Path, name: str, tar_path, with_preset: bool, limit: int = 16 * 2**20 - 2**16):
    """One tar of the run, under the device's 16 MiB a file: the grids made during training
    are the first thing to go if it would be larger."""
    paths = [p for p in sorted(out.iterdir()) if with_preset or p.name != "preset"]
    for keep_progress in (True, False):
        with tarfile.open(tar_path, "w") as tar:
            for path in paths:
                if keep_progress or not path.name.startswith("epoch_"):
                    tar.add(path, arcname=f"{name}/{path.name}")
        if Path(tar_path).stat().st_size <= limit:
            return
    print(f"[{name}] warning: {tar_path} is {Path(tar_path).stat().st_size / 2**20:.1f} MiB, over the device's limit")


def _value(text: str):
    if text == "":
        return None
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


class _Budget(keras.callbacks.Callback):
    """Stops training after `seconds` and saves a sample grid every `grid_every` seconds."""

    def __init__(self, seconds, grid_every, out, name):
        super().__init__()
        self.seconds, self.grid_every, self.out, self.name = seconds, grid_every, out, name
        self.start, self.last_grid, self.epochs = time.perf_counter(), 0.0, 0

    def on_epoch_end(self, epoch, logs=None):
        self.epochs = epoch + 1
        elapsed = time.perf_counter() - self.start
        if elapsed - self.last_grid >= self.grid_every:
            self.last_grid = elapsed
            kerasgan.save_grid(self.model.generate(16, seed=0), self.out / f"epoch_{epoch + 1:05d}.png")
            shown = {k: round(float(v), 3) for k, v in (logs or {}).items()}
            print(f"[{self.name}] epoch {epoch + 1}, {elapsed:.0f} s, {shown}", flush=True)
        if elapsed > self.seconds:
            self.model.stop_training = True


if __name__ == "__main__":
    main()
