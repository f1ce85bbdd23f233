"""Measures a staged zoo checkpoint with `kerasgan eval` and records the results: the full report
as hub/<name>/evaluation.json, the scalar metrics in its metadata.json and manifest entry (files
re-hashed), redraws its model card (scripts/write_model_cards.py), then regenerates README.md's zoo table.

    KERASGAN_DATA_DIR=../shared/datasets python scripts/record_metrics.py mnist-dcgan [-n 10000]
    KERASGAN_DATA_DIR=../shared/datasets python scripts/record_metrics.py cats64 -n 2000

The grayscale checkpoints are recorded at 10,000 samples; the 64x64 colour ones at 2,000 (their
SWD at 10,000 takes many minutes on a 2-core CPU). tests/test_zoo_quality.py checks the count.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main(name: str, n: int, seed: int) -> None:
    from kerasgan.evaluation import evaluate_checkpoint, format_table, summary, to_json
    from kerasgan.manifest import add_to_manifest, load_manifest, manifest_entry_for

    target = ROOT / "hub" / name
    entry = load_manifest(ROOT / "weights_manifest.json")["checkpoints"][name]
    report = evaluate_checkpoint(name, n=n, seed=seed)
    print(format_table(report))
    meta = json.loads((target / "metadata.json").read_text(encoding="utf-8"))
    meta["metrics"] = summary(report)
    meta.pop("metrics_without_ema", None)
    if "generator" in report:  # it keeps a moving average: the raw generator's numbers beside it
        raw = evaluate_checkpoint(name, n=n, seed=seed, use_ema=False)
        print("without the moving average:\n" + format_table(raw))
        report["without_ema"] = raw
        meta["metrics_without_ema"] = summary(raw)
    (target / "evaluation.json").write_text(to_json(report), encoding="utf-8")
    (target / "metadata.json").write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    fresh = manifest_entry_for(target, name, entry["repo_id"], entry["revision"], description=entry["description"],
                               data=entry["data"], recipe=entry["recipe"], training=entry["training"],
                               metrics=meta["metrics"])
    add_to_manifest(name, fresh, ROOT / "weights_manifest.json")
    import write_model_cards
    import zoo_table

    write_model_cards.write_cards([name])

    zoo_table.write_readme()
    print(f"recorded the metrics of {name} in {target} and weights_manifest.json")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("name")
    parser.add_argument("-n", "--num", "--n", dest="n", type=int, default=10_000)  # --n: the name before 0.2
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    main(args.name, args.n, args.seed)
