"""What `kerasgan eval` measures: a checkpoint's samples against real data, each metric beside its floor.

The floor is the same metric between two disjoint halves of the real data (`metrics.with_floor`):
what a perfect generator would score at this sample size. Feature metrics use the domain's own
classifier for the 28x28 zoo domains, InceptionV3 where its weights are on disk, and are left out
(with a note) otherwise; SWD and MS-SSIM need no network.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from kerasgan import metrics
from kerasgan.errors import DataError, InvalidArgumentError, NotFoundError
from kerasgan.images import from_uint8, to_uint8

# Which classifier measures which data source, by a recipe's "kind" or "loader".
DOMAIN_CLASSIFIERS = {"mnist": "mnist-classifier", "fashion-mnist": "fashion-mnist-classifier",
                      "quickdraw": "quickdraw-classifier"}
# Direction of each reported metric, for the table and for readers of the JSON.
BETTER = {"fid": "lower", "kid": "lower", "precision": "higher", "recall": "higher", "density": "≈1",
          "coverage": "higher", "swd": "lower", "ms_ssim": "≈floor", "memorization_ratio": "≈1",
          "classes_covered": "higher", "min_class_fraction": "≈1/C", "max_class_fraction": "≈1/C",
          "mean_confidence": "higher", "recognised": "higher", "min_class_accuracy": "higher",
          "mean_class_accuracy": "higher"}


@dataclass
class EvalData:
    """Real images (uint8) to compare against, with what is known about them."""

    real: np.ndarray
    description: str
    labels: np.ndarray | None = None  # indexes `class_names`
    class_names: list[str] | None = None
    train: np.ndarray | None = None  # what the model trained on, when `real` is held out from it
    heldout: np.ndarray | None = None  # images kept out of training, when `real` is not (else `real`)
    classifier: str | None = None  # the project classifier for this domain
    notes: list[str] = field(default_factory=list)


# ------------------------------------------------------------------ real data
def eval_data_for_recipe(recipe: dict, data_dir: str | os.PathLike) -> EvalData:
    """The real data a zoo recipe is measured against: the held-out test split where the data has
    one (then the training split is kept for the memorization ratio), else the training data (with an
    image folder's held-out files for the memorization ratio)."""
    from kerasgan import datasets
    from kerasgan.classifiers import FASHION_CLASSES

    spec = recipe["data"]
    if spec["loader"] == "image_folder":
        return _image_folder_eval_data(recipe, data_dir)
    if spec["loader"] == "mnist":
        kind = spec["kind"]
        test, test_labels = datasets.mnist(data_dir, "test", kind)
        train, _ = datasets.mnist(data_dir, "train", kind)
        names = FASHION_CLASSES if kind == "fashion-mnist" else [str(d) for d in range(10)]
        return EvalData(to_uint8(test), f"{kind} test split ({len(test):,} images, not trained on)", test_labels,
                        names, train=to_uint8(train), classifier=DOMAIN_CLASSIFIERS[kind])
    images, labels, names = datasets.quickdraw_classes(data_dir, spec["classes"], spec.get("limit_per_class"))
    return EvalData(to_uint8(images), f"the {len(images):,} Quick-Draw drawings it trained on ({', '.join(names)})",
                    labels, names, classifier=DOMAIN_CLASSIFIERS["quickdraw"],
                    notes=["memorization_ratio is not measured: the recipe trained on every drawing, none is held out."])


def _image_folder_eval_data(recipe: dict, data_dir) -> EvalData:
    """An image-folder recipe keeps only `holdout` files out of training: too few to be the real side of
    SWD and MS-SSIM at thousands of samples, so those compare with the training images and the held-out
    files serve the memorization ratio."""
    from kerasgan import datasets, recipes

    spec = recipe["data"]
    train_files, heldout_files = recipes.recipe_split(recipe, data_dir)
    channels = recipe["options"].get("channels", 3)
    train = datasets.load_image_files(train_files, spec["image_size"], channels)
    heldout = datasets.load_image_files(heldout_files, spec["image_size"], channels) if heldout_files else None
    notes = [] if heldout is not None else ["memorization_ratio is not measured: the recipe holds out no files."]
    return EvalData(train, f"the {len(train):,} training images of {spec['path']} ({len(heldout_files):,} more held "
                           "out for the memorization ratio)", train=train if heldout is not None else None,
                    heldout=heldout, notes=notes)


def _has_recipe_data(recipe: dict, data) -> bool:
    """Whether `data` is the datasets folder holding a recipe's data (or, for an image-folder recipe,
    that folder itself)."""
    from kerasgan import recipes

    spec = recipe.get("data", {})
    if spec.get("loader") == "image_folder":
        try:
            recipes.recipe_split(recipe, data)
        except (FileNotFoundError, ValueError):
            return False
        return True
    return Path(data, spec.get("kind", spec.get("loader", ""))).is_dir()


def eval_data_from_path(path: str | os.PathLike, data_shape) -> EvalData:
    """Real data for any model: an image folder (resized to the model's size), a .npy, .npz or IDX file."""
    from kerasgan import datasets

    path = Path(path)
    height, width, channels = (int(d) for d in data_shape)
    if path.is_dir():
        ds = datasets.image_folder(path, (height, width), channels=channels, batch_size=256, shuffle=False,
                                   drop_remainder=False)
        images = np.concatenate([np.asarray(batch) for batch in ds])
    elif path.suffix == ".npz":
        images = datasets.load_npz(path)
    elif path.suffix == ".npy":
        images = datasets.load_quickdraw(path)
    elif path.is_file():
        images = from_uint8(datasets.load_idx(path)[..., None])
    else:
        raise NotFoundError(f"--data should be an image folder or a .npy/.npz/IDX file; {path} does not exist.")
    images = to_uint8(images)
    if images.shape[1:] != (height, width, channels):
        raise DataError(f"The model makes images of shape {(height, width, channels)}, but {path} holds "
                         f"{images.shape[1:]}.")
    return EvalData(images, f"{path} ({len(images):,} images)")


# --------------------------------------------------------------- evaluation
def evaluate(model, data: EvalData, n: int = 10_000, seed: int = 0, classifier=None, features=None,
             use_ema: bool = True) -> dict:
    """Generates `n` samples with `seed` and measures them against `data`; returns a JSON-ready report.

    `classifier` (a `kerasgan.classifiers.Classifier`) adds the class metrics and, unless `features` is
    given, is the feature space for FID, KID, precision/recall and density/coverage. A model that keeps
    a moving average of its generator (`ema_decay`) is measured through it unless `use_ema=False`.
    """
    if n < 4:
        raise InvalidArgumentError(f"-n/--num must be at least 4 samples, got {n}.")
    if len(data.real) < 8:
        raise DataError(f"Evaluation needs at least 8 real images, found {len(data.real)} in {data.description}.")
    labels = _sample_labels(model, n, data, classifier)
    averaged = getattr(model, "ema_generator", None) is not None  # any object with generate() will do
    fakes = model.generate(n, seed=seed, labels=labels, **({"use_ema": use_ema} if averaged else {}))
    report = {"n_samples": int(n), "seed": int(seed), "real_data": data.description, "metrics": {},
              "notes": list(data.notes)}
    if averaged:
        report["generator"] = "moving-average" if use_ema else "raw"
    found = report["metrics"]
    if features is None and classifier is not None:
        features = classifier.features()
    if features is None:
        features = _inception_if_available(report["notes"])
    if features is not None:
        report["feature_space"] = features.name
        real_f, fake_f = features(data.real), features(fakes)
        found["fid"] = metrics.with_floor(metrics.frechet_distance, real_f, fake_f, seed)
        kid = metrics.with_floor(functools.partial(metrics.kernel_distance, seed=seed), real_f, fake_f, seed)
        found["kid"] = {"value": kid["value"][0], "value_std": kid["value"][1], "floor": kid["floor"][0],
                        "floor_std": kid["floor"][1], "n": kid["n"]}
        for fn in (metrics.precision_recall, metrics.density_coverage):
            both = metrics.with_floor(fn, real_f, fake_f, seed)
            found.update({k: {"value": both["value"][k], "floor": both["floor"][k], "n": both["n"]}
                          for k in both["value"]})
    swd = metrics.with_floor(functools.partial(metrics.sliced_wasserstein, seed=seed), data.real, fakes, seed)
    found["swd"] = {"value": swd["value"][1], "floor": swd["floor"][1], "n": swd["n"]}
    found["ms_ssim"] = {"value": metrics.ms_ssim_diversity(fakes, seed=seed),
                        "floor": metrics.ms_ssim_diversity(data.real, seed=seed), "n": 1000}
    if data.train is not None:
        found["memorization_ratio"] = _memorization(fakes, data, seed)
    if classifier is not None:
        found.update(_class_metrics(classifier, fakes, labels, model, data))
    return report


def _sample_labels(model, n: int, data: EvalData, classifier):
    if not model.conditional:
        return None
    if data.class_names is not None and len(data.class_names) != model.num_classes:
        raise DataError(f"The model has {model.num_classes} classes but the data has {len(data.class_names)}.")
    return model.balanced_labels(n)


def _inception_if_available(notes: list[str]):
    features = metrics.InceptionFeatures()
    try:
        features._weights_path()
    except RuntimeError as error:
        notes.append(f"FID, KID, precision/recall and density/coverage are left out: {error}")
        return None
    return features


def _memorization(fakes, data: EvalData, seed: int) -> dict:
    """Samples' nearest-training-image distance over held-out real images', beside the same ratio for a
    second held-out half (the floor, about 1)."""
    heldout = data.heldout if data.heldout is not None else data.real
    rng = np.random.default_rng(seed)
    half = len(heldout) // 2
    order = rng.permutation(len(heldout))
    heldout_a, heldout_b = heldout[np.sort(order[:half])], heldout[np.sort(order[half:2 * half])]
    fakes = fakes[:half]
    value = metrics.memorization_ratio(fakes, data.train, heldout_b)["ratio"]
    floor = metrics.memorization_ratio(heldout_a, data.train, heldout_b)["ratio"]
    return {"value": value, "floor": floor, "n": int(min(half, len(fakes)))}


def _class_metrics(classifier, fakes, labels, model, data: EvalData) -> dict:
    """What the classifier sees: class coverage of unconditional samples, or a cGAN's per-class
    accuracy; the floor is the same number on the real images."""
    names = data.class_names or classifier.class_names
    index = [classifier.class_names.index(c) for c in names]  # the domain's classes in the classifier
    probs_fake, probs_real = classifier.probabilities(fakes), classifier.probabilities(data.real)
    found = {}
    if model.conditional:
        for key, probs, wanted in (("value", probs_fake, labels), ("floor", probs_real, data.labels)):
            hits = probs.argmax(axis=1) == np.asarray(index)[wanted]
            per_class = [float(hits[wanted == k].mean()) for k in range(len(names))]
            found.setdefault("min_class_accuracy", {})[key] = min(per_class)
            found.setdefault("mean_class_accuracy", {})[key] = float(np.mean(per_class))
            found.setdefault("class_accuracy", {})[key] = dict(zip(names, per_class))
    elif len(names) == 1:  # e.g. cats among the Quick-Draw classes: how many samples read as one
        target = index[0]
        found["recognised"] = {"value": float((probs_fake.argmax(1) == target).mean()),
                               "floor": float((probs_real.argmax(1) == target).mean()), "class": names[0]}
        found["mean_confidence"] = {"value": metrics.mean_confidence(probs_fake),
                                    "floor": metrics.mean_confidence(probs_real)}
    else:
        for key, probs in (("value", probs_fake), ("floor", probs_real)):
            coverage = metrics.class_coverage(probs[:, index].argmax(axis=1), len(names))
            found.setdefault("classes_covered", {})[key] = coverage["num_covered"]
            found.setdefault("min_class_fraction", {})[key] = coverage["min_fraction"]
            found.setdefault("max_class_fraction", {})[key] = coverage["max_fraction"]
            found.setdefault("class_fractions", {})[key] = dict(zip(names, coverage["fractions"].tolist()))
            found.setdefault("mean_confidence", {})[key] = metrics.mean_confidence(probs)
    for entry in found.values():
        entry["n"] = len(fakes) if "value" in entry else None
    return found


# ------------------------------------------------------------------- output
def format_table(report: dict) -> str:
    """The report's scalar metrics as an aligned text table: metric, value, floor, which way is better."""
    rows = [("metric", "value", "floor (real vs real)", "better")]
    for name, entry in report["metrics"].items():
        if isinstance(entry.get("value"), dict):
            continue  # per-class breakdowns stay in the JSON
        value, floor = _fmt(entry["value"], entry.get("value_std")), _fmt(entry["floor"], entry.get("floor_std"))
        rows.append((name, value, floor, BETTER.get(name, "")))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in rows]
    return "\n".join(lines)


def _fmt(value, std=None) -> str:
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    text = f"{value:.3g}"
    return f"{text} ± {std:.2g}" if std is not None else text


def value_and_floor(metric) -> str:
    """A stored metric as "value (floor)", or "–" when it was not measured."""
    return f"{_fmt(metric['value'])} ({_fmt(metric['floor'])})" if isinstance(metric, dict) else "–"


def class_check(metrics: dict) -> str:
    """The classifier's verdict on stored metrics in a few words: cGAN accuracy, coverage or recognition."""
    if "min_class_accuracy" in metrics:
        return f"worst-class accuracy {value_and_floor(metrics['min_class_accuracy'])}"
    if "classes_covered" in metrics:
        return (f"{metrics['classes_covered']['value']} classes, share {_fmt(metrics['min_class_fraction']['value'])}"
                f"–{_fmt(metrics['max_class_fraction']['value'])}, confidence "
                f"{value_and_floor(metrics['mean_confidence'])}")
    if "recognised" in metrics:
        return f"recognised {value_and_floor(metrics['recognised'])}"
    return "–"


def summary(report: dict) -> dict:
    """The scalar metrics of a report, as the manifest stores them: {name: {"value", "floor"}} plus how
    they were measured."""
    scalars = {k: {"value": _round(v["value"]), "floor": _round(v["floor"])}
               for k, v in report["metrics"].items() if not isinstance(v.get("value"), dict)}
    how = {k: report[k] for k in ("n_samples", "seed", "real_data", "feature_space", "generator") if k in report}
    return {**scalars, "measured": how}


def _round(x):
    return int(x) if isinstance(x, (int, np.integer)) else float(f"{float(x):.5g}")


# ------------------------------------------------------------- checkpoints
def evaluate_checkpoint(handle, data: str | os.PathLike | None = None, n: int = 10_000, seed: int = 0,
                        use_ema: bool = True) -> dict:
    """What `kerasgan eval` runs: loads a zoo name, `hf://` handle or preset folder and measures it.

    A checkpoint made by a zoo recipe is measured against that recipe's data, found in `data` (the
    datasets folder, default $KERASGAN_DATA_DIR), with its domain's classifier; any other model
    against `data` itself: an image folder or a .npy/.npz/IDX file.
    """
    import json

    from kerasgan import datasets, recipes
    from kerasgan.hub import resolve_preset
    from kerasgan.presets import load_preset

    model = load_preset(handle)
    resolved = resolve_preset(handle)
    meta_path = resolved.path / "metadata.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8")) if meta_path.is_file() else {}
    recipe = (resolved.entry or {}).get("recipe") or meta.get("recipe")
    if isinstance(recipe, str):  # `kerasgan train --recipe NAME` records the name
        recipe = recipes.RECIPES.get(recipe)
    data = datasets.resolve_data_dir(data, "Evaluation compares with real data")
    classifier = None
    if recipe and _has_recipe_data(recipe, data):
        real = eval_data_for_recipe(recipe, data)
        classifier = _domain_classifier(real) if real.classifier else None
    else:
        real = eval_data_from_path(data, model.data_shape)
    report = evaluate(model, real, n=n, seed=seed, classifier=classifier, use_ema=use_ema)
    return {"checkpoint": str(handle), **report}


def _domain_classifier(data: EvalData):
    from kerasgan.classifiers import load_classifier
    from kerasgan.hub import PresetNotFoundError

    try:
        return load_classifier(data.classifier)
    except PresetNotFoundError as error:
        data.notes.append(f"Class metrics and classifier features are left out: {error}")
        return None


def to_json(report: dict) -> str:
    """The report as indented JSON (numpy numbers become plain ones)."""
    import json

    return json.dumps(report, indent=2, default=lambda v: v.item() if isinstance(v, np.generic) else str(v)) + "\n"
