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
    text = table.render({"checkpoints": {"toy": entry}})
    row = next(line for line in text.splitlines() if line.startswith("| `toy`"))
    assert text.startswith("### Grayscale") and "### Colour" not in text
    assert "| 1.23 (0.5) |" in row and "worst-class accuracy 0.95 (0.99)" in row and "10 steps, 5 s (jax, CPU)" in row
    with pytest.raises(ValueError, match="markers"):
        table.readme_with_table("# no table here\n", {"checkpoints": {}})


def test_colour_checkpoints_get_their_own_section_with_sample_grids():
    table = zoo_table()
    metric = {"value": 20.0, "floor": 6.5}
    colour = {"class_name": "WGAN", "data": {"name": "CAT faces"}, "data_shape": [64, 64, 3],
              "training": {"steps": 5500, "wall_time_s": 240.2, "backend": "jax", "device": "NVIDIA H200",
                           "note": "Shared one GPU."},
              "metrics": {"swd": metric, "ms_ssim": {"value": 0.15, "floor": 0.1},
                          "memorization_ratio": {"value": 1.02, "floor": 0.99},
                          "measured": {"n_samples": 2000}}}
    grey = {"class_name": "GAN", "data": {"name": "MNIST"}, "data_shape": [28, 28, 1],
            "training": {"steps": 10, "wall_time_s": 5.0, "backend": "torch", "device": "CPU"}, "metrics": {}}
    text = table.render({"checkpoints": {"cats": colour, "digits": grey}})
    grey_part, colour_part = text.split("### Colour")
    assert "`digits`" in grey_part and "`cats`" not in grey_part
    row = next(line for line in colour_part.splitlines() if line.startswith("| `cats`"))
    assert "| 20 (6.5) | 0.15 (0.1) | 1.02 (0.99) |" in row and "5,500 steps, 240 s (jax, NVIDIA H200)" in row
    assert '<img src="hub/cats/samples.png"' in row
    assert "--n 2000" in colour_part and "Shared one GPU." in colour_part
