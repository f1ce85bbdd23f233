"""The one-call GPU training script, run here on the CPU for one epoch: it parses its runs,
trains each recipe without TensorFlow, and packs each run as one tar (the weights left out of a
*-noaug run) with the held-out files the recipe holds out."""

import json
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import keras
import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.skipif(keras.backend.backend() != "jax", reason="the GPU machines train on JAX")
def test_train_on_gpu_packs_each_run(tmp_path, data_dir):
    blocker = tmp_path / "no_tensorflow"
    blocker.mkdir()
    (blocker / "sitecustomize.py").write_text('import sys\nsys.modules["tensorflow"] = None\n')
    env = dict(os.environ, PYTHON=sys.executable, OUT=str(tmp_path / "out"), DATA=str(data_dir),
               RUNS=str(tmp_path / "runs"), PYTHONPATH=str(blocker))
    result = subprocess.run(["bash", "scripts/train_on_gpu.sh", "0", "roses64", "roses64@roses64-noaug+diff_augment="],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    log = (tmp_path / "out" / "train.log").read_text() if (tmp_path / "out" / "train.log").exists() else ""
    assert result.returncode == 0, (result.stdout + result.stderr + log)[-3000:]
    from kerasgan import recipes

    _, held_out = recipes.recipe_split(recipes.get_recipe("roses64"), data_dir)
    for name, with_weights in (("roses64", True), ("roses64-noaug", False)):
        with tarfile.open(tmp_path / "out" / f"{name}.tar") as tar:
            names = set(tar.getnames())
            facts = json.load(tar.extractfile(f"{name}/facts.json"))
        assert {f"{name}/samples.png", f"{name}/nearest_train.png", f"{name}/training_log.csv"} <= names
        assert (f"{name}/preset/model.weights.h5" in names) == with_weights
        assert facts["held_out"] == [f.name for f in held_out]
        assert facts["steps"] == 2 and facts["backend"] == "jax" and facts["memorization"]["n_held_out"] == 7
        assert facts["options"]["diff_augment"] == (None if name.endswith("noaug") else "color,translation,cutout")
    assert (tmp_path / "out" / "roses64.tar").stat().st_size < 16 * 2**20
