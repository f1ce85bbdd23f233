"""Trains one of the project's classifiers and stages it in hub/<name>/ with its manifest entry
(section "classifiers"); refuses to stage one below its recipe's test accuracy.

    KERASGAN_DATA_DIR=../shared/datasets python scripts/train_classifier.py mnist-classifier
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main(name: str) -> None:
    from kerasgan import classifiers, recipes
    from kerasgan.manifest import add_to_manifest, manifest_entry_for

    spec = classifiers.CLASSIFIERS[name]
    classifier, facts = classifiers.train_classifier(name, verbose=2)
    accuracy = facts["test_accuracy"]
    if accuracy < spec["min_test_accuracy"]:
        sys.exit(f"{name} reached test accuracy {accuracy:.4f}, below the required {spec['min_test_accuracy']}; "
                 "not staged.")
    target = ROOT / "hub" / name
    if target.exists():
        shutil.rmtree(target)
    data = recipes.data_source(spec["data"])
    classifiers.save_classifier(classifier, target, {"description": spec["description"], "data": data,
                                                     "recipe": spec, "training": facts})
    metrics = {"test_accuracy": accuracy, "test_examples": facts["test_examples"]}
    entry = manifest_entry_for(target, name, f"kerasgan/{name}", "v0.1.0", description=spec["description"],
                               data=data, recipe=spec, metrics=metrics,
                               training={k: facts[k] for k in ("steps", "wall_time_s", "backend", "device")})
    add_to_manifest(name, entry, ROOT / "weights_manifest.json", section="classifiers")
    print(f"staged {name} in {target}: test accuracy {accuracy:.4f} on {facts['test_examples']} held-out images")


if __name__ == "__main__":
    main(sys.argv[1])
