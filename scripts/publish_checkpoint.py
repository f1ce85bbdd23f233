"""Stages a trained recipe run as a zoo checkpoint: hub/<name>/ (the preset folder that
`kerasgan publish` uploads) and its entry in weights_manifest.json.

    python scripts/publish_checkpoint.py mnist-dcgan runs/mnist-dcgan

The run folder holds `final.weights.h5`, `facts.json` (what `recipes.train_recipe` returned)
and `training_log.csv`. Weights are stored as float16 only when that changes no sample by more
than one grey level (checked on 256 samples).
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]


def main(name: str, run_dir: str, repo_id: str | None = None) -> None:
    from kerasgan import recipes
    from kerasgan.manifest import add_to_manifest, manifest_entry_for
    from kerasgan.presets import load_preset, save_preset

    run = Path(run_dir)
    recipe = recipes.get_recipe(name)
    facts = json.loads((run / "facts.json").read_text())
    model = recipes.build_from_recipe(recipe)
    model.load_weights(run / "final.weights.h5")
    data = recipes.data_source(recipe["data"])
    repo_id = repo_id or f"kerasgan/{name}"
    # Everything the model card shows lives in metadata.json, so scripts/record_metrics.py can redraw it.
    metadata = {"description": recipe["description"], "data": data, "recipe": recipe, "training": facts,
                "name": name, "title": name, "handle": name, "repo_id": repo_id, "license": "apache-2.0",
                "limitations": "Trained on a 2-core CPU for a short budget; samples are recognisable but not state "
                               "of the art. Its metrics hold for the data named above only."}
    labels = (np.arange(256) % model.num_classes) if model.conditional else None
    reference = model.generate(256, seed=0, labels=labels)
    with tempfile.TemporaryDirectory() as tmp:
        dtype = "float32"
        save_preset(model, Path(tmp) / "half", metadata=metadata, dtype="float16")
        half = load_preset(Path(tmp) / "half").generate(256, seed=0, labels=labels)
        if np.abs(half.astype(int) - reference.astype(int)).max() <= 1:
            dtype = "float16"
        target = ROOT / "hub" / name
        if target.exists():
            shutil.rmtree(target)
        save_preset(model, target, metadata={**metadata, "weights_dtype": dtype}, dtype=dtype)
    shutil.copy(run / "training_log.csv", target / "training_log.csv")
    entry = manifest_entry_for(target, name, repo_id, "v0.1.0",
                               description=recipe["description"], data=data, recipe=recipe,
                               training={k: facts[k] for k in ("steps", "wall_time_s", "backend", "device")})
    add_to_manifest(name, entry, ROOT / "weights_manifest.json")
    import zoo_table

    zoo_table.write_readme()
    print(f"staged {name} in {target} ({dtype}); manifest updated")


if __name__ == "__main__":
    main(*sys.argv[1:])
