"""Trains a zoo recipe on this machine into a run folder that scripts/publish_checkpoint.py stages.

    KERAS_BACKEND=tensorflow KERASGAN_DATA_DIR=../shared/datasets python scripts/train_recipe.py mnist-dcgan runs/mnist-dcgan

Writes `facts.json` (steps, epochs, wall time, backend, device, last logs), `training_log.csv` and
`final.weights.h5` (float32; the publish script decides whether float16 keeps the samples). For
image-folder recipes trained on a GPU, see scripts/train_run.py.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("recipe")
    p.add_argument("out")
    p.add_argument("--epochs", type=int, help="fewer epochs than the recipe's, for a trial")
    args = p.parse_args()

    from kerasgan import recipes

    out = Path(args.out)
    model, facts = recipes.train_recipe(args.recipe, out, epochs=args.epochs, verbose=2)
    model.save_weights(out / "final.weights.h5")
    (out / "facts.json").write_text(json.dumps(facts, indent=2) + "\n")
    print(json.dumps(facts))


if __name__ == "__main__":
    main()
