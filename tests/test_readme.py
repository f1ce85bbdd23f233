"""README.md: its zoo table is generated from weights_manifest.json and must not drift from it, and
every Python block in it runs as written."""

import ast
import importlib.util
import json
import os
import re
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

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


# ------------------------------------------------------------ the README's Python runs as written
PYTHON_BLOCK = re.compile(r"^```python\n(.*?)^```", re.M | re.S)


def readme_python_blocks() -> list[str]:
    return PYTHON_BLOCK.findall((ROOT / "README.md").read_text(encoding="utf-8"))


def _calls(code: str, function: str) -> list[ast.Call]:
    return [node for node in ast.walk(ast.parse(code)) if isinstance(node, ast.Call)
            and getattr(node.func, "attr", getattr(node.func, "id", None)) == function]


def _string_arguments(code: str, function: str, position: int = 0) -> list[str]:
    """The string literals passed as argument `position` of `function(...)` calls in `code`."""
    return [call.args[position].value for call in _calls(code, function)
            if len(call.args) > position and isinstance(call.args[position], ast.Constant)]


def _image_folders(code: str) -> dict[str, int]:
    """folder -> how many images it needs: one full batch of every `image_folder(...)` reading it."""
    folders = {}
    for call in _calls(code, "image_folder"):
        if call.args and isinstance(call.args[0], ast.Constant):
            batch = next((k.value.value for k in call.keywords if k.arg == "batch_size"
                          and isinstance(k.value, ast.Constant)), None)
            folders[call.args[0].value] = max(folders.get(call.args[0].value, 0), batch or 64)
    return folders


def _write_image_folder(folder: Path, n: int, side: int = 16) -> None:
    rng = np.random.default_rng(0)
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        Image.fromarray(rng.integers(0, 256, (side, side, 3), dtype=np.uint8)).save(folder / f"{i}.png")


def test_readme_python_blocks_run_as_written(tmp_path, monkeypatch):
    """Every ```python block of README.md, in order, in one namespace, in an empty folder.

    What the test provides, and nothing else: a tiny folder of random images wherever the
    code reads one with `image_folder("...")`; zoo checkpoints from `hub/` (KERASGAN_MIRROR)
    with the network off; `fit` cut to one epoch; and huggingface_hub's two upload calls
    (`HfApi.create_repo`, `HfApi.upload_folder`) replaced by a recorder, so `push_to_hub` runs
    all of kerasgan's side but sends nothing."""
    import huggingface_hub

    from kerasgan.models.base import BaseGAN

    blocks = readme_python_blocks()
    assert blocks, "README.md shows no Python"
    code = "\n".join(blocks)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("KERASGAN_MIRROR", os.environ.get("KERASGAN_MIRROR") or str(ROOT / "hub"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    for folder, n in _image_folders(code).items():
        _write_image_folder(tmp_path / folder, n)

    fit = BaseGAN.fit

    def one_epoch(self, *args, epochs=1, initial_epoch=0, **kwargs):
        return fit(self, *args, epochs=min(epochs, initial_epoch + 1), initial_epoch=initial_epoch, **kwargs)

    monkeypatch.setattr(BaseGAN, "fit", one_epoch)
    uploads = []

    def upload_folder(self, *, repo_id, folder_path, **kwargs):
        uploads.append((repo_id, sorted(p.name for p in Path(folder_path).iterdir())))
        return "stub-commit"

    monkeypatch.setattr(huggingface_hub.HfApi, "create_repo", lambda self, repo_id, **kwargs: repo_id)
    monkeypatch.setattr(huggingface_hub.HfApi, "upload_folder", upload_folder)

    namespace = {"__name__": "readme"}
    for number, block in enumerate(blocks, 1):
        try:
            exec(compile(block, f"README.md python block {number}", "exec"), namespace)
        except Exception as error:
            pytest.fail(f"README.md python block {number} fails with {type(error).__name__}: {error}\n{block}")

    for path in _string_arguments(code, "save_grid", 1):
        assert (tmp_path / path).is_file(), f"the README's save_grid(..., {path!r}) wrote nothing"
    for path in _string_arguments(code, "save_preset"):
        assert (tmp_path / path / "config.json").is_file(), f"the README's save_preset({path!r}) wrote no preset"
    for repo_id in _string_arguments(code, "push_to_hub"):
        assert any(r == repo_id and {"config.json", "model.weights.h5"} <= set(files) for r, files in uploads), uploads


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
    assert "-n 2000" in colour_part and "Shared one GPU." in colour_part
