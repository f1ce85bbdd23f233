"""`weights_manifest.json`: the list of zoo checkpoints, its schema, and how entries are made.

The manifest is the root of trust for `from_pretrained(name)`: it pins each checkpoint's Hub
repository and revision and every file's size and SHA-256. It is validated whenever it is read,
so a malformed entry (or a file name that could leave its folder) fails before anything is
downloaded or loaded.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import re
from pathlib import Path
from typing import Any

from kerasgan.errors import IntegrityError, InvalidArgumentError, NotFoundError
from kerasgan.staging import write_atomically

SCHEMA_VERSION = 1
MANIFEST_NAME = "weights_manifest.json"
REQUIRED_FILES = ("config.json", "model.weights.h5")

_SHA256 = re.compile(r"[0-9a-fA-F]{64}")
_COMMIT = re.compile(r"[0-9a-f]{40}")
# A file name is one or more plain segments joined by "/": no "..", no absolute paths, no
# backslashes, no glob characters (names double as `allow_patterns` for huggingface_hub).
_SEGMENT = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._-]*")
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")  # checkpoint names become folder names
_REPO_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._-]*")
_REF = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/-]*")


# ------------------------------------------------------------------- locations
def checkout_root() -> Path | None:
    """The source checkout holding this package (has pyproject.toml), or None when installed."""
    root = Path(__file__).resolve().parent.parent
    return root if (root / "pyproject.toml").is_file() and (root / "kerasgan").is_dir() else None


def find_manifest() -> Path:
    """The checkout's root `weights_manifest.json` (the one file the project edits) when running from
    a checkout, else the copy an installed wheel carries inside the package (see setup.py)."""
    root = checkout_root()
    candidates = ([root / MANIFEST_NAME] if root else []) + [Path(__file__).resolve().parent / MANIFEST_NAME]
    for path in candidates:
        if path.is_file():
            return path
    raise NotFoundError(
        f"No {MANIFEST_NAME} was found (looked at {', '.join(map(str, candidates))}); reinstall kerasgan."
    )


# ------------------------------------------------------------------ validation
def load_manifest(source: str | os.PathLike | dict | None = None) -> dict:
    """Reads and validates a manifest: a path, an already-parsed dict, or None for `find_manifest()`."""
    if isinstance(source, dict):
        return validate_manifest(copy.deepcopy(source), "the manifest")
    path = Path(source) if source is not None else find_manifest()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise NotFoundError(f"The weights manifest {path} does not exist.") from None
    except json.JSONDecodeError as error:
        raise IntegrityError(f"The weights manifest {path} is not valid JSON ({error}).") from None
    return validate_manifest(data, str(path))


def validate_manifest(data: Any, source: str = MANIFEST_NAME) -> dict:
    """Checks the whole manifest; returns it unchanged or raises a one-sentence ValueError."""
    if not isinstance(data, dict):
        raise IntegrityError(f"{source} must hold a JSON object, found {type(data).__name__}.")
    version = data.get("schema_version")
    if version != SCHEMA_VERSION:
        raise IntegrityError(
            f"{source} has schema_version {version!r}, but this kerasgan reads schema_version {SCHEMA_VERSION}."
        )
    checkpoints = data.get("checkpoints")
    if not isinstance(checkpoints, dict):
        raise IntegrityError(f"{source} needs a 'checkpoints' object, found {type(checkpoints).__name__}.")
    for name, entry in checkpoints.items():
        validate_entry(name, entry, source)
    # Optional: the project's classifiers that measure checkpoints, pinned and checked the same way.
    classifiers = data.get("classifiers", {})
    if not isinstance(classifiers, dict):
        raise IntegrityError(f"{source} field 'classifiers' must be an object, found {type(classifiers).__name__}.")
    for name, entry in classifiers.items():
        validate_entry(name, entry, source)
    return data


def validate_entry(name: str, entry: Any, source: str = MANIFEST_NAME) -> dict:
    """Checks one checkpoint entry; the error names the checkpoint and the field."""
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise IntegrityError(f"{source}: checkpoint name {name!r} must be letters, digits, '.', '_' or '-'.")
    where = f"{source}: checkpoint {name!r}"

    def need(obj: dict, key: str, kind, label: str | None = None):
        label = label or key
        if key not in obj:
            raise IntegrityError(f"{where} is missing the field '{label}'.")
        value = obj[key]
        if not isinstance(value, kind) or isinstance(value, bool) and kind is not bool:
            kinds = kind if isinstance(kind, tuple) else (kind,)
            expected = " or ".join(_TYPE_NAMES.get(k, k.__name__) for k in kinds)
            raise IntegrityError(f"{where} field '{label}' must be {expected}, found {type(value).__name__} {value!r}.")
        return value

    if not isinstance(entry, dict):
        raise IntegrityError(f"{where} must be a JSON object, found {type(entry).__name__}.")
    if not need(entry, "class_name", str):
        raise IntegrityError(f"{where} field 'class_name' must not be empty.")
    if not _REPO_ID.fullmatch(need(entry, "repo_id", str)):
        raise IntegrityError(f"{where} field 'repo_id' must look like 'org/name', found {entry['repo_id']!r}.")
    revision = need(entry, "revision", str)
    if not (_COMMIT.fullmatch(revision) or (_REF.fullmatch(revision) and ".." not in revision)):
        raise IntegrityError(f"{where} field 'revision' must be a 40-hex commit or a tag name, found {revision!r}.")
    need(entry, "description", str)
    if "image_size" not in entry and "data_shape" not in entry:
        raise IntegrityError(f"{where} is missing the field 'image_size' (or 'data_shape').")
    if "image_size" in entry and need(entry, "image_size", int) <= 0:
        raise IntegrityError(f"{where} field 'image_size' must be positive, found {entry['image_size']!r}.")
    if "data_shape" in entry:
        shape = need(entry, "data_shape", list)
        if not shape or not all(isinstance(d, int) and not isinstance(d, bool) and d > 0 for d in shape):
            raise IntegrityError(f"{where} field 'data_shape' must be a list of positive integers, found {shape!r}.")
    data = need(entry, "data", dict)
    for key in ("name", "license", "source"):
        need(data, key, str, f"data.{key}")
    files = need(entry, "files", dict)
    for file_name, info in files.items():
        check_file_name(file_name, name, source)
        if not isinstance(info, dict):
            raise IntegrityError(f"{where} field 'files.{file_name}' must be an object with size and sha256.")
        if need(info, "size", int, f"files.{file_name}.size") < 0:
            raise IntegrityError(f"{where} field 'files.{file_name}.size' must not be negative.")
        digest = need(info, "sha256", str, f"files.{file_name}.sha256")
        if not _SHA256.fullmatch(digest):
            raise IntegrityError(
                f"{where} field 'files.{file_name}.sha256' must be 64 hexadecimal characters, found {digest!r}."
            )
    missing = [f for f in REQUIRED_FILES if f not in files]
    if missing:
        raise IntegrityError(f"{where} field 'files' must list {' and '.join(REQUIRED_FILES)}, but lacks {missing[0]}.")
    need(entry, "recipe", dict)
    training = need(entry, "training", dict)
    if need(training, "steps", int, "training.steps") < 0:
        raise IntegrityError(f"{where} field 'training.steps' must not be negative.")
    if need(training, "wall_time_s", (int, float), "training.wall_time_s") < 0:
        raise IntegrityError(f"{where} field 'training.wall_time_s' must not be negative.")
    need(training, "backend", str, "training.backend")
    need(training, "device", str, "training.device")
    need(entry, "metrics", dict)
    return entry


_TYPE_NAMES = {str: "a string", int: "an integer", float: "a number", dict: "an object", list: "a list"}


def check_file_name(file_name: Any, checkpoint: str = "?", source: str = MANIFEST_NAME) -> str:
    """Refuses a file name that is absolute, has '..' or a backslash, or otherwise leaves its folder."""
    ok = isinstance(file_name, str) and all(_SEGMENT.fullmatch(s) for s in file_name.split("/"))
    if not ok:
        raise IntegrityError(
            f"{source}: checkpoint {checkpoint!r} lists the file {file_name!r}, which is not a plain relative path "
            "inside the preset folder (no absolute paths, '..', backslashes or special characters); refusing it."
        )
    return file_name


# ---------------------------------------------------------------- making entries
def sha256_of(path: str | os.PathLike) -> str:
    """Hex SHA-256 of a file, read in 1 MiB chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def preset_files(preset_dir: str | os.PathLike) -> list[str]:
    """The relative names of a preset folder's files, hidden files and folders skipped, sorted."""
    root = Path(preset_dir)
    names = []
    for path in root.rglob("*"):
        rel = path.relative_to(root).as_posix()
        if path.is_file() and not any(part.startswith(".") for part in rel.split("/")):
            names.append(rel)
    return sorted(names)


def manifest_entry_for(
    preset_dir: str | os.PathLike,
    name: str,
    repo_id: str,
    revision: str,
    *,
    description: str | None = None,
    data: dict | None = None,
    recipe: dict | None = None,
    training: dict | None = None,
    metrics: dict | None = None,
) -> dict:
    """A validated manifest entry for a preset folder: its files' sizes and SHA-256, its class and
    shape from config.json/metadata.json, and data/recipe/training/metrics from the arguments or,
    where not given, from metadata.json."""
    root = Path(preset_dir)
    config = json.loads((root / "config.json").read_text(encoding="utf-8"))
    meta_path = root / "metadata.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8")) if meta_path.is_file() else {}
    class_name = str(config.get("class_name", "")).split(">")[-1]
    shape = meta.get("data_shape") or config.get("config", {}).get("data_shape")
    stored_training = meta.get("training") if isinstance(meta.get("training"), dict) else {}
    training = training or {
        "steps": stored_training.get("steps", meta.get("steps", 0)),
        "wall_time_s": stored_training.get("wall_time_s", meta.get("wall_time_s", 0.0)),
        "backend": stored_training.get("backend", meta.get("backend", "")),
        "device": stored_training.get("device", meta.get("device", "")),
    }
    entry: dict[str, Any] = {
        "class_name": class_name,
        "repo_id": repo_id,
        "revision": revision,
        "description": description or meta.get("description") or f"{class_name} preset {name}",
        "data": data or meta.get("data") or {},
        "files": {f: {"size": (root / f).stat().st_size, "sha256": sha256_of(root / f)} for f in preset_files(root)},
        "recipe": recipe if recipe is not None else meta.get("recipe", {}),
        "training": training,
        "metrics": metrics if metrics is not None else meta.get("metrics", {}),
    }
    if isinstance(meta.get("parameters"), dict):
        entry["parameters"] = {k: int(v) for k, v in meta["parameters"].items()}
    if shape:
        entry["data_shape"] = [int(d) for d in shape]
        if len(shape) == 3 and shape[0] == shape[1]:
            entry["image_size"] = int(shape[0])
    return validate_entry(name, entry, f"the entry made from {root}")


def add_to_manifest(name: str, entry: dict, path: str | os.PathLike | None = None,
                    section: str = "checkpoints") -> Path:
    """Adds or replaces `name` in a section ("checkpoints" or "classifiers") of the manifest at `path`
    (default: `find_manifest()`) and writes it back atomically, keys sorted, indented by 2."""
    if section not in ("checkpoints", "classifiers"):
        raise InvalidArgumentError(f"section must be 'checkpoints' or 'classifiers', found {section!r}.")
    path = Path(path) if path is not None else find_manifest()
    data = load_manifest(path) if path.is_file() else {"schema_version": SCHEMA_VERSION, "checkpoints": {}}
    data.setdefault(section, {})[name] = entry
    validate_manifest(data, str(path))
    text = json.dumps(data, indent=2, sort_keys=True) + "\n"
    return write_atomically(path, lambda f: f.write(text), mode="w")
