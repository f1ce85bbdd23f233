"""Model cards: every card in hub/ is what the Hugging Face Hub parses (huggingface_hub.ModelCard),
its model-index holds the manifest's metrics and floors, and it is the card the writer draws today."""

import importlib.util
import json
import shutil
from pathlib import Path

import pytest
from huggingface_hub import ModelCard

from kerasgan import cards
from kerasgan.manifest import load_manifest, sha256_of

ROOT = Path(__file__).resolve().parents[1]
MANIFEST = load_manifest(ROOT / "weights_manifest.json")
ENTRIES = [(section, name, entry) for section in ("checkpoints", "classifiers")
           for name, entry in sorted(MANIFEST.get(section, {}).items())]
IDS = [name for _, name, _ in ENTRIES]


def expected_results(section: str, entry: dict) -> dict:
    """metric type -> value that the model-index must hold for a manifest entry."""
    if section == "classifiers":
        return {"accuracy": entry["metrics"]["test_accuracy"]}
    expected = {}
    for key, metric in entry["metrics"].items():
        if key != "measured":
            expected[key] = metric["value"]
            expected[key + cards.FLOOR_SUFFIX] = metric["floor"]
    return expected


@pytest.mark.parametrize("section,name,entry", ENTRIES, ids=IDS)
def test_hub_reads_the_card_and_its_metrics(section, name, entry):
    path = ROOT / "hub" / name / "README.md"
    assert path.is_file(), f"the manifest lists {name} but hub/{name}/README.md does not exist"
    card = ModelCard.load(path)
    data = card.data
    assert data.library_name == "keras" and data.license and "kerasgan" in data.tags
    hub_id = cards.HUB_DATASETS.get(entry["data"]["name"])
    assert data.datasets == ([hub_id] if hub_id else None)
    # A model-index the Hub cannot parse leaves eval_results empty; an empty one would pass nothing.
    assert data.eval_results, f"{path} has no model-index that huggingface_hub can read"
    got = {r.metric_type: r.metric_value for r in data.eval_results}
    assert got == expected_results(section, entry)
    assert {r.dataset_name for r in data.eval_results} == {entry["data"]["name"]}
    assert data.model_name == name
    assert entry["files"]["README.md"] == {"size": path.stat().st_size, "sha256": sha256_of(path)}


@pytest.mark.parametrize("section,name,entry", ENTRIES, ids=IDS)
def test_card_is_what_the_writer_draws_from_the_manifest(section, name, entry, tmp_path):
    """Fails when a manifest entry changed and `python scripts/write_model_cards.py` was not run."""
    source = ROOT / "hub" / name
    for file in ("config.json", "metadata.json"):
        shutil.copy(source / file, tmp_path / file)
    for file in (cards.SAMPLES_FILE, cards.NEAREST_FILE, cards.EVALUATION_FILE):
        if (source / file).is_file():
            (tmp_path / file).touch()  # the card only asks whether the file is there
    drawn = cards.write_card(tmp_path, name, entry, section).read_text(encoding="utf-8")
    assert drawn == (source / "README.md").read_text(encoding="utf-8"), "run `python scripts/write_model_cards.py`"


def test_every_card_in_hub_is_a_manifest_entry():
    folders = {p.parent.name for p in (ROOT / "hub").glob("*/README.md")}
    assert folders and folders == set(IDS)


# ------------------------------------------------------------------ the writer
META = {"class_name": "DCGAN", "data_shape": [64, 64, 3], "latent_dim": 100, "conditional": False,
        "data": {"name": "Cat faces", "license": "research only", "source": "CAT dataset"},
        "metrics": {"fid": {"value": 40.5, "floor": 3.25}, "memorization_ratio": {"value": 0.97, "floor": 1.01},
                    "measured": {"n_samples": 100, "real_data": "cats"}}}


def parse(text: str, tmp_path: Path) -> ModelCard:
    (tmp_path / "README.md").write_text(text, encoding="utf-8")
    return ModelCard.load(tmp_path / "README.md")


def test_memorization_shows_the_nearest_training_images_when_there(tmp_path):
    with_grid = cards.model_card(META, has_nearest=True)
    assert "## Memorization" in with_grid and "](nearest_train.png)" in with_grid
    assert "`memorization_ratio` = 0.97" in with_grid
    without = cards.model_card(META, has_nearest=False)
    assert "## Memorization" in without and "nearest_train.png" not in without
    assert "## Memorization" not in cards.model_card({**META, "metrics": {"fid": META["metrics"]["fid"]}})


def test_data_without_a_hub_copy_still_gets_a_model_index(tmp_path):
    card = parse(cards.model_card(META, card={"name": "cats"}), tmp_path)
    assert card.data.datasets is None  # no guessed Hub id
    got = {r.metric_type: (r.metric_value, r.dataset_type) for r in card.data.eval_results}
    assert got == {"fid": (40.5, "cat-faces"), "fid_floor": (3.25, "cat-faces"),
                   "memorization_ratio": (0.97, "cat-faces"), "memorization_ratio_floor": (1.01, "cat-faces")}
    assert card.data.pipeline_tag == "unconditional-image-generation"


def test_unmeasured_preset_has_no_model_index(tmp_path):
    card = parse(cards.model_card({**META, "metrics": {}, "data": {"name": "MNIST"}}), tmp_path)
    assert card.data.datasets == ["ylecun/mnist"] and card.data.eval_results is None
    assert "Not measured." in card.text


def load_script(name):
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_write_model_cards_pins_the_new_card_in_the_manifest(tmp_path):
    name = "mnist-classifier"
    (tmp_path / "hub" / name).mkdir(parents=True)
    for file in ("config.json", "metadata.json"):
        shutil.copy(ROOT / "hub" / name / file, tmp_path / "hub" / name / file)
    entry = json.loads(json.dumps(MANIFEST["classifiers"][name]))
    entry["metrics"]["test_accuracy"] = 0.5
    manifest = {"schema_version": 1, "checkpoints": {}, "classifiers": {name: entry}}
    (tmp_path / "weights_manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    script = load_script("write_model_cards")
    assert script.write_cards(root=tmp_path) == [name]
    card = tmp_path / "hub" / name / "README.md"
    pinned = load_manifest(tmp_path / "weights_manifest.json")["classifiers"][name]["files"]["README.md"]
    assert pinned == {"size": card.stat().st_size, "sha256": sha256_of(card)}
    assert [r.metric_value for r in ModelCard.load(card).data.eval_results] == [0.5]
    assert script.write_cards(root=tmp_path) == []  # nothing changed: nothing rewritten
    with pytest.raises(SystemExit, match="Not in weights_manifest.json: nope"):
        script.write_cards(["nope"], root=tmp_path)
