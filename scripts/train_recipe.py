"""Trains a zoo recipe on this machine into a run folder that scripts/publish_checkpoint.py stages.

    KERAS_BACKEND=tensorflow KERASGAN_DATA_DIR=../shared/datasets python scripts/train_recipe.py mnist-dcgan runs/mnist-dcgan

Writes `facts.json` (steps, epochs, wall time, backend, device, last logs), `training_log.csv` and
`final.weights.h5` (float32; the publish script decides whether float16 keeps the samples). For
image-folder recipes trained on a GPU, see scripts/train_run.py.

`--continue-from RUN --epochs N` trains N more epochs from another run's final.weights.h5 (the
networks' and both optimizers' states) and adds both runs' wall time up in the facts, with a note
of how it was done.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("recipe")
    p.add_argument("out")
    p.add_argument("--epochs", type=int, help="epochs to train (default: the recipe's)")
    p.add_argument("--continue-from", type=Path, help="a finished run of this recipe to go on from")
    args = p.parse_args()

    from kerasgan import recipes

    out = Path(args.out)
    if args.continue_from:
        before = json.loads((args.continue_from / "facts.json").read_text())
        weights = args.continue_from / "final.weights.h5"
        model, facts = recipes.train_recipe(args.recipe, out, epochs=args.epochs, verbose=2,
                                            weights=weights, initial_epoch=before["epochs"])
        # final.weights.h5 holds both optimizers' states too, so their step counts run on
        facts["legs"] = [*before.get("legs", [[1, before["epochs"]]]), [before["epochs"] + 1, facts["epochs"]]]
        facts["resumed"] = _resumed_note(facts["legs"])
        facts["wall_time_s"] = round(facts["wall_time_s"] + before["wall_time_s"], 1)
        earlier = (args.continue_from / "training_log.csv").read_text().splitlines()
        later = (out / "training_log.csv").read_text().splitlines()[1:]  # CSVLogger wrote its own header
        (out / "training_log.csv").write_text("\n".join(earlier + later) + "\n")
    else:
        model, facts = recipes.train_recipe(args.recipe, out, epochs=args.epochs, verbose=2)
    model.save_weights(out / "final.weights.h5")
    (out / "facts.json").write_text(json.dumps(facts, indent=2) + "\n")
    print(json.dumps(facts))


def _resumed_note(legs) -> str:
    """[[1, 20], [21, 30], [31, 45]] -> "epochs 1-20 in one run; 21-30, then 31-45, each from the run
    before's final weights and optimizer states, shuffling reseeded"."""
    later = ", then ".join(f"{a}-{b}" for a, b in legs[1:])
    each = ", each from the run before's" if len(legs) > 2 else " from its"
    return (f"epochs {legs[0][0]}-{legs[0][1]} in one run; {later}{each} final weights and optimizer states, "
            "shuffling reseeded")


if __name__ == "__main__":
    main()
