"""README.md's zoo table is generated from weights_manifest.json and must not drift from it."""

import importlib.util
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def zoo_table():
    spec = importlib.util.spec_from_file_location("zoo_table", ROOT / "scripts" / "zoo_table.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_readme_zoo_table_matches_the_manifest():
    table = zoo_table()
    manifest = json.loads((ROOT / "weights_manifest.json").read_text(encoding="utf-8"))
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert table.readme_with_table(readme, manifest) == readme, "run `python scripts/zoo_table.py`"
    for name in manifest["checkpoints"]:
        assert f"`{name}`" in readme and (ROOT / "hub" / name / "samples.png").is_file()


def test_table_shows_value_beside_floor_and_needs_its_markers():
    table = zoo_table()
    entry = {"class_name": "DCGAN", "data": {"name": "MNIST"},
             "training": {"steps": 10, "wall_time_s": 5.0, "backend": "jax", "device": "CPU (x86_64, 2 cores)"},
             "metrics": {"fid": {"value": 1.234, "floor": 0.5}, "min_class_accuracy": {"value": 0.95, "floor": 0.99}}}
    row = table.render({"checkpoints": {"toy": entry}}).splitlines()[2]
    assert "| 1.23 (0.5) |" in row and "worst-class accuracy 0.95 (0.99)" in row and "10 steps, 5 s (jax, CPU)" in row
    with pytest.raises(ValueError, match="markers"):
        table.readme_with_table("# no table here\n", {"checkpoints": {}})
