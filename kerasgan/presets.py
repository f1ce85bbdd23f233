"""Presets: a model saved as a folder (keras-hub style), loaded back from a folder, the zoo or
the Hugging Face Hub, and published to the Hub.

A preset folder holds `config.json` (class + constructor config), `model.weights.h5`,
`metadata.json` (versions, parameter counts, date, training facts), `samples.png` (64 samples,
seed 0) and `README.md` (a Hugging Face model card). Loading reads JSON and HDF5 only: the class
comes from `kerasgan.registry`'s variants and nested Keras objects are deserialized in safe mode, so
no code from a preset is executed and nothing is unpickled. Where files come from, and their
checks against `weights_manifest.json`, live in `kerasgan.hub`.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
import uuid
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import keras
import numpy as np

from kerasgan import weights_files
from kerasgan.cards import CARD_FILE, SAMPLES_FILE, model_card
from kerasgan.errors import IntegrityError, InvalidArgumentError
from kerasgan.hub import ChecksumError, PresetNotFoundError, ResolvedPreset, resolve_preset
from kerasgan.manifest import add_to_manifest, find_manifest, load_manifest, manifest_entry_for
from kerasgan.registry import variants
from kerasgan.staging import make_staging_dir, remove_stale

__all__ = [
    "save_preset",
    "load_preset",
    "from_pretrained",
    "push_to_hub",
    "read_preset_config",
    "model_card",
    "resolve_preset",
    "ResolvedPreset",
    "PresetNotFoundError",
    "ChecksumError",
    "load_manifest",
    "find_manifest",
    "manifest_entry_for",
    "add_to_manifest",
]

CONFIG_FILE = "config.json"
WEIGHTS_FILE = "model.weights.h5"
METADATA_FILE = "metadata.json"
N_SAMPLES, SAMPLES_SEED = 64, 0
WEIGHT_DTYPES = ("float32", "float16")
_FLOAT16_MAX = float(np.finfo(np.float16).max)


# ---------------------------------------------------------------------- save
def save_preset(
    model,
    directory: str | os.PathLike,
    metadata: dict | None = None,
    card: dict | None = None,
    sample_grid: bool = True,
    *,
    dtype: str | None = None,
    overwrite: bool = True,
) -> Path:
    """Writes `model` as a preset folder and returns its path.

    `metadata` (training steps, wall time, device, data, recipe, metrics, ...) is merged into
    metadata.json and fills the model card; `card` overrides the card's fields (title,
    description, license, repo_id, data, recipe, metrics, limitations, tags). `dtype="float16"`
    stores the float weights at half size (they load back as float32). The folder is written
    beside its destination and renamed into place, so an interrupted save leaves no half preset;
    an existing preset there is replaced unless `overwrite=False`.
    """
    known = variants()
    class_name = type(model).__name__
    if known.get(class_name) is not type(model):
        raise InvalidArgumentError(
            f"A preset holds one of kerasgan's variants ({', '.join(sorted(known))}), so that it loads back "
            f"without running code, but this model is a {class_name}."
        )
    if dtype not in (None, *WEIGHT_DTYPES):
        raise InvalidArgumentError(f"`dtype` must be None, 'float32' or 'float16', got {dtype!r}.")
    for arg, value in (("metadata", metadata), ("card", card)):
        if value is not None and not isinstance(value, dict):
            raise TypeError(f"`{arg}` must be a dict, got {type(value).__name__}.")
    directory = Path(directory).expanduser()
    _check_destination(directory, overwrite)
    directory.parent.mkdir(parents=True, exist_ok=True)
    # named after this process, so a later save removes what a killed one left behind
    remove_stale(directory.parent, f".{directory.name}.old-")
    staging = make_staging_dir(directory.parent, f".{directory.name}.partial-")
    try:
        _write_json(staging / CONFIG_FILE, _preset_config(model))
        _write_weights(model, staging, dtype)
        has_samples = bool(sample_grid) and _write_samples(model, staging / SAMPLES_FILE)
        meta = _metadata(model, metadata, dtype or "float32", has_samples)
        _write_json(staging / METADATA_FILE, meta)
        (staging / CARD_FILE).write_text(model_card(meta, card, has_samples), encoding="utf-8")
        _move_into_place(staging, directory)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return directory


def _check_destination(directory: Path, overwrite: bool) -> None:
    if directory.exists() and not directory.is_dir():
        raise InvalidArgumentError(f"A preset is saved as a folder, but {directory} is a file.")
    if directory.is_dir() and any(directory.iterdir()):
        if not (directory / CONFIG_FILE).is_file():
            raise InvalidArgumentError(f"{directory} holds other files and is not a preset; save into a new or empty folder.")
        if not overwrite:
            raise FileExistsError(f"A preset already exists at {directory}; pass overwrite=True to replace it.")


def _move_into_place(staging: Path, directory: Path) -> None:
    if directory.is_dir() and not any(directory.iterdir()):
        directory.rmdir()
    if not directory.exists():
        staging.rename(directory)  # atomic on one file system
        return
    old = directory.with_name(f".{directory.name}.old-{os.getpid()}-{uuid.uuid4().hex[:8]}")
    directory.rename(old)
    try:
        staging.rename(directory)
    except BaseException:
        old.rename(directory)
        raise
    shutil.rmtree(old, ignore_errors=True)


def _preset_config(model) -> dict:
    from kerasgan import __version__

    name = type(model).__name__
    return {
        "class_name": name,
        "module": "kerasgan",
        "registered_name": f"kerasgan>{name}",  # also makes it a valid Keras serialized object
        "config": model.get_config(),
        "kerasgan_version": __version__,
    }


def _write_weights(model, folder: Path, dtype: str | None) -> None:
    """Saves the weights without optimizer state (a preset is for sampling and fine-tuning,
    and Adam's moments would triple its size), cast to float16 when asked."""
    import h5py

    raw = folder / ".raw.weights.h5"
    model.save_weights(str(raw))
    with h5py.File(raw, "r") as src, h5py.File(folder / WEIGHTS_FILE, "w") as dst:
        _copy_h5(src, dst, dtype, top=model)
        bad = weights_files.non_finite_arrays(dst)
    raw.unlink()
    if bad:  # a preset is what `sample` serves and the Hub publishes: never a diverged model
        raise IntegrityError(
            f"This {type(model).__name__} holds NaN or infinite weights ({len(bad)} array(s), first: {bad[0]}); "
            "refusing to save it as a preset."
        )


def _copy_h5(src, dst, dtype: str | None, top=None) -> None:
    import h5py

    for key, value in src.attrs.items():
        dst.attrs[key] = value
    for key, item in src.items():
        if top is not None and isinstance(getattr(top, key, None), keras.optimizers.Optimizer):
            continue
        if isinstance(item, h5py.Group):
            _copy_h5(item, dst.create_group(key), dtype)
            continue
        data = item[()]
        if dtype == "float16" and isinstance(data, np.ndarray) and data.dtype == np.float32:
            finite = data[np.isfinite(data)]
            if finite.size and np.abs(finite).max() > _FLOAT16_MAX:
                raise InvalidArgumentError(
                    f"The weight {item.name} reaches {np.abs(finite).max():.4g}, beyond float16's range "
                    f"(+-{_FLOAT16_MAX:g}); save it with dtype=None."
                )
            data = data.astype(np.float16)
        copy = dst.create_dataset(key, data=data)
        for attr, value in item.attrs.items():
            copy.attrs[attr] = value


def _write_samples(model, path: Path) -> bool:
    """A grid of 64 samples with seed 0 (labels cycling through the classes); False when the
    model does not make images."""
    from kerasgan.images import save_grid

    shape = tuple(model.data_shape)
    if model.output_range is None or len(shape) != 3 or shape[-1] not in (1, 3, 4):
        return False
    save_grid(model.generate(N_SAMPLES, seed=SAMPLES_SEED, labels=model.balanced_labels(N_SAMPLES)), path, nrow=8)
    return True


def _metadata(model, extra: dict | None, weights_dtype: str, has_samples: bool) -> dict:
    from kerasgan import __version__

    meta: dict[str, Any] = {
        "class_name": type(model).__name__,
        "kerasgan_version": __version__,
        "keras_version": keras.__version__,
        "backend": keras.backend.backend(),
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "data_shape": [int(d) for d in model.data_shape],
        "latent_dim": int(model.latent_dim),
        "conditional": bool(model.conditional),
        "parameters": {
            "generator": int(model.generator.count_params()),
            "discriminator": int(model.discriminator.count_params()),
        },
        "weights_dtype": weights_dtype,
        "optimizer_state": False,
    }
    if model.conditional:
        meta["num_classes"] = int(model.num_classes)
    if has_samples:
        meta["samples"] = {"file": SAMPLES_FILE, "n": N_SAMPLES, "seed": SAMPLES_SEED,
                           "labels": "i % num_classes" if model.conditional else None}
    meta.update(extra or {})  # the caller knows best (e.g. the backend and device it trained on)
    return meta


def _write_json(path: Path, data: Any) -> None:
    path.write_text(json.dumps(data, indent=2, sort_keys=True, default=_json_default) + "\n", encoding="utf-8")


def _json_default(value):
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, (Path, os.PathLike)):
        return os.fspath(value)
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"Preset metadata must be JSON data (numbers, strings, lists, dicts), got {type(value).__name__}.")


# ---------------------------------------------------------------------- load
def load_preset(handle, expected_class: type | None = None, manifest=None, verify: bool = True):
    """Loads a preset: a local folder, `hf://org/repo[@revision]` or a zoo name. Files of a zoo
    checkpoint are checked against the manifest first; then config.json is read as JSON, the
    class is looked up among kerasgan's variants only and must be `expected_class` when given."""
    resolved = resolve_preset(handle, manifest=manifest, verify=verify)
    cls, config = read_preset_config(resolved.path)
    if resolved.entry is not None and resolved.entry["class_name"] != cls.__name__:
        raise IntegrityError(
            f"The manifest lists {resolved.name!r} as a {resolved.entry['class_name']}, but its config.json "
            f"holds a {cls.__name__}."
        )
    if expected_class is not None and cls is not expected_class:
        raise InvalidArgumentError(
            f"{expected_class.__name__}.from_pretrained({os.fspath(handle)!r}) found a {cls.__name__} preset, not a "
            f"{expected_class.__name__}; load it with {cls.__name__}.from_pretrained or kerasgan.from_pretrained."
        )
    try:
        with _safe_mode():  # nested Keras objects (custom networks) may not carry Python code
            model = cls.from_config(config)
    except (TypeError, ValueError) as error:
        raise IntegrityError(
            f"{resolved.path / CONFIG_FILE} does not describe a {cls.__name__} kerasgan can build: "
            f"{str(error).splitlines()[0] if str(error) else type(error).__name__}"
        ) from None
    # HDF5 arrays, cast to each variable's dtype; a damaged, non-finite or mismatched file is refused
    weights_files.load_weights(model, resolved.path / WEIGHTS_FILE, "preset weights file", mismatch=IntegrityError)
    return model


def from_pretrained(handle, manifest=None, verify: bool = True):
    """Loads any kerasgan preset (folder, `hf://org/repo[@revision]` or zoo name) as the class it holds."""
    return load_preset(handle, expected_class=None, manifest=manifest, verify=verify)


def read_preset_config(folder: str | os.PathLike) -> tuple[type, dict]:
    """(class, constructor config) from a preset's config.json, without executing anything: the
    class must be one of kerasgan's variants (`kerasgan.registry`), anything else is refused."""
    known = variants()

    path = Path(folder) / CONFIG_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise IntegrityError(f"{path} is not valid JSON ({error}).") from None
    if not isinstance(data, dict) or not isinstance(data.get("config"), dict):
        raise IntegrityError(f"{path} must hold an object with 'class_name' and a 'config' object.")
    class_name, module = data.get("class_name"), data.get("module") or "kerasgan"
    name = class_name[len("kerasgan>"):] if isinstance(class_name, str) and class_name.startswith("kerasgan>") else class_name
    cls = known.get(name) if isinstance(name, str) else None
    if cls is None or module not in ("kerasgan", cls.__module__):
        where = f"{module}.{class_name}" if module and module != "kerasgan" else class_name
        raise IntegrityError(
            f"{path} names the class {where!r}, which is not a kerasgan model ({', '.join(sorted(known))}); "
            "refusing to load it."
        )
    return cls, data["config"]


def _safe_mode():
    try:
        from keras.src.saving.serialization_lib import SafeModeScope
    except ImportError:  # deserialize_keras_object is safe by default anyway
        return contextlib.nullcontext()
    return SafeModeScope(True)


# ---------------------------------------------------------------------- push
def push_to_hub(
    model_or_folder,
    repo_id: str,
    *,
    revision: str | None = None,
    commit_message: str | None = None,
    private: bool = False,
    token: str | None = None,
    metadata: dict | None = None,
    card: dict | None = None,
    dtype: str | None = None,
    create_pr: bool = False,
):
    """Uploads a preset (a model, saved to a temporary folder first, or a preset folder) to the
    Hugging Face Hub repository `repo_id`, creating it if needed; returns the commit info."""
    from huggingface_hub import HfApi

    api = HfApi(token=token)
    with tempfile.TemporaryDirectory(prefix="kerasgan-push-") as tmp:
        if isinstance(model_or_folder, (str, os.PathLike)):
            folder = Path(model_or_folder).expanduser()
            for required in (CONFIG_FILE, WEIGHTS_FILE):
                if not (folder / required).is_file():
                    raise PresetNotFoundError(f"{folder} is not a preset folder: it has no {required}.")
        else:
            folder = save_preset(model_or_folder, Path(tmp) / "preset", metadata=metadata,
                                 card={"repo_id": repo_id, **(card or {})}, dtype=dtype)
        class_name = json.loads((folder / CONFIG_FILE).read_text(encoding="utf-8")).get("class_name", "model")
        api.create_repo(repo_id, private=private, exist_ok=True)
        if revision and revision != "main" and not create_pr:
            api.create_branch(repo_id, branch=revision, exist_ok=True)
        return api.upload_folder(
            repo_id=repo_id,
            folder_path=str(folder),
            revision=revision,
            commit_message=commit_message or f"Upload {class_name} preset (kerasgan)",
            ignore_patterns=[".*", "*/.*"],  # staging leftovers, caches
            create_pr=create_pr,
        )
