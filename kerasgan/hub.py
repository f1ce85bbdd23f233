"""Where a preset's files come from, and checking them before they are loaded.

A handle is a local preset folder, `hf://org/repo[@revision]`, or a zoo name from
`weights_manifest.json`. A zoo name is looked for in the mirror folders (`$KERASGAN_MIRROR/<name>/`,
then the checkout's `hub/<name>/`) and then through `huggingface_hub.snapshot_download` (its cache,
then the network unless `HF_HUB_OFFLINE`). Every file the manifest lists is checked for size and
SHA-256 before anything is read, so a corrupt or tampered file is never deserialized.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from kerasgan import manifest as manifest_lib
from kerasgan.errors import IntegrityError, InvalidArgumentError, NotFoundError

HF_PREFIX = "hf://"
# What loading needs from a repository that has no manifest entry (metadata.json is optional).
LOAD_FILES = ("config.json", "model.weights.h5", "metadata.json")


class PresetNotFoundError(NotFoundError):
    """A preset, or one of its files, could not be found locally or fetched from the Hub."""


class ChecksumError(IntegrityError):
    """A preset file's size or SHA-256 differs from what the manifest pins."""


@dataclass(frozen=True)
class ResolvedPreset:
    """A folder holding a preset's (verified) files, and where it came from."""

    path: Path
    source: str  # "local", "mirror" or "hub"
    name: str | None = None  # the zoo name, when resolved through the manifest
    entry: dict | None = None  # its manifest entry


# ---------------------------------------------------------------- resolution
def resolve_preset(handle, manifest=None, verify: bool = True) -> ResolvedPreset:
    """Finds the folder for `handle` (a folder, `hf://org/repo[@rev]` or a zoo name), fetching
    it from the Hub if needed, and checks its files against the manifest when it is a zoo name."""
    if isinstance(handle, os.PathLike):
        handle = os.fspath(handle)
    if not isinstance(handle, str) or not handle:
        raise TypeError(f"A preset handle must be a folder path, 'hf://org/repo' or a zoo name, got {handle!r}.")
    if handle.startswith(HF_PREFIX):
        return _resolve_hf_handle(handle, manifest, verify)
    path = Path(handle).expanduser()
    if path.is_dir():
        if not (path / "config.json").is_file():
            raise PresetNotFoundError(f"The folder {path} is not a kerasgan preset: it has no config.json.")
        return ResolvedPreset(path, "local")
    if path.exists():
        raise PresetNotFoundError(f"A preset is a folder (config.json, model.weights.h5, ...), but {path} is a file.")
    checkpoints = manifest_lib.load_manifest(manifest)["checkpoints"]
    if handle not in checkpoints:
        hint = f"; for a Hub repository write hf://{handle}" if manifest_lib._REPO_ID.fullmatch(handle) else ""
        raise PresetNotFoundError(
            f"{handle!r} is neither a preset folder nor a zoo checkpoint name (known names: "
            f"{', '.join(sorted(checkpoints)) or 'none yet'}){hint}."
        )
    return _resolve_zoo_name(handle, checkpoints[handle], verify)


def resolve_classifier(name: str, manifest=None) -> ResolvedPreset:
    """The verified folder of one of the project's classifiers (the manifest's "classifiers" section),
    looked for like a zoo checkpoint: mirrors, `hub/<name>/`, then the Hugging Face Hub."""
    classifiers = manifest_lib.load_manifest(manifest).get("classifiers", {})
    if name not in classifiers:
        raise PresetNotFoundError(
            f"{name!r} is not one of the project's classifiers (known: {', '.join(sorted(classifiers)) or 'none yet'})."
        )
    return _resolve_zoo_name(name, classifiers[name], verify=True)


def download_preset(name: str, manifest=None) -> Path:
    """What `kerasgan download NAME` does: fetches a zoo checkpoint into the Hugging Face cache
    (unless a mirror has it) and verifies it; returns its folder."""
    return resolve_preset(name, manifest=manifest, verify=True).path


def find_local_preset(name: str, manifest=None) -> Path | None:
    """The folder of a zoo checkpoint already on this machine (mirror or Hub cache), without any
    network access or checksum check; None if it is not (completely) here."""
    entry = manifest_lib.load_manifest(manifest)["checkpoints"].get(name)
    if entry is None:
        return None
    folders = [f for f in mirror_folders(name) if f.is_dir()]
    if not folders:
        try:
            folders = [Path(_snapshot_download(entry["repo_id"], entry["revision"], list(entry["files"]), True))]
        except _hub_errors():
            return None
    return folders[0] if all((folders[0] / f).is_file() for f in entry["files"]) else None


def mirror_folders(name: str) -> list[Path]:
    """Where a zoo checkpoint may be mirrored, in order: each `$KERASGAN_MIRROR` folder (several
    may be joined with os.pathsep), then the checkout's `hub/` folder when there is one."""
    folders = [Path(p).expanduser() / name for p in os.environ.get("KERASGAN_MIRROR", "").split(os.pathsep) if p]
    root = manifest_lib.checkout_root()
    if root is not None and (root / "hub").is_dir():
        folders.append(root / "hub" / name)
    return folders


def _resolve_zoo_name(name: str, entry: dict, verify: bool) -> ResolvedPreset:
    for folder in mirror_folders(name):
        if folder.is_dir():  # a mirror that has the checkpoint must have it right: no silent fallback
            _check_folder(folder, entry, name, verify)
            return ResolvedPreset(folder, "mirror", name, entry)
    repo_id, revision = entry["repo_id"], entry["revision"]
    mirrors = os.environ.get("KERASGAN_MIRROR")
    looked = [f"$KERASGAN_MIRROR/{name} ({mirrors or 'KERASGAN_MIRROR is not set'})"]
    root = manifest_lib.checkout_root()
    if root is not None:
        looked.append(str(root / "hub" / name))
    try:
        folder = Path(_snapshot_download(repo_id, revision, list(entry["files"]), _offline()))
    except _hub_errors() as error:
        raise PresetNotFoundError(
            f"Zoo checkpoint {name!r} was not found: looked in {', '.join(looked)} and on the Hugging Face Hub "
            f"for {repo_id} at revision {revision} ({_reason(error, repo_id, revision)}); get it with "
            f"`kerasgan download {name}` where the network is reachable (HF_HUB_OFFLINE unset), or put its files "
            f"in $KERASGAN_MIRROR/{name}/."
        ) from None
    _check_folder(folder, entry, name, verify)
    return ResolvedPreset(folder, "hub", name, entry)


def _resolve_hf_handle(handle: str, manifest, verify: bool) -> ResolvedPreset:
    repo_id, revision = parse_hf_handle(handle)
    # A manifest entry pinning this exact repository and revision lends its checksums.
    try:
        checkpoints = manifest_lib.load_manifest(manifest)["checkpoints"]
    except FileNotFoundError:
        if manifest is not None:
            raise
        checkpoints = {}
    name, entry = next(
        ((n, e) for n, e in sorted(checkpoints.items()) if e["repo_id"] == repo_id and e["revision"] == revision),
        (None, None),
    )
    files = list(entry["files"]) if entry else list(LOAD_FILES)
    try:
        folder = Path(_snapshot_download(repo_id, revision, files, _offline()))
    except _hub_errors() as error:
        raise PresetNotFoundError(
            f"{handle} could not be loaded: {_reason(error, repo_id, revision or 'main')}; check the repository id "
            "and revision, and fetch it where the network is reachable (HF_HUB_OFFLINE unset)."
        ) from None
    if entry is not None:
        _check_folder(folder, entry, name, verify)
    else:
        _require_files(folder, manifest_lib.REQUIRED_FILES, handle)
    return ResolvedPreset(folder, "hub", name, entry)


def parse_hf_handle(handle: str) -> tuple[str, str | None]:
    """`hf://org/repo[@revision]` -> (repo_id, revision or None)."""
    repo_id, _, revision = handle[len(HF_PREFIX):].partition("@")
    ok_revision = not revision or manifest_lib._REF.fullmatch(revision) and ".." not in revision
    if not manifest_lib._REPO_ID.fullmatch(repo_id) or not ok_revision:
        raise InvalidArgumentError(f"A Hub handle looks like hf://org/name or hf://org/name@revision, got {handle!r}.")
    return repo_id, revision or None


# -------------------------------------------------------------- verification
def verify_files(folder: str | os.PathLike, entry: dict, name: str = "?") -> None:
    """Checks that every file the manifest entry lists is in `folder` with the pinned size and
    SHA-256; raises PresetNotFoundError for a missing file, ChecksumError for a mismatch."""
    folder = Path(folder)
    files = sorted(entry["files"].items())
    _require_files(folder, [f for f, _ in files], f"zoo checkpoint {name!r}")
    for file_name, info in files:
        path = folder / manifest_lib.check_file_name(file_name, name)
        found_size, found = path.stat().st_size, manifest_lib.sha256_of(path)
        if found != info["sha256"].lower() or found_size != info["size"]:
            raise ChecksumError(
                f"{file_name} of zoo checkpoint {name!r} ({path}) does not match the manifest: expected sha256 "
                f"{info['sha256'].lower()} ({info['size']} bytes), found {found} ({found_size} bytes); nothing was "
                "loaded, so delete that copy and download it again."
            )


def _check_folder(folder: Path, entry: dict, name: str, verify: bool) -> None:
    if verify:
        verify_files(folder, entry, name)
    else:
        _require_files(folder, manifest_lib.REQUIRED_FILES, f"zoo checkpoint {name!r}")


def _require_files(folder: Path, names, what: str) -> None:
    for file_name in names:
        if not (folder / file_name).is_file():
            raise PresetNotFoundError(
                f"{file_name} of {what} is missing from {folder}; delete that folder and fetch the preset again."
            )


# ------------------------------------------------------------ huggingface_hub
def _offline() -> bool:
    """HF_HUB_OFFLINE as set now (huggingface_hub reads it once, at import)."""
    from huggingface_hub import constants

    value = os.environ.get("HF_HUB_OFFLINE", "")
    return value.upper() in {"1", "ON", "YES", "TRUE"} or bool(constants.HF_HUB_OFFLINE)


def _snapshot_download(repo_id: str, revision: str | None, files: list[str], local_only: bool) -> str:
    from huggingface_hub import snapshot_download

    from kerasgan import __version__

    return snapshot_download(
        repo_id,
        revision=revision,
        allow_patterns=files,
        local_files_only=local_only,
        library_name="kerasgan",
        library_version=__version__,
    )


def _hub_errors() -> tuple[type[BaseException], ...]:
    """What a failed Hub look-up raises: huggingface_hub's errors (OSError and ValueError
    subclasses, EntryNotFoundError) and the HTTP client's transport errors."""
    errors: list[type[BaseException]] = [OSError]
    try:
        from huggingface_hub.errors import EntryNotFoundError, HFValidationError

        errors += [EntryNotFoundError, HFValidationError]
    except ImportError:  # older huggingface_hub keeps them in utils
        from huggingface_hub.utils import EntryNotFoundError, HFValidationError

        errors += [EntryNotFoundError, HFValidationError]
    for module, attr in (("httpx2", "HTTPError"), ("httpx", "HTTPError"), ("requests", "RequestException")):
        try:
            errors.append(getattr(__import__(module), attr))
        except (ImportError, AttributeError):
            pass
    return tuple(errors)


def _reason(error: BaseException, repo_id: str, revision: str) -> str:
    """A short clause saying why huggingface_hub found nothing."""
    from huggingface_hub import constants

    kind = type(error).__name__
    cache = constants.HF_HUB_CACHE
    if kind == "RevisionNotFoundError":
        return f"the Hub has no revision {revision} in {repo_id}"
    if kind in ("RepositoryNotFoundError", "GatedRepoError"):
        return f"the Hub has no repository {repo_id} that this account may read"
    if kind == "HFValidationError":
        return f"{repo_id!r} is not a valid Hub repository id"
    if kind == "IncompleteSnapshotError":
        return f"the copy in the Hugging Face cache at {cache} is incomplete and the Hub could not be reached"
    if _offline() or kind == "OfflineModeIsEnabled":
        return f"HF_HUB_OFFLINE is set, so nothing was downloaded, and the Hugging Face cache at {cache} lacks it"
    if kind == "LocalEntryNotFoundError":
        return f"the Hub could not be reached and the Hugging Face cache at {cache} lacks it"
    first_line = re.split(r"[\r\n]", str(error).strip(), maxsplit=1)[0][:200]
    return f"{kind}: {first_line}" if first_line else kind
