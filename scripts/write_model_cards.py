"""Redraws the model card (README.md) of every zoo checkpoint and classifier in hub/ from
weights_manifest.json, then pins each card's new size and SHA-256 in the manifest.

    python scripts/write_model_cards.py            # every entry of the manifest
    python scripts/write_model_cards.py cats64     # only these

Run it after anything changes a manifest entry's metrics, data or recipe, or adds a file the card
shows (samples.png, nearest_train.png, evaluation.json).
"""

from __future__ import annotations

import argparse
import copy
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SECTIONS = ("checkpoints", "classifiers")


def write_cards(names: list[str] | None = None, root: Path = ROOT) -> list[str]:
    """Writes the cards of `names` (default: all) under root/hub and updates root's manifest; returns
    the names whose card changed."""
    from kerasgan.cards import CARD_FILE, write_card
    from kerasgan.manifest import add_to_manifest, load_manifest, sha256_of

    manifest_path = root / "weights_manifest.json"
    manifest = load_manifest(manifest_path)
    wanted = set(names) if names else None
    known = {name for section in SECTIONS for name in manifest.get(section, {})}
    if wanted and wanted - known:
        raise SystemExit(f"Not in {manifest_path.name}: {', '.join(sorted(wanted - known))}.")
    changed = []
    for section in SECTIONS:
        for name, entry in sorted(manifest.get(section, {}).items()):
            if wanted and name not in wanted:
                continue
            folder = root / "hub" / name
            if not (folder / "config.json").is_file():
                raise SystemExit(f"{folder} holds no preset, but the manifest lists {name!r}; stage it first.")
            path = write_card(folder, name, entry, section)
            pinned = {"size": path.stat().st_size, "sha256": sha256_of(path)}
            if entry["files"].get(CARD_FILE) != pinned:
                fresh = copy.deepcopy(entry)
                fresh["files"][CARD_FILE] = pinned
                add_to_manifest(name, fresh, manifest_path, section=section)
                changed.append(name)
    return changed


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="checkpoint or classifier names (default: all)")
    changed = write_cards(parser.parse_args().names or None)
    print(f"{len(changed)} card(s) changed: {', '.join(changed) or 'none'}", file=sys.stderr)
