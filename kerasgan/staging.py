"""Files and folders a killed process cannot leave half-written: `write_atomically` for one file,
and temporary folders named after the process that made them, so the next one removes those
whose owner is gone (cleanup at exit alone misses `kill -9`)."""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path


def write_atomically(path, write, mode: str = "wb") -> Path:
    """`write(file)` into a hidden file beside `path` (opened with `mode`), then renamed over it: a
    process killed mid-write leaves the old file or none, never half of one. The file gets the
    permissions of the one it replaces (new files 0644; mkstemp's own are 0600)."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, mode, **({} if "b" in mode else {"encoding": "utf-8", "newline": ""})) as f:
            write(f)
        os.chmod(tmp, path.stat().st_mode & 0o777 if path.exists() else 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def make_staging_dir(parent, prefix: str) -> Path:
    """A new folder `<prefix><pid>-<random>` in `parent`, after removing the stale ones."""
    parent = Path(parent)
    remove_stale(parent, prefix)
    return Path(tempfile.mkdtemp(prefix=f"{prefix}{os.getpid()}-", dir=parent))


def remove_stale(parent, prefix: str) -> list[Path]:
    """Removes the folders `<prefix><pid>-*` in `parent` whose process no longer runs (and that
    belong to this user); returns them."""
    parent = Path(parent)
    pattern = re.compile(re.escape(prefix) + r"(\d+)-")
    removed = []
    try:
        entries = list(parent.iterdir())
    except OSError:
        return removed
    for entry in entries:
        match = pattern.match(entry.name)
        if not match or not _ours(entry) or _running(int(match.group(1))):
            continue
        shutil.rmtree(entry, ignore_errors=True)
        removed.append(entry)
    return removed


def _ours(path: Path) -> bool:
    try:
        return path.is_dir() and not path.is_symlink() and (os.name == "nt" or path.stat().st_uid == os.getuid())
    except OSError:
        return False


def _running(pid: int) -> bool:
    if pid == os.getpid():
        return True
    if os.name == "nt":  # no cheap check: never remove another process's folder there
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    return True
