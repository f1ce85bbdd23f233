"""Model cards: the README.md of a preset or classifier folder, as the Hugging Face Hub reads it.

The front matter is for the Hub: library, license, tags, pipeline, the training `datasets` and a
`model-index` that holds every metric `kerasgan eval` measured, each followed by its real-vs-real
floor as a metric of its own (`<name>_floor`), since the model-index has no place for a reference
value. The text is for a person: how to use it, data, recipe, metrics, samples, memorization,
limitations. `write_card` redraws a zoo folder's card from its manifest entry, so the manifest
stays the one source of the numbers a card shows.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

CARD_FILE = "README.md"
SAMPLES_FILE = "samples.png"
NEAREST_FILE = "nearest_train.png"  # samples beside their nearest training images
EVALUATION_FILE = "evaluation.json"
FLOOR_SUFFIX = "_floor"
MEMORIZATION = "memorization_ratio"

# Hub dataset ids of the data the zoo trains on, by the manifest's data name; data without a Hub
# copy gets no `datasets` entry and a model-index dataset named after it.
HUB_DATASETS = {
    "MNIST": "ylecun/mnist",
    "Fashion-MNIST": "zalando-datasets/fashion_mnist",
    "Quick, Draw! numpy_bitmap": "google/quickdraw",
}
METRIC_NAMES = {"fid": "FID", "kid": "KID", "swd": "SWD (x1000)", "ms_ssim": "MS-SSIM"}


# ------------------------------------------------------------------ zoo folders
def write_card(folder: str | os.PathLike, name: str, entry: dict, section: str = "checkpoints") -> Path:
    """Redraws `folder`/README.md for the zoo checkpoint (or, with section="classifiers", the
    classifier) `name` from its manifest entry and the folder's metadata.json; returns the path."""
    folder = Path(folder)
    meta_path = folder / "metadata.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8")) if meta_path.is_file() else {}
    facts = {key: entry[key] for key in ("description", "data", "recipe", "training", "metrics", "repo_id",
                                         "revision") if key in entry}
    if isinstance(meta.get("training"), dict):  # metadata.json may know more training facts than the manifest
        facts["training"] = {**meta["training"], **facts.get("training", {})}
    info = {**meta, **facts, "name": name}
    if section == "classifiers":
        config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
        text = classifier_card(name, config["class_names"], info)
    else:
        text = model_card(info, has_samples=(folder / SAMPLES_FILE).is_file(),
                          has_nearest=(folder / NEAREST_FILE).is_file(),
                          has_evaluation=(folder / EVALUATION_FILE).is_file())
    path = folder / CARD_FILE
    path.write_text(text, encoding="utf-8")
    return path


# ------------------------------------------------------------------ front matter
def hub_dataset(data: dict) -> str | None:
    """The Hub dataset id of a manifest `data` object, or None when it has no Hub copy."""
    return HUB_DATASETS.get(data.get("name", ""))


def eval_results(info: dict, task: tuple[str, str], has_evaluation: bool = False) -> list:
    """`huggingface_hub.EvalResult`s for the measured metrics of `info["metrics"]`: each scalar
    metric, then its floor as `<name>_floor`. Empty when nothing was measured or the data is unknown."""
    from huggingface_hub import EvalResult

    data = info.get("data") if isinstance(info.get("data"), dict) else {}
    metrics = {k: v for k, v in (info.get("metrics") or {}).items() if k != "measured"}
    if not data.get("name") or not metrics:
        return []
    common = {"task_type": task[0], "task_name": task[1], "dataset_type": hub_dataset(data) or _slug(data["name"]),
              "dataset_name": data["name"]}
    repo_id, revision = info.get("repo_id"), info.get("revision")
    if has_evaluation and repo_id and revision:
        common.update(source_name="kerasgan eval",
                      source_url=f"https://huggingface.co/{repo_id}/blob/{revision}/{EVALUATION_FILE}")
    results = []
    for key, metric in metrics.items():
        pair = isinstance(metric, dict)
        value = metric.get("value") if pair else metric
        if not _is_number(value):
            continue
        label = METRIC_NAMES.get(key, key.replace("_", " "))
        results.append(EvalResult(metric_type=key, metric_name=label, metric_value=value, **common))
        if pair and _is_number(metric.get("floor")):
            results.append(EvalResult(metric_type=key + FLOOR_SUFFIX, metric_name=f"{label}, real-vs-real floor",
                                      metric_value=metric["floor"], **common))
    return results


def front_matter(*, license_id: str, tags: list[str], data: dict, model_name: str, results: list,
                 pipeline_tag: str | None = None) -> str:
    """The YAML block between the `---` lines, written by huggingface_hub so the Hub parses it."""
    from huggingface_hub import ModelCardData

    dataset = hub_dataset(data)
    card_data = ModelCardData(
        library_name="keras",
        license=license_id,
        tags=list(dict.fromkeys(t for t in tags if t)),
        pipeline_tag=pipeline_tag,
        datasets=[dataset] if dataset else None,
        model_name=model_name if results else None,
        eval_results=results or None,
    )
    return f"---\n{card_data.to_yaml()}\n---\n"


# ------------------------------------------------------------------ GAN presets
def model_card(metadata: dict, card: dict | None = None, has_samples: bool = True, *,
               has_nearest: bool = False, has_evaluation: bool = False) -> str:
    """A Hugging Face model card (README.md) filled from metadata; `card` overrides fields."""
    info = {**metadata, **(card or {})}
    class_name = info.get("class_name", "GAN")
    data = info.get("data")
    data = data if isinstance(data, dict) else ({"name": data} if data else {})
    info["data"] = data
    conditional = bool(info.get("conditional"))
    task = (("class-conditional-image-generation", "Class-conditional image generation") if conditional
            else ("unconditional-image-generation", "Unconditional image generation"))
    title = info.get("title") or info.get("name") or class_name
    front = front_matter(
        license_id=info.get("license") or "apache-2.0",
        tags=["kerasgan", "gan", class_name.lower(), *info.get("tags", [])],
        data=data,
        model_name=title,
        results=eval_results(info, task, has_evaluation),
        pipeline_tag=None if conditional else "unconditional-image-generation",
    )
    sections = [
        [f"# {title}", "", _description(info, class_name)],
        _how_to_use(info, class_name),
        _data_section(data),
        _recipe_section(info),
        _metrics_section(info.get("metrics") or {}, info.get("metrics_without_ema") or {}),
        _samples_section(conditional) if has_samples else [],
        _memorization_section(info.get("metrics") or {}, has_nearest, _dict(info.get("nearest_train"))),
        _comparison_section(_dict(info.get("comparison"))),
        ["## Limitations", "", _limitations(info, data)],
    ]
    return front + "\n" + "\n\n".join("\n".join(lines) for lines in sections if lines) + "\n"


def _shape_text(info: dict) -> str:
    shape = info.get("data_shape")
    return "x".join(str(d) for d in shape) if shape else "?"


def _description(info: dict, class_name: str) -> str:
    if info.get("description"):
        return info["description"]
    conditioning = f" and a class label (0..{info['num_classes'] - 1})" if info.get("conditional") else ""
    return (f"A `{class_name}` generative adversarial network made with kerasgan (Keras 3; TensorFlow, JAX or "
            f"PyTorch). Its generator maps a {info.get('latent_dim', '?')}-dimensional standard normal vector"
            f"{conditioning} to a {_shape_text(info)} image.")


def _how_to_use(info: dict, class_name: str) -> list[str]:
    repo_id, name = info.get("repo_id"), info.get("name")
    handle = info.get("handle") or (f"hf://{repo_id}" if repo_id else name or "path/to/this/preset")
    labels = f", labels=[i % {info['num_classes']} for i in range(16)]" if info.get("conditional") else ""
    lines = ["## How to use", "", "```python", "import kerasgan", f"from kerasgan import {class_name}", "",
             f"gan = {class_name}.from_pretrained({json.dumps(handle)})",
             f"images = gan.generate(16, seed=0{labels})  # uint8 array, the same seed gives the same images",
             'kerasgan.save_grid(images, "samples.png")', "```"]
    if name and repo_id:
        lines += ["", f"It is also the kerasgan zoo checkpoint `{name}`: `kerasgan sample {name} -o samples.png`, "
                      f"or try it in a browser with `kerasgan demo`."]
    return lines


def _data_section(data: dict) -> list[str]:
    lines = ["## Data", ""]
    if not data:
        return lines + ["Not recorded."]
    first = ("name", "source", "license")
    lines += [f"- {key}: {_text(data[key])}" for key in first if key in data]
    lines += [f"- {key}: {_text(value)}" for key, value in data.items() if key not in first]
    if hub_dataset(data):
        lines.append(f"- on the Hub: [{hub_dataset(data)}](https://huggingface.co/datasets/{hub_dataset(data)})")
    return lines + ["", "The data's license also governs what you may do with this model and its samples."]


def _recipe_section(info: dict) -> list[str]:
    recipe = info.get("recipe") or {}
    lines = ["## Training recipe", ""]
    lines += [f"- {key}: {_text(value)}" for key, value in recipe.items()] or ["Not recorded."]
    training = info.get("training") if isinstance(info.get("training"), dict) else {}
    facts = {key: training.get(key, info.get(key))
             for key in ("steps", "epochs", "wall_time_s", "backend", "device", "resumed", "note")}
    facts.update({"kerasgan": info.get("kerasgan_version"), "keras": info.get("keras_version"),
                  "saved": info.get("date"), "weights dtype": info.get("weights_dtype")})
    params = info.get("parameters") or {}
    if params:
        facts["parameters"] = ", ".join(f"{k} {v:,}" for k, v in params.items())
    lines += ["", "| fact | value |", "|---|---|"]
    return lines + [f"| {key} | {_text(value)} |" for key, value in facts.items() if value is not None]


def _metrics_section(stored: dict, without_ema: dict | None = None) -> list[str]:
    metrics = dict(stored)
    measured = metrics.pop("measured", None)
    lines = ["## Metrics", ""]
    if not metrics:
        return lines + ["Not measured."]
    if measured:
        lines += [f"Measured by `kerasgan eval` on {measured.get('n_samples', 0):,} samples against "
                  f"{_text(measured.get('real_data', 'real data'))}"
                  + (f", features from {measured['feature_space']}" if measured.get("feature_space") else "")
                  + ". The floor is the same metric between two halves of the real data.", ""]
    raw = {k: v for k, v in (without_ema or {}).items() if k != "measured"}
    if raw:
        lines += ["Samples come from the moving average of the generator's weights (`ema_decay`); the raw "
                  "generator, which goes on training when you fine-tune, is measured too "
                  "(`generate(..., use_ema=False)`, `kerasgan eval --no-ema`).", ""]
    lines += ["| metric | value | " + ("raw generator | " if raw else "") + "floor (real vs real) |",
              "|---|---|" + ("---|" if raw else "") + "---|"]
    for key, value in metrics.items():
        pair = isinstance(value, dict) and "value" in value
        other = f"{_text(raw[key]['value']) if isinstance(raw.get(key), dict) else ''} | " if raw else ""
        lines.append(f"| {key} | {_text(value['value'] if pair else value)} | {other}"
                     f"{_text(value.get('floor', '')) if pair else ''} |")
    return lines


def _samples_section(conditional: bool) -> list[str]:
    how = " (labels cycling through the classes)" if conditional else ""
    return ["## Samples", "", f"`generate(64, seed=0)`{how}:", "", f"![64 samples, seed 0]({SAMPLES_FILE})"]


def _memorization_section(metrics: dict, has_nearest: bool, info_nearest: dict) -> list[str]:
    """Whether samples copy the training data: the ratio of nearest-training-image distances, and
    the picture of samples beside their nearest training images when the folder has one."""
    ratio = metrics.get(MEMORIZATION)
    if not isinstance(ratio, dict) and not has_nearest:
        return []
    lines = ["## Memorization", ""]
    if isinstance(ratio, dict):
        lines += [f"`{MEMORIZATION}` = {_text(ratio.get('value'))} (held-out real images: {_text(ratio.get('floor'))}). "
                  "It is the mean distance from a sample to its nearest training image over the same distance for "
                  "real images the model never saw: near 1 means the samples are as new as unseen real images, "
                  "well below 1 means it reproduces training images."]
    if has_nearest:
        nearest = info_nearest.get("about") or "Each sample beside its nearest training image:"
        lines += ["", _text(nearest), "", f"![samples beside their nearest training images]({NEAREST_FILE})"]
    return lines


def _limitations(info: dict, data: dict) -> str:
    return info.get("limitations") or (
        f"It makes images like those in {data.get('name', 'its training data')} and nothing else, at "
        f"{_shape_text(info)}; it inherits that data's biases and gaps, and GAN samples can show artifacts or "
        "little variety (mode collapse). Its samples are synthetic and should not be presented as real photographs."
    )


# ------------------------------------------------------------------ classifiers
def classifier_card(name: str, class_names: list[str], meta: dict) -> str:
    """The card of one of the project's classifiers (what measures the zoo): its test accuracy
    goes into the model-index as `accuracy` on the data's test split."""
    from huggingface_hub import EvalResult

    data, training, metrics = meta.get("data", {}), meta.get("training", {}), meta.get("metrics") or {}
    accuracy = metrics.get("test_accuracy", training.get("test_accuracy"))
    examples = metrics.get("test_examples", training.get("test_examples"))
    results = []
    if _is_number(accuracy) and data.get("name"):
        results = [EvalResult(task_type="image-classification", task_name="Image classification",
                              dataset_type=hub_dataset(data) or _slug(data["name"]), dataset_name=data["name"],
                              dataset_split="test", metric_type="accuracy", metric_name="Test accuracy",
                              metric_value=accuracy)]
    from kerasgan.classifiers import FEATURE_LAYER  # the classifier module imports this one

    front = front_matter(license_id="apache-2.0", tags=["kerasgan", "image-classification"], data=data,
                         model_name=name, results=results, pipeline_tag="image-classification")
    lines = [f"# {name}", "", meta.get("description", "A kerasgan classifier."), "",
             "It measures kerasgan's zoo checkpoints: which class each sample looks like, and the feature space "
             f"(its `{FEATURE_LAYER}` layer) for FID, KID and precision/recall.", "", "```python",
             "from kerasgan.classifiers import load_classifier", "",
             f'classifier = load_classifier("{name}")',
             "labels = classifier.predict(uint8_images)  # (N, 28, 28, 1) uint8", "```", "",
             f"- classes: {', '.join(class_names)}",
             f"- data: {data.get('name', '?')} ({data.get('license', '?')}; {data.get('source', '?')})"]
    if accuracy is not None:
        lines.append(f"- test accuracy: {accuracy:.4f} on {examples:,} held-out images")
    if "steps" in training:
        lines.append(f"- training: {training['steps']:,} steps, {training['wall_time_s']} s, "
                     f"{training['backend']} on {training['device']}")
    return front + "\n" + "\n".join(lines) + "\n"


# ------------------------------------------------------------------ helpers
def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _slug(name: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in name.lower()).strip("-")


def _text(value) -> str:
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    return text.replace("|", "\\|").replace("\n", " ")


def _dict(value) -> dict:
    return value if isinstance(value, dict) else {}


def _comparison_section(comparison: dict) -> list[str]:
    """Another run of the same recipe with one setting changed (e.g. DiffAugment off), as a picture."""
    if not comparison.get("file"):
        return []
    return [f"### {comparison.get('title', 'Compared with')}", "", _text(comparison.get("about", "")), "",
            f"![{comparison.get('title', 'comparison')}]({comparison['file']})"]
