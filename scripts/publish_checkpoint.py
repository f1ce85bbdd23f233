"""Stages a trained recipe run as a zoo checkpoint: hub/<name>/ (the preset folder that
`kerasgan publish` uploads) and its entry in weights_manifest.json.

    python scripts/publish_checkpoint.py mnist-dcgan runs/mnist-dcgan
    KERASGAN_DATA_DIR=../shared/datasets python scripts/publish_checkpoint.py cats64 ../shared/runs/cats64 \
        --note "shared one GPU with three other runs, so the wall time is not a benchmark"

The run folder holds `facts.json` (what `recipes.train_recipe` returned, or a training driver's
equivalent), `training_log.csv`, and either `final.weights.h5` (float32) or `preset/` (a preset as
trained, published as it is). Float32 weights are stored as float16 only when that changes no
sample by more than one grey level (checked on 256 samples). A `nearest_train.png` beside them
(samples above, their nearest training images below) is published and shown in the model card.
For an image-folder recipe the held-out files the run lists must be the ones the recipe holds out.
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
NEAREST_FILE = "nearest_train.png"
# facts.json fields that describe the run's driver rather than the training (the recipe and
# metadata.json already say the rest; the memorization ratio is measured by record_metrics.py)
NOT_TRAINING_FACTS = ("name", "variant", "options", "memorization", "generate16_ms_warm", "recipe", "class_name",
                      "fp16_max_grey_diff")
COMPARISON_FILE = "nearest_train_without_diff_augment.png"
MANIFEST_TRAINING_FACTS = ("steps", "epochs", "wall_time_s", "backend", "device", "note")


def main(name: str, run_dir: str, repo_id: str | None = None, note: str | None = None,
         without_diff_augment: str | None = None) -> None:
    from kerasgan import recipes
    from kerasgan.manifest import add_to_manifest, manifest_entry_for
    from kerasgan.presets import save_preset

    run = Path(run_dir)
    recipe = recipes.get_recipe(name)
    facts = json.loads((run / "facts.json").read_text())
    model, trained_dtype = trained_model(run, recipe)
    check_held_out(recipe, facts)
    training = {k: v for k, v in facts.items() if k not in NOT_TRAINING_FACTS}
    if note:
        training["note"] = note
    data = recipes.data_source(recipe["data"])
    repo_id = repo_id or f"kerasgan/{name}"
    # Everything the model card shows lives in metadata.json, so scripts/record_metrics.py can redraw it.
    metadata = {"description": recipe["description"], "data": data, "recipe": recipe, "training": training,
                "name": name, "title": name, "handle": name, "repo_id": repo_id, "license": "apache-2.0",
                "limitations": f"Trained on {training['device']} for {training['steps']:,} steps; samples are "
                               "recognisable but not state of the art. Its metrics hold for the data named above only."}
    if (run / NEAREST_FILE).is_file():
        metadata["nearest_train"] = {"file": NEAREST_FILE, "about": nearest_grid_caption(facts)}
    if without_diff_augment:  # the same recipe with DiffAugment off, trained side by side
        metadata["comparison"] = diff_augment_comparison(facts, Path(without_diff_augment))
    dtype = trained_dtype or faithful_dtype(model, metadata)
    target = ROOT / "hub" / name
    if target.exists():
        shutil.rmtree(target)
    save_preset(model, target, metadata={**metadata, "weights_dtype": dtype}, dtype=dtype)
    shutil.copyfile(run / "training_log.csv", target / "training_log.csv")
    if "nearest_train" in metadata:
        shutil.copyfile(run / NEAREST_FILE, target / NEAREST_FILE)
    if "comparison" in metadata:
        shutil.copyfile(Path(without_diff_augment) / NEAREST_FILE, target / COMPARISON_FILE)
    entry = manifest_entry_for(target, name, repo_id, "v0.1.0",
                               description=recipe["description"], data=data, recipe=recipe,
                               training={k: training[k] for k in MANIFEST_TRAINING_FACTS if k in training})
    add_to_manifest(name, entry, ROOT / "weights_manifest.json")
    import zoo_table

    zoo_table.write_readme()
    print(f"staged {name} in {target} ({dtype}); manifest updated")


def trained_model(run: Path, recipe: dict):
    """(model, dtype of its stored weights or None for float32) from final.weights.h5 or preset/; a
    preset must hold the model the recipe builds."""
    from kerasgan import recipes
    from kerasgan.presets import load_preset

    model = recipes.build_from_recipe(recipe)
    if (run / "final.weights.h5").is_file():
        model.load_weights(run / "final.weights.h5")
        return model, None
    trained = load_preset(run / "preset")
    expected, found = ({k: v for k, v in m.get_config().items() if k != "name"} for m in (model, trained))
    if expected != found:
        differ = sorted(k for k in expected.keys() | found.keys() if expected.get(k) != found.get(k))
        raise SystemExit(f"{run / 'preset'} is not the model of recipe {recipe['description']!r}: {differ} differ.")
    meta = json.loads((run / "preset" / "metadata.json").read_text())
    return trained, meta.get("weights_dtype", "float32")


def check_held_out(recipe: dict, facts: dict) -> None:
    """The files a run held out must be those `recipes.recipe_split` holds out (needs the data)."""
    from kerasgan import recipes

    if recipe["data"]["loader"] != "image_folder" or "held_out" not in facts:
        return
    _, held_out = recipes.recipe_split(recipe)
    if [f.name for f in held_out] != facts["held_out"]:
        raise SystemExit("The run held out other files than recipes.recipe_split does; its recipe would not "
                         "reproduce it.")


def nearest_grid_caption(facts: dict) -> str:
    training_set = f"the {facts['examples']:,} training images" if "examples" in facts else "the training images"
    return ("Top four rows: 32 samples (`generate(256, seed=123)[:32]`); bottom four rows, in the same order: the "
            f"nearest of {training_set} to each, by pixel distance. Drawn on the training device when training ended.")


def diff_augment_comparison(facts: dict, other_run: Path) -> dict:
    """What the card shows of the run without DiffAugment: it must have trained as many steps."""
    other = json.loads((other_run / "facts.json").read_text())
    if other["steps"] != facts["steps"] or other["options"].get("diff_augment"):
        raise SystemExit(f"{other_run} is not the same recipe without DiffAugment at {facts['steps']} steps.")
    with_ratio, without_ratio = facts["memorization"]["ratio"], other["memorization"]["ratio"]
    logs = other.get("final_logs", {})
    return {
        "title": "Without DiffAugment",
        "file": COMPARISON_FILE,
        "about": (f"The same recipe with `diff_augment=None`, trained side by side on the same device for the same "
                  f"{facts['steps']:,} steps. Memorization ratio {without_ratio:.2f} without DiffAugment, "
                  f"{with_ratio:.2f} with it ({facts['memorization']['n_samples']} samples against the "
                  f"{facts['memorization']['n_held_out']} held-out images). Without it the discriminator wins "
                  f"outright (it ends at D(real) {logs.get('d_real', float('nan')):.3f}, D(fake) "
                  f"{logs.get('d_fake', float('nan')):.3f}) and the generator no longer learns; "
                  "its samples and their nearest training images, as above:"),
        "memorization_ratio": round(without_ratio, 4),
        "steps": other["steps"],
    }


def faithful_dtype(model, metadata: dict) -> str:
    """float16 when it moves no sample of 256 by more than one grey level, else float32."""
    from kerasgan.presets import load_preset, save_preset

    labels = model.balanced_labels(256)
    reference = model.generate(256, seed=0, labels=labels)
    with tempfile.TemporaryDirectory() as tmp:
        save_preset(model, Path(tmp) / "half", metadata=metadata, dtype="float16")
        half = load_preset(Path(tmp) / "half").generate(256, seed=0, labels=labels)
    return "float16" if np.abs(half.astype(int) - reference.astype(int)).max() <= 1 else "float32"


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("name", help="the recipe and checkpoint name")
    parser.add_argument("run_dir")
    parser.add_argument("repo_id", nargs="?", default=None, help="default kerasgan/NAME")
    parser.add_argument("--note", default=None, help="a training fact the numbers do not tell (shown in the card)")
    parser.add_argument("--without-diff-augment", metavar="RUN_DIR", default=None,
                        help="the same recipe's run with DiffAugment off, shown in the card beside this one")
    args = parser.parse_args()
    main(args.name, args.run_dir, args.repo_id, args.note, args.without_diff_augment)
