"""Temporary folders that survive a killed process: named after the process that made them, so
the next one removes those whose owner is gone (cleanup at exit alone misses `kill -9`)."""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path


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
