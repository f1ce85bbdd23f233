"""The `kerasgan` command line (typer).

A user error (a `kerasgan.errors.KerasganError`: bad option, missing data, unknown checkpoint,
checksum mismatch; or the file system refusing a path: no permission, read-only, full, a file
where a folder should be) prints one sentence and exits with code 2; `--debug` shows its traceback.
Anything else is a bug in kerasgan: it keeps its traceback and asks to be reported.

`--help`, `list` and `info` never import Keras or a backend, so they start at once: every
heavy import is inside the command that needs it (a test checks this).
"""

from __future__ import annotations

import errno
import functools
import json
import shutil
import sys
import tempfile
import traceback
from pathlib import Path
from typing import Optional

import typer

from kerasgan.errors import InvalidArgumentError, KerasganError, NotFoundError
from kerasgan.native_logs import quiet_native_logs, set_quiet_env

app = typer.Typer(add_completion=False, no_args_is_help=True, help="A Keras 3 model zoo of GANs.")
_state = {"debug": False}
BUG_EXIT_CODE = 1  # 2 is a user error, as for the command line's own usage errors


@app.callback()
def _main(debug: bool = typer.Option(False, "--debug", help="Show tracebacks for errors, and the backends' logs.")):
    _state["debug"] = debug


def _user_errors(fn):
    """One sentence and exit 2 for what the user can fix; a traceback and a plea to report it
    for anything else."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except KerasganError as error:
            message = str(error)
            _user_error(message.splitlines()[0] if message else type(error).__name__)
        except OSError as error:
            if error.errno not in _FILESYSTEM_ERRNOS:
                _bug()
            where = f": {error.filename}" if error.filename else ""
            hint = "free some space" if error.errno in (errno.ENOSPC, errno.EDQUOT) else "choose a path you can read and write"
            _user_error(f"{error.strerror}{where} ({hint}).")
        except (typer.Exit, typer.Abort, KeyboardInterrupt):
            raise
        except Exception:
            _bug()

    return wrapper


# The file system saying no to a path the user gave (-o, --data): theirs to fix, not a bug.
_FILESYSTEM_ERRNOS = {errno.EACCES, errno.EPERM, errno.EROFS, errno.ENOSPC, errno.EDQUOT, errno.ENOTDIR,
                      errno.EISDIR, errno.EEXIST, errno.ENAMETOOLONG}


def _user_error(sentence: str):
    if _state["debug"]:
        raise
    typer.echo(f"Error: {sentence}", err=True)
    raise typer.Exit(2)


def _bug():
    traceback.print_exc()
    typer.echo(f"This is a bug in kerasgan, not something you did wrong; {_where_to_report()}", err=True)
    raise typer.Exit(BUG_EXIT_CODE)


def _where_to_report() -> str:
    """The issue tracker named in the package metadata (pyproject's [project.urls]), if any."""
    try:
        from importlib.metadata import PackageNotFoundError, metadata

        urls = metadata("kerasgan").get_all("Project-URL") or []
    except (ImportError, PackageNotFoundError):
        urls = []
    for label, _, url in (entry.partition(", ") for entry in urls):
        if label.strip().lower().replace(" ", "") in ("issues", "bugtracker", "bugs", "tracker"):
            return f"please report it at {url.strip()} with the traceback above."
    return "please report it with the traceback above."


def _start_backend():
    """Imports Keras and starts its backend with the backend's native start-up log lines
    (TensorFlow's and XLA's, which ignore TF_CPP_MIN_LOG_LEVEL) kept off stderr."""
    if _state["debug"] or "keras" in sys.modules:
        return
    with quiet_native_logs():
        import keras

        keras.ops.convert_to_numpy(keras.ops.zeros((1,)))  # the first op is where CUDA is probed


def _load(name: str):
    _start_backend()
    from kerasgan.presets import from_pretrained

    return from_pretrained(name)


def _deprecated_flag(old: str, new: str) -> None:
    typer.echo(f"Warning: {old} is deprecated and will be removed in kerasgan 0.3; use {new}.", err=True)


def _labels(model, n: int, label: Optional[int]):
    if not model.conditional:
        if label is not None:
            raise InvalidArgumentError(f"{name_of(model)} is unconditional; --label applies to conditional models only.")
        return None
    import numpy as np

    return np.full(n, label) if label is not None else model.balanced_labels(n)


def name_of(model) -> str:
    return type(model).__name__


@app.command("list")
@_user_errors
def list_checkpoints():
    """Every zoo checkpoint: name, variant, resolution, data, parameters, size, metrics, local?"""
    from kerasgan.evaluation import class_check, value_and_floor
    from kerasgan.hub import find_local_preset
    from kerasgan.manifest import load_manifest

    checkpoints = load_manifest()["checkpoints"]
    rows = [("name", "variant", "shape", "data", "params (G)", "size", "metrics: value (floor)", "local")]
    for name, entry in sorted(checkpoints.items()):
        size = sum(f["size"] for f in entry["files"].values())
        stored = entry.get("metrics", {})
        headline = "fid" if "fid" in stored else "swd"  # colour checkpoints have no feature network
        metrics = "; ".join(part for part in (f"{headline} {value_and_floor(stored[headline])}" if headline in stored
                                              else "", class_check(stored) if stored else "") if part and part != "–")
        shape = "x".join(str(d) for d in entry.get("data_shape", [entry.get("image_size", "?")]))
        params = entry.get("parameters", {})
        rows.append((name, entry["class_name"], shape, entry.get("data", {}).get("name", "?"),
                     _count(params.get("generator")), f"{size / 1e6:.1f} MB", metrics or "-",
                     "yes" if find_local_preset(name) else "no"))
    if len(rows) == 1:
        typer.echo("The zoo has no checkpoints yet.")
        return
    widths = [max(len(str(r[i])) for r in rows) for i in range(len(rows[0]))]
    for row in rows:
        typer.echo("  ".join(str(c).ljust(w) for c, w in zip(row, widths)).rstrip())


def _count(n) -> str:
    return "?" if not n else (f"{n / 1e6:.2f}M" if n >= 1e5 else str(n))


@app.command()
@_user_errors
def info(name: str = typer.Argument(..., help="Zoo name, hf://org/repo or a preset folder.")):
    """Show a checkpoint's model card."""
    from kerasgan.hub import resolve_preset

    folder = resolve_preset(name).path
    typer.echo((Path(folder) / "README.md").read_text())


@app.command()
@_user_errors
def sample(
    name: str = typer.Argument(..., help="Zoo name, hf://org/repo or a preset folder."),
    num: int = typer.Option(16, "-n", "--num", help="How many images."),
    seed: Optional[int] = typer.Option(None, help="Random seed; the same seed gives the same images."),
    label: Optional[int] = typer.Option(None, help="Class id for conditional models (default: every class in turn)."),
    output: Path = typer.Option(Path("samples.png"), "-o", "--output", help="PNG grid to write."),
):
    """Generate images from a checkpoint into one PNG grid."""
    from kerasgan.images import save_grid

    if num <= 0:
        raise InvalidArgumentError(f"-n must be a positive number of images, got {num}.")
    if num > MAX_GRID_IMAGES:
        raise InvalidArgumentError(f"-n must be at most {MAX_GRID_IMAGES:,} images for one PNG grid, got {num:,}.")
    _check_seed(seed)
    _check_output_file(output, "the image grid", "samples.png", _image_extensions())
    model = _load(name)
    images = model.generate(num, seed=seed, labels=_labels(model, num, label))
    save_grid(images, output)
    typer.echo(f"Wrote {num} samples of {name} to {output}")


MAX_GRID_IMAGES = 4096  # one PNG grid; more would take gigabytes to generate and tile
MAX_SEED = 2**32 - 1  # what NumPy and keras.utils.set_random_seed accept


def _check_seed(seed: Optional[int]) -> None:
    if seed is not None and not 0 <= seed <= MAX_SEED:
        raise InvalidArgumentError(f"--seed must be a whole number in 0..{MAX_SEED}, got {seed}.")


def _image_extensions() -> tuple[str, ...]:
    from PIL import Image

    return tuple(ext for ext, fmt in Image.registered_extensions().items() if fmt in Image.SAVE)


def _check_output_file(output: Path, what: str, example: str, extensions) -> None:
    """-o must name a file of a known type; checked before anything is generated."""
    if output.is_dir():
        raise InvalidArgumentError(f"-o {output} is a folder; name the file for {what}, e.g. {output / example}.")
    if output.suffix.lower() not in extensions:
        found = f"the extension '{output.suffix}'" if output.suffix else "no extension"
        raise InvalidArgumentError(f"-o {output} has {found}; name the file for {what} like {example}.")


def slerp(a, b, t):
    """Spherical interpolation between latent vectors a and b (Shoemake; White 2016 for GANs)."""
    import numpy as np

    cos = np.dot(a / np.linalg.norm(a), b / np.linalg.norm(b))
    omega = np.arccos(np.clip(cos, -1.0, 1.0))
    if np.sin(omega) < 1e-6:
        return (1 - t) * a + t * b
    return (np.sin((1 - t) * omega) * a + np.sin(t * omega) * b) / np.sin(omega)


@app.command()
@_user_errors
def interpolate(
    name: str = typer.Argument(..., help="Zoo name, hf://org/repo or a preset folder."),
    steps: int = typer.Option(24, help="Frames between two latent points."),
    points: int = typer.Option(4, help="Latent points visited (the walk returns to the first)."),
    seed: int = typer.Option(0, help="Random seed of the latent points."),
    label: Optional[int] = typer.Option(None, help="Class id for conditional models."),
    output: Path = typer.Option(Path("walk.gif"), "-o", "--output", help="GIF to write."),
):
    """A latent walk with spherical interpolation, saved as an animated GIF."""
    import numpy as np
    from PIL import Image

    from kerasgan.images import to_uint8

    if steps < 2 or points < 2:
        raise InvalidArgumentError(f"--steps and --points must be at least 2, got {steps} and {points}.")
    _check_seed(seed)
    _check_output_file(output, "the animated GIF", "walk.gif", (".gif",))
    model = _load(name)
    keys = model.latent_vectors(points, seed)
    z = np.stack([slerp(keys[i], keys[(i + 1) % points], t) for i in range(points)
                  for t in np.linspace(0, 1, steps, endpoint=False)]).astype("float32")
    frames = model.decode(z, labels=_labels(model, len(z), label if label is not None else (0 if model.conditional else None)))
    images = to_uint8(frames, model.output_range)
    pictures = [Image.fromarray(im[..., 0] if im.shape[-1] == 1 else im).resize((128, 128), Image.NEAREST) for im in images]
    output.parent.mkdir(parents=True, exist_ok=True)
    pictures[0].save(output, save_all=True, append_images=pictures[1:], duration=60, loop=0)
    typer.echo(f"Wrote a {len(pictures)}-frame walk through {name} to {output}")


@app.command()
@_user_errors
def train(
    variant: Optional[str] = typer.Argument(None, help="gan, dcgan, wgan, wgangp, lsgan or cgan."),
    data: Optional[Path] = typer.Option(None, "--data", help="Image folder, or the datasets folder for --recipe."),
    image_size: int = typer.Option(64, "--image-size", help="Side of the square images."),
    channels: int = typer.Option(3, "--channels", help="1 for grayscale, 3 for RGB."),
    epochs: Optional[int] = typer.Option(None, "--epochs", help="Epochs (default 25, or the recipe's)."),
    batch_size: int = typer.Option(64, "--batch-size"),
    output: Path = typer.Option(Path("runs/latest"), "-o", "--output", help="Folder for checkpoints, grids and the preset."),
    old_out: Optional[Path] = typer.Option(None, "--out", hidden=True, help="Deprecated: -o/--output."),
    resume: bool = typer.Option(False, "--resume", help="Continue from the last checkpoint in --output."),
    recipe: Optional[str] = typer.Option(None, "--recipe", help="Reproduce a zoo checkpoint from its recipe."),
    seed: int = typer.Option(0, "--seed", help="Seed of weights, shuffling and noise (a recipe has its own)."),
    limit: Optional[int] = typer.Option(None, "--limit", help="Use only the first N training images."),
    devices: Optional[int] = typer.Option(
        None, "--devices", help="Local devices to train on, data-parallel (default: every accelerator; jax and "
        "tensorflow). --batch-size is the global batch. Several hosts: see the README."),
):
    """Train a variant on an image folder (or a zoo recipe), with checkpoints and a health monitor."""
    if old_out is not None:
        _deprecated_flag("--out", "-o/--output")
        output = old_out
    out = output
    from kerasgan import distribute

    # first: a cluster (TF_CONFIG, KERAS_DISTRIBUTION_*) must be joined before the backend's first operation
    with distribute.data_parallel(devices):
        _start_backend()
        if distribute.replica_count() > 1:
            typer.echo(f"Training data-parallel on {distribute.replica_count()} replicas; "
                       f"--batch-size {batch_size} is split between them.", err=True)
        _train(variant, data, image_size, channels, epochs, batch_size, out, resume, recipe, seed, limit,
               chief=distribute.is_chief())


def _train(variant, data, image_size, channels, epochs, batch_size, out, resume, recipe, seed, limit, chief):
    import keras

    from kerasgan import callbacks as cb

    _check_train_options(out, image_size=image_size, channels=channels, epochs=epochs, batch_size=batch_size,
                         seed=seed, limit=limit)
    if recipe:
        model, fit_data, spec = _recipe_model_and_data(recipe, data)
        batch_size, seed = spec["batch_size"], spec["seed"]
        epochs = spec["epochs"] if epochs is None else epochs
    else:
        model, fit_data = _variant_model_and_data(variant, data, out, image_size, channels, batch_size, seed, limit)
        epochs = DEFAULT_EPOCHS if epochs is None else epochs
    if "batch_size" in fit_data:  # arrays (a folder's dataset was limited and shuffled as it was read)
        fit_data = _this_process_arrays(fit_data, limit)
    out.mkdir(parents=True, exist_ok=True)
    checkpoints = out / "checkpoints"
    if not resume and cb.Checkpoint.files(checkpoints):  # damaged ones too: never train over them
        raise InvalidArgumentError(f"{out} already holds a run; pass --resume to continue it or choose another -o/--output.")
    initial_epoch = cb.resume(model, checkpoints) if resume else 0
    # Every process saves (TensorFlow's multi-worker saving takes part in collectives), but
    # only the chief into --output; the others into a folder removed at the end.
    writes = out if chief else Path(tempfile.mkdtemp(prefix="kerasgan-worker-"))
    log = writes / "training_log.csv"
    if resume:
        _trim_training_log(log, initial_epoch)
    keras.utils.set_random_seed(seed)
    monitor = cb.TrainingMonitor(checkpoint_dir=checkpoints)
    history = model.fit(
        **fit_data, epochs=epochs, initial_epoch=initial_epoch, verbose="auto" if sys.stdout.isatty() else 2,
        # the log row goes first, so that a checkpoint on disk always has its epoch in the log
        callbacks=[keras.callbacks.CSVLogger(str(log), append=resume),
                   monitor, cb.Checkpoint(writes / "checkpoints"), cb.SampleGrid(writes / "samples")],
    )
    if monitor.diverged is not None:  # a diverged run is a failure, never a preset
        typer.echo(f"Error: {monitor.diverged.message} No preset was written.", err=True)
        raise typer.Exit(1)
    trained = {"epochs": epochs, "batch_size": batch_size, "seed": seed}
    if not chief:
        model.save_preset(writes / "preset")
        shutil.rmtree(writes, ignore_errors=True)
        typer.echo(f"Trained {name_of(model)} to epoch {epochs} as a worker; the chief writes the preset.")
        return
    model.save_preset(out / "preset", metadata={"recipe": {"name": recipe, **spec, **trained} if recipe else trained})
    final = {k: round(float(v[-1]), 4) for k, v in history.history.items()} if history.history else {}
    typer.echo(f"Trained {name_of(model)} to epoch {epochs}; preset in {out / 'preset'}; last logs {json.dumps(final)}")


DEFAULT_EPOCHS = 25


def _recipe_model_and_data(recipe: str, data):
    """A zoo recipe's compiled model, its `fit()` data arguments and the recipe itself."""
    from kerasgan import recipes

    spec = recipes.get_recipe(recipe)
    images, labels = recipes.load_recipe_data(spec, data)
    # shuffled as recipes.train_recipe trained the published checkpoint; a resumed run
    # draws a fresh order for its remaining epochs (see callbacks.resume)
    return recipes.build_from_recipe(spec), dict(x=images, y=labels, batch_size=spec["batch_size"], shuffle=True), spec


def _variant_model_and_data(variant, data, out, image_size, channels, batch_size, seed, limit):
    """`kerasgan train VARIANT --data PATH`: a compiled variant with the articles' defaults, and
    its `fit()` data arguments (a folder's shuffled dataset, or arrays from .npz/.npy/IDX)."""
    from kerasgan.registry import variants

    if variant is None or data is None:
        raise InvalidArgumentError("Name a VARIANT and --data PATH, or use --recipe NAME.")
    by_name = {k.lower(): v for k, v in variants().items()}
    if variant.lower() not in by_name:
        raise InvalidArgumentError(f"Unknown variant {variant!r}; choose one of {', '.join(sorted(by_name))}.")
    cls = by_name[variant.lower()]
    if cls.conditional:
        raise InvalidArgumentError("cgan needs labels; train it from Python with fit(images, labels), or with --recipe.")
    _check_training_data_path(data, out)
    from kerasgan import datasets

    model = cls(image_size=image_size, channels=channels, seed=seed)
    model.compile()
    if data.is_dir():  # --limit keeps the first N images of the folder (in file-name order)
        return model, dict(x=datasets.image_folder(data, image_size, channels=channels, batch_size=batch_size,
                                                   shuffle=True, seed=seed, limit=limit,
                                                   report=lambda m: typer.echo(m, err=True)))
    return model, dict(x=datasets.load_npz(data) if data.suffix == ".npz" else _idx_or_npy(data),
                       batch_size=batch_size, shuffle=False)


def _this_process_arrays(fit_data: dict, limit) -> dict:
    """Array `fit()` arguments cut to --limit's first N images (and labels), then, on several
    JAX hosts, to this process's share of the rows and of the global batch."""
    from kerasgan import distribute

    x, y = fit_data["x"], fit_data.get("y")
    if limit is not None:
        x, y = x[:limit], (None if y is None else y[:limit])
    x, y, batch_size = distribute.this_process_share(x, y, fit_data["batch_size"])
    return {**fit_data, "x": x, "y": y, "batch_size": batch_size}


def _check_train_options(out: Path, *, image_size: int, channels: int, epochs: Optional[int], batch_size: int,
                         seed: int, limit: Optional[int]) -> None:
    """What `train` can refuse before it loads data or builds a model."""
    for option, value in (("--epochs", epochs), ("--batch-size", batch_size), ("--limit", limit),
                          ("--image-size", image_size)):
        if value is not None and value < 1:
            raise InvalidArgumentError(f"{option} must be at least 1, got {value}.")
    if channels not in (1, 3):
        raise InvalidArgumentError(f"--channels must be 1 (grayscale) or 3 (RGB), got {channels}.")
    _check_seed(seed)
    if out.exists() and not out.is_dir():
        raise InvalidArgumentError(f"-o {out} is a file; name a folder for the run's checkpoints, grids and preset.")


def _check_training_data_path(data: Path, out: Path) -> None:
    if not data.exists():
        raise NotFoundError(f"--data {data} does not exist; expected an image folder or a .npy, .npz or IDX file.")
    if data.is_dir() and out.resolve().is_relative_to(data.resolve()):
        raise InvalidArgumentError(f"-o {out} lies inside --data {data}, so the run's sample grids would become "
                                   "training images; choose an -o/--output outside it.")


def _trim_training_log(log: Path, epochs_done: int) -> None:
    """Drops the log rows of epochs after the checkpoint a run resumes from (a run killed after
    logging an epoch but before checkpointing it would otherwise log that epoch twice)."""
    import csv

    if not log.is_file():
        return
    with open(log, newline="") as f:
        rows = list(csv.reader(f))
    if not rows:
        return
    header, body = rows[0], rows[1:]
    epoch = header.index("epoch") if "epoch" in header else 0
    kept = [row for row in body if row and row[epoch].isdigit() and int(row[epoch]) < epochs_done]
    if len(kept) != len(body):
        from kerasgan.staging import write_atomically

        write_atomically(log, lambda f: csv.writer(f, lineterminator="\n").writerows([header, *kept]),  # as CSVLogger
                         mode="w")


def _idx_or_npy(path: Path):
    from kerasgan import datasets
    from kerasgan.images import from_uint8

    if path.suffix == ".npy":
        return datasets.load_quickdraw(path)
    images = datasets.load_idx(path)
    return from_uint8(images[..., None])


@app.command("prepare-cats")
@_user_errors
def prepare_cats(
    src: Path = typer.Argument(..., help="CAT-dataset photos with their .cat landmark files."),
    out: Path = typer.Argument(..., help="Folder for the aligned face crops."),
    min_size: int = typer.Option(64, "--min-size", help="Smallest face side kept (64 or 128)."),
):
    """Rotate CAT-dataset faces level by their eyes, crop them, keep those at least --min-size wide."""
    from kerasgan.cats import prepare_cats as run

    report = run(src, out, min_size=min_size)
    typer.echo(f"Wrote {report.written} faces to {out}; skipped {len(report.skipped)}.")
    for name, reason in report.skipped[:20]:
        typer.echo(f"  skipped {name}: {reason}")


@app.command("eval")
@_user_errors
def eval_checkpoint(
    name: str = typer.Argument(..., help="Zoo name, hf://org/repo or a preset folder."),
    data: Optional[Path] = typer.Option(None, "--data", help="The datasets folder for zoo checkpoints (default "
                                        "$KERASGAN_DATA_DIR), or real images: a folder or a .npy/.npz/IDX file."),
    num: int = typer.Option(10_000, "-n", "--num", help="How many samples to generate and measure."),
    old_n: Optional[int] = typer.Option(None, "--n", hidden=True, help="Deprecated: -n/--num."),
    seed: int = typer.Option(0, "--seed", help="Seed of the samples and of the metrics' random subsets."),
    output: Optional[Path] = typer.Option(None, "-o", "--output", help="JSON report (default NAME.eval.json)."),
    ema: bool = typer.Option(True, "--ema/--no-ema", help="Measure the generator's moving average, where the "
                             "checkpoint keeps one, or (--no-ema) the raw generator."),
):
    """Measure a checkpoint against real data: every metric beside its floor (real vs real)."""
    from kerasgan.evaluation import evaluate_checkpoint, format_table, to_json

    if old_n is not None:
        _deprecated_flag("--n", "-n/--num")
        num = old_n
    _start_backend()
    report = evaluate_checkpoint(name, data, n=num, seed=seed, use_ema=ema)
    space = f"; features: {report['feature_space']}" if "feature_space" in report else ""
    generator = f" from the {report['generator']} generator" if "generator" in report else ""
    typer.echo(f"{name}: {num:,} samples (seed {seed}){generator} against {report['real_data']}{space}")
    typer.echo(format_table(report))
    for note in report["notes"]:
        typer.echo(f"Note: {note}")
    output = output or Path(f"{Path(name).name}.eval.json")
    output.write_text(to_json(report), encoding="utf-8")
    typer.echo(f"Wrote {output}")


@app.command()
@_user_errors
def download(name: str = typer.Argument(..., help="Zoo name.")):
    """Fetch a zoo checkpoint into the Hugging Face cache and verify its checksums."""
    from kerasgan.hub import download_preset

    typer.echo(f"{name} is in {download_preset(name)}")


@app.command()
@_user_errors
def publish(
    folder: Path = typer.Argument(..., help="A preset folder (from save_preset or `kerasgan train`)."),
    repo_id: str = typer.Option(..., "--repo-id", help="Hub repository, e.g. me/my-cats."),
    private: bool = typer.Option(False, "--private"),
):
    """Upload a preset folder to the Hugging Face Hub."""
    from kerasgan.presets import push_to_hub

    info_ = push_to_hub(folder, repo_id, private=private)
    typer.echo(f"Published {folder} to {repo_id}: {getattr(info_, 'commit_url', info_)}")


@app.command()
@_user_errors
def demo(
    port: int = typer.Option(7860, help="Port on 127.0.0.1 to serve the page on."),
    checkpoint: Optional[list[str]] = typer.Option(None, "--checkpoint", help="Zoo checkpoint to offer (repeat it; default: all)."),
    open_browser: bool = typer.Option(False, "--open", help="Open the page in a browser."),
):
    """A web page (Gradio) to draw samples from zoo checkpoints and walk their latent space; needs kerasgan[demo]."""
    from kerasgan.demo import launch

    launch(port=port, names=checkpoint, open_browser=open_browser)


def main():
    set_quiet_env()  # before anything imports TensorFlow
    app()


if __name__ == "__main__":
    main()
