"""Presets, the weights manifest and Hub resolution; all offline.

The Hub tests run huggingface_hub's real `snapshot_download` against a cache laid out the way
huggingface_hub writes it (checked with its own `scan_cache_dir`), with HF_HUB_OFFLINE set.
"""

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import h5py
import numpy as np
import pytest

import kerasgan
from kerasgan import CGAN, DCGAN, GAN, WGAN, hub, manifest, presets
from kerasgan.errors import IntegrityError
from kerasgan.presets import ChecksumError, PresetNotFoundError

from helpers import TINY_FC, labels_for

REPO_ID = "kerasgan-test/tiny-gan"
COMMIT = "0123456789abcdef0123456789abcdef01234567"
NAME = "tiny-gan"
META = {
    "data": {"name": "noise", "license": "CC0-1.0", "source": "numpy"},
    "training": {"steps": 3, "wall_time_s": 0.5, "backend": "jax", "device": "cpu"},
    "recipe": {"batch_size": 8, "epochs": 1},
    "metrics": {"swd": 0.25},
}


def samples(model, n=8):
    return model.generate(n, seed=0, labels=labels_for(model, n))


@pytest.fixture(scope="module")
def gan():
    model = GAN(seed=0, **TINY_FC)
    model.compile()  # a compiled model has optimizer state, which a preset leaves out
    return model


@pytest.fixture(scope="module")
def cgan():
    return CGAN(seed=1, num_classes=3, **TINY_FC)


@pytest.fixture(scope="module")
def gan_preset(gan, tmp_path_factory):
    return presets.save_preset(gan, tmp_path_factory.mktemp("presets") / "gan", metadata=META)


@pytest.fixture(autouse=True)
def no_mirrors(monkeypatch):
    """Tests see no mirror unless they set one: no $KERASGAN_MIRROR, no checkout hub/ folder."""
    monkeypatch.delenv("KERASGAN_MIRROR", raising=False)
    monkeypatch.setattr(manifest, "checkout_root", lambda: None)


# ------------------------------------------------------------------ save / load
def test_preset_folder_contents(gan, gan_preset):
    assert sorted(p.name for p in gan_preset.iterdir()) == [
        "README.md", "config.json", "metadata.json", "model.weights.h5", "samples.png"]
    config = json.loads((gan_preset / "config.json").read_text())
    assert config["class_name"] == "GAN" and config["module"] == "kerasgan"
    assert config["config"] == json.loads(json.dumps(gan.get_config()))
    assert config["kerasgan_version"] == kerasgan.__version__
    meta = json.loads((gan_preset / "metadata.json").read_text())
    assert meta["parameters"] == {"generator": gan.generator.count_params(),
                                  "discriminator": gan.discriminator.count_params()}
    assert meta["keras_version"] and meta["backend"] and meta["date"].endswith("+00:00")
    assert meta["training"]["steps"] == 3 and meta["metrics"] == {"swd": 0.25}
    card = (gan_preset / "README.md").read_text()
    front = card.split("---")[1]
    assert "library_name: keras" in front and "- kerasgan" in front and "- gan" in front
    for text in ("from kerasgan import GAN", "GAN.from_pretrained(", "CC0-1.0", "batch_size", "swd",
                 "](samples.png)", "## Limitations"):
        assert text in card
    with h5py.File(gan_preset / "model.weights.h5") as f:
        assert "generator" in f and not any("optimizer" in k for k in f)
    from PIL import Image

    assert Image.open(gan_preset / "samples.png").size == (8 * 10 + 2,) * 2  # 8x8 grid of 8-pixel images


def test_round_trip_unconditional(gan, gan_preset):
    for loaded in (GAN.from_pretrained(gan_preset), presets.from_pretrained(str(gan_preset))):
        assert type(loaded) is GAN
        np.testing.assert_array_equal(samples(loaded), samples(gan))


def test_round_trip_conditional(cgan, tmp_path):
    path = cgan.save_preset(tmp_path / "cgan", card={"repo_id": "me/cgan", "license": "mit"})
    loaded = CGAN.from_pretrained(path)
    assert loaded.num_classes == 3
    np.testing.assert_array_equal(samples(loaded), samples(cgan))
    card = (path / "README.md").read_text()
    assert 'CGAN.from_pretrained("hf://me/cgan")' in card and "license: mit" in card


def test_float16_weights(gan, tmp_path):
    path = presets.save_preset(gan, tmp_path / "half", dtype="float16", sample_grid=False)
    with h5py.File(path / "model.weights.h5") as f:
        assert f["generator/layers/dense/vars/0"].dtype == np.float16
    assert json.loads((path / "metadata.json").read_text())["weights_dtype"] == "float16"
    assert not (path / "samples.png").exists()
    loaded = GAN.from_pretrained(path)
    assert {v.dtype for v in loaded.generator.weights} == {"float32"}
    diff = np.abs(samples(loaded, 64).astype(int) - samples(gan, 64))
    assert diff.max() <= 1 and diff.mean() < 0.1  # float16 rounding moves a few pixels one grey level


def test_class_mismatch(gan_preset):
    for cls in (DCGAN, WGAN):
        with pytest.raises(ValueError, match=rf"{cls.__name__}\.from_pretrained.*found a GAN preset"):
            cls.from_pretrained(gan_preset)


@pytest.mark.parametrize("class_name, module", [
    ("Lambda", "keras.layers"), ("keras.layers.Lambda", None), ("BaseGAN", "kerasgan"), ("GAN", "os"),
    ("Unknown", "kerasgan"), (["GAN"], "kerasgan"),
])
def test_refuses_foreign_classes(gan_preset, tmp_path, monkeypatch, class_name, module):
    folder = tmp_path / "evil"
    shutil.copytree(gan_preset, folder)
    config = json.loads((folder / "config.json").read_text())
    config.update(class_name=class_name, module=module)
    (folder / "config.json").write_text(json.dumps(config))
    monkeypatch.setattr(GAN, "load_weights", lambda *a, **k: pytest.fail("weights were read"))
    with pytest.raises(ValueError, match="is not a kerasgan model.*refusing to load it"):
        presets.from_pretrained(folder)


def test_a_subclass_of_a_variant_is_no_variant(tmp_path):
    """Only the registered classes load from a preset: a user's subclass would run its own code."""

    class MyGAN(GAN):
        pass

    with pytest.raises(ValueError, match="A preset holds one of kerasgan's variants .*this model is a MyGAN"):
        MyGAN(seed=0, **TINY_FC).save_preset(tmp_path / "mine")
    assert not (tmp_path / "mine").exists()


def test_the_registry_sees_every_variant_whichever_module_comes_first():
    # presets and recipes look variants up without importing kerasgan.models themselves
    code = "from kerasgan import presets, registry; print(sorted(registry.variants()))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split("\n")[-2] == str(sorted(kerasgan.models.VARIANTS)), done.stdout
    assert sorted(kerasgan.models.VARIANTS) == ["CGAN", "DCGAN", "GAN", "LSGAN", "WGAN", "WGANGP"]


def test_refuses_lambda_in_nested_network(gan_preset, tmp_path):
    folder = tmp_path / "nested"
    shutil.copytree(gan_preset, folder)
    config = json.loads((folder / "config.json").read_text())
    lam = {"module": "keras.layers", "class_name": "Lambda", "registered_name": None,
           "config": {"function": {"class_name": "__lambda__", "config": {"code": "YQ==", "defaults": None,
                                                                          "closure": None}}}}
    config["config"].update(generator=lam, discriminator=lam)
    (folder / "config.json").write_text(json.dumps(config))
    with pytest.raises(ValueError, match="(?i)safe"):
        presets.from_pretrained(folder)


def test_save_is_atomic(gan, gan_preset, tmp_path, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(presets, "model_card", broken)  # the last file written
    with pytest.raises(RuntimeError):
        presets.save_preset(gan, tmp_path / "new")
    target = tmp_path / "old"
    shutil.copytree(gan_preset, target)
    before = {p.name: p.read_bytes() for p in target.iterdir()}
    with pytest.raises(RuntimeError):
        presets.save_preset(gan, target)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["old"]  # no half preset, no staging folder
    assert {p.name: p.read_bytes() for p in target.iterdir()} == before


def test_save_refuses_foreign_folder_and_class(gan, tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(ValueError, match="not a preset"):
        presets.save_preset(gan, tmp_path)
    with pytest.raises(ValueError, match="float16"):
        presets.save_preset(gan, tmp_path / "p", dtype="int8")
    presets.save_preset(gan, tmp_path / "p", sample_grid=False)
    with pytest.raises(FileExistsError):
        presets.save_preset(gan, tmp_path / "p", overwrite=False)


def test_local_folder_errors(tmp_path):
    with pytest.raises(PresetNotFoundError, match="no config.json"):
        presets.from_pretrained(tmp_path)
    with pytest.raises(PresetNotFoundError, match="neither a preset folder nor a zoo checkpoint.*hf://org/x"):
        presets.from_pretrained("org/x", manifest={"schema_version": 1, "checkpoints": {}})


# ----------------------------------------------------------------------- manifest
def entry_for(preset, repo_id=REPO_ID, revision=COMMIT):
    return manifest.manifest_entry_for(preset, NAME, repo_id, revision, description="A tiny GAN for tests.")


def test_one_manifest_at_the_root_and_a_copy_in_the_built_package(tmp_path):
    checkout = Path(manifest.__file__).resolve().parent.parent
    data = manifest.load_manifest(checkout / manifest.MANIFEST_NAME)
    assert data["schema_version"] == 1 and isinstance(data["checkpoints"], dict)
    assert not (checkout / "kerasgan" / manifest.MANIFEST_NAME).exists(), "the root file is the only one"
    # What a wheel gets: setup.py's build step copies the root file into the package.
    subprocess.run([sys.executable, "setup.py", "-q", "build_py", "--build-lib", str(tmp_path)], cwd=checkout,
                   check=True, capture_output=True)
    assert manifest.load_manifest(tmp_path / "kerasgan" / manifest.MANIFEST_NAME) == data


def zoo_manifest() -> dict:
    """The checkout's weights_manifest.json (this module's tests hide the checkout from the resolver)."""
    return manifest.load_manifest(Path(manifest.__file__).resolve().parent.parent / manifest.MANIFEST_NAME)


def test_zoo_recipes_match_their_checkpoints():
    """`kerasgan train --recipe NAME` must run the recipe that made the published checkpoint."""
    from kerasgan import recipes

    for name, entry in zoo_manifest()["checkpoints"].items():
        assert recipes.get_recipe(name) == entry["recipe"], f"{name}: recipes.py and weights_manifest.json differ"


def test_zoo_recipes_build_their_checkpoints_models():
    """A recipe builds the very model its checkpoint holds: the same constructor config."""
    from kerasgan import recipes
    from kerasgan.models import VARIANTS

    hub_dir = Path(__file__).resolve().parents[1] / "hub"
    for name in zoo_manifest()["checkpoints"]:
        recipe = recipes.get_recipe(name)
        cls = VARIANTS[recipe["class_name"]]
        built = cls(seed=recipe["seed"], **recipe["options"]).get_config()
        # as loading reads it: older configs name options the old way or leave out newer ones (defaults)
        stored = cls.from_config(json.loads((hub_dir / name / "config.json").read_text(encoding="utf-8"))["config"])
        stored = stored.get_config()
        built.pop("name"), stored.pop("name")
        assert built == stored, f"{name}: the recipe builds another model than hub/{name}/config.json"


def test_image_folder_recipes_hold_out_what_their_checkpoints_held_out(data_dir):
    """The files a published image-folder run kept out of training (listed in its metadata.json)
    are the ones its recipe holds out: `kerasgan train --recipe` trains on the same images."""
    from kerasgan import recipes

    hub_dir = Path(__file__).resolve().parents[1] / "hub"
    loaded = set()  # data specs whose training images were read (once each: thousands of files)
    for name, entry in zoo_manifest()["checkpoints"].items():
        spec = entry["recipe"]["data"]
        if spec["loader"] != "image_folder":
            continue
        listed = json.loads((hub_dir / name / "metadata.json").read_text(encoding="utf-8"))["training"]["held_out"]
        train, held_out = recipes.recipe_split(recipes.get_recipe(name), data_dir)
        assert [f.name for f in held_out] == listed, name
        assert len(listed) == spec["holdout"] and not set(listed) & {f.name for f in train}
        if json.dumps(spec, sort_keys=True) not in loaded:
            loaded.add(json.dumps(spec, sort_keys=True))
            images, labels = recipes.load_recipe_data(recipes.get_recipe(name), data_dir)
            assert images.shape == (len(train), spec["image_size"], spec["image_size"], 3) and labels is None
            assert images.min() >= -1.0 and images.max() <= 1.0
    assert loaded, "no image-folder checkpoint in the zoo to check"


def test_manifest_entry_and_add(gan_preset, tmp_path):
    entry = entry_for(gan_preset)
    assert entry["class_name"] == "GAN" and entry["data_shape"] == [8, 8, 1] and entry["image_size"] == 8
    weights = entry["files"]["model.weights.h5"]
    assert weights["size"] == (gan_preset / "model.weights.h5").stat().st_size
    assert weights["sha256"] == hashlib.sha256((gan_preset / "model.weights.h5").read_bytes()).hexdigest()
    assert entry["training"] == META["training"] and entry["data"] == META["data"]
    path = tmp_path / "weights_manifest.json"
    path.write_text('{"schema_version": 1, "checkpoints": {}}')
    manifest.add_to_manifest(NAME, entry, path)
    text = path.read_text()
    assert text == json.dumps(json.loads(text), indent=2, sort_keys=True) + "\n"
    assert manifest.load_manifest(path)["checkpoints"][NAME] == entry


def bad_entry(gan_preset, change):
    entry = json.loads(json.dumps(entry_for(gan_preset)))
    change(entry)
    return {"schema_version": 1, "checkpoints": {NAME: entry}}


@pytest.mark.parametrize("change, message", [
    (lambda e: e["files"]["model.weights.h5"].update(sha256="abc"), "files.model.weights.h5.sha256.*64 hex"),
    (lambda e: e["files"]["config.json"].update(sha256="g" * 64), "files.config.json.sha256"),
    (lambda e: e.pop("repo_id"), "missing the field 'repo_id'"),
    (lambda e: e["data"].pop("license"), "missing the field 'data.license'"),
    (lambda e: e["training"].update(steps="3"), "'training.steps' must be an integer"),
    (lambda e: e["files"]["model.weights.h5"].update(size=True), "size' must be an integer"),
    (lambda e: e.update(revision="main..x"), "'revision'"),
    (lambda e: e["files"].pop("model.weights.h5"), "lacks model.weights.h5"),
])
def test_manifest_validation(gan_preset, change, message):
    with pytest.raises(ValueError, match=rf"checkpoint '{NAME}'.*{message}"):
        manifest.load_manifest(bad_entry(gan_preset, change))


@pytest.mark.parametrize("file_name", ["../evil.h5", "/etc/passwd", "a\\b.h5", "sub/../../x", "C:/x.h5",
                                       "", "./x", "*.h5", "a//b"])
def test_manifest_refuses_escaping_file_names(gan_preset, monkeypatch, file_name):
    data = bad_entry(gan_preset, lambda e: e["files"].update({file_name: {"size": 1, "sha256": "0" * 64}}))
    with pytest.raises(ValueError, match="not a plain relative path.*refusing it"):
        manifest.load_manifest(data)
    monkeypatch.setattr(hub, "_snapshot_download", lambda *a: pytest.fail("looked for files"))
    with pytest.raises(ValueError, match="refusing it"):
        presets.from_pretrained(NAME, manifest=data)


def test_manifest_refuses_unsafe_checkpoint_name(gan_preset):
    data = bad_entry(gan_preset, lambda e: None)
    data["checkpoints"]["../up"] = data["checkpoints"].pop(NAME)
    with pytest.raises(ValueError, match="checkpoint name '../up'"):
        manifest.load_manifest(data)


# ------------------------------------------------------------------ the Hub cache
def make_hub_cache(cache: Path, repo_id: str, preset: Path, commit: str = COMMIT, ref: str = "main") -> Path:
    """A repository in huggingface_hub's cache layout: blobs named by LFS sha256 (binary files) or
    git blob id (text files), snapshots/<commit>/<file> symlinks into blobs, refs/<ref> -> commit."""
    repo = cache / ("models--" + repo_id.replace("/", "--"))
    snapshot = repo / "snapshots" / commit
    for folder in (repo / "blobs", snapshot, repo / "refs"):
        folder.mkdir(parents=True, exist_ok=True)
    for path in sorted(preset.iterdir()):
        data = path.read_bytes()
        if path.suffix in (".h5", ".png"):
            blob = hashlib.sha256(data).hexdigest()
        else:
            blob = hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()
        (repo / "blobs" / blob).write_bytes(data)
        (snapshot / path.name).symlink_to(Path("..", "..", "blobs", blob))
    (repo / "refs" / ref).write_text(commit)
    return repo


@pytest.fixture
def hub_cache(tmp_path, monkeypatch, gan_preset):
    """An offline huggingface_hub pointed at a cache in tmp_path that holds REPO_ID. huggingface_hub
    reads its environment once, at import, so its constants are patched as well as the env."""
    import huggingface_hub
    from huggingface_hub import constants

    home = tmp_path / "hf"
    cache = home / "hub"
    for var, value in (("HF_HOME", str(home)), ("HF_HUB_CACHE", str(cache)), ("HF_HUB_OFFLINE", "1")):
        monkeypatch.setenv(var, value)
    monkeypatch.setattr(constants, "HF_HOME", str(home))
    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(cache))
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", True)
    make_hub_cache(cache, REPO_ID, gan_preset)
    info = huggingface_hub.scan_cache_dir(cache)  # huggingface_hub itself accepts the layout
    assert not info.warnings
    (repo,) = info.repos
    assert repo.repo_id == REPO_ID and {r.commit_hash for r in repo.revisions} == {COMMIT}
    return cache


@pytest.fixture
def manifest_path(tmp_path, gan_preset):
    path = tmp_path / "weights_manifest.json"
    path.write_text('{"schema_version": 1, "checkpoints": {}}')
    manifest.add_to_manifest(NAME, entry_for(gan_preset), path)
    return path


def test_hub_cache_load(hub_cache, manifest_path, gan):
    resolved = hub.resolve_preset(NAME, manifest=manifest_path)
    snapshot = hub_cache / f"models--{REPO_ID.replace('/', '--')}" / "snapshots" / COMMIT
    assert resolved.source == "hub" and resolved.path.resolve() == snapshot.resolve()
    model = presets.from_pretrained(NAME, manifest=manifest_path)
    np.testing.assert_array_equal(samples(model), samples(gan))
    for handle in (f"hf://{REPO_ID}", f"hf://{REPO_ID}@{COMMIT}"):  # refs/main, then the commit
        np.testing.assert_array_equal(samples(GAN.from_pretrained(handle, manifest=manifest_path)), samples(gan))
    assert hub.find_local_preset(NAME, manifest=manifest_path) == resolved.path


def test_hub_cache_corrupt_file_loads_nothing(hub_cache, manifest_path, monkeypatch):
    weights = hub_cache / f"models--{REPO_ID.replace('/', '--')}" / "snapshots" / COMMIT / "model.weights.h5"
    blob = weights.resolve()
    data = bytearray(blob.read_bytes())
    data[len(data) // 2] ^= 0x01
    blob.write_bytes(bytes(data))
    found = hashlib.sha256(data).hexdigest()
    fail = lambda *a, **k: pytest.fail("something was loaded")  # noqa: E731
    monkeypatch.setattr(presets, "read_preset_config", fail)
    monkeypatch.setattr(GAN, "from_config", classmethod(fail))
    monkeypatch.setattr(GAN, "load_weights", fail)
    with pytest.raises(ChecksumError, match=rf"model\.weights\.h5 of zoo checkpoint '{NAME}'.*found {found}") as info:
        presets.from_pretrained(NAME, manifest=manifest_path)
    expected = json.loads(manifest_path.read_text())["checkpoints"][NAME]["files"]["model.weights.h5"]["sha256"]
    assert f"expected sha256 {expected}" in str(info.value)
    # a pinned hf:// handle takes its checksums from the manifest too
    with pytest.raises(ChecksumError):
        presets.from_pretrained(f"hf://{REPO_ID}@{COMMIT}", manifest=manifest_path)


def test_hub_cache_missing_file(hub_cache, manifest_path):
    (hub_cache / f"models--{REPO_ID.replace('/', '--')}" / "snapshots" / COMMIT / "metadata.json").unlink()
    with pytest.raises(PresetNotFoundError, match=r"metadata\.json of zoo checkpoint 'tiny-gan' is missing"):
        presets.from_pretrained(NAME, manifest=manifest_path)


def test_hub_unknown_repo(hub_cache, gan_preset, tmp_path, monkeypatch):
    monkeypatch.setenv("KERASGAN_MIRROR", str(tmp_path / "mirror"))
    data = {"schema_version": 1, "checkpoints": {"ghost": entry_for(gan_preset, "kerasgan-test/ghost", "v1")}}
    with pytest.raises(PresetNotFoundError) as info:
        presets.from_pretrained("ghost", manifest=data)
    message = str(info.value)
    for text in (str(tmp_path / "mirror"), "kerasgan-test/ghost", "revision v1", "HF_HUB_OFFLINE",
                 str(hub_cache), "kerasgan download ghost"):
        assert text in message
    assert "\n" not in message
    with pytest.raises(PresetNotFoundError, match="hf://nobody/nothing could not be loaded.*HF_HUB_OFFLINE"):
        presets.from_pretrained("hf://nobody/nothing", manifest=data)
    with pytest.raises(ValueError, match="hf://org/name"):
        presets.from_pretrained("hf://not a repo")


def test_mirror_preferred_over_hub(hub_cache, manifest_path, gan_preset, tmp_path, monkeypatch, gan):
    blob = (hub_cache / f"models--{REPO_ID.replace('/', '--')}" / "snapshots" / COMMIT / "config.json").resolve()
    blob.write_text("{}")  # the Hub copy is broken: only the mirror can succeed
    mirror = tmp_path / "mirror"
    shutil.copytree(gan_preset, mirror / NAME)
    monkeypatch.setenv("KERASGAN_MIRROR", str(mirror))
    resolved = hub.resolve_preset(NAME, manifest=manifest_path)
    assert resolved.source == "mirror" and resolved.path == mirror / NAME
    np.testing.assert_array_equal(samples(presets.from_pretrained(NAME, manifest=manifest_path)), samples(gan))
    # a mirror that has the checkpoint wrong is an error, not a silent fall back to the Hub
    (mirror / NAME / "samples.png").write_bytes(b"x")
    with pytest.raises(ChecksumError, match="samples.png"):
        presets.from_pretrained(NAME, manifest=manifest_path)


def test_checkout_hub_folder(manifest_path, gan_preset, tmp_path, monkeypatch, gan):
    shutil.copytree(gan_preset, tmp_path / "checkout" / "hub" / NAME)
    monkeypatch.setattr(manifest, "checkout_root", lambda: tmp_path / "checkout")
    resolved = hub.resolve_preset(NAME, manifest=manifest_path)
    assert resolved.source == "mirror" and resolved.path == tmp_path / "checkout" / "hub" / NAME


# ----------------------------------------------------------------------- push
def test_push_to_hub_offline(gan, gan_preset, monkeypatch):
    import huggingface_hub

    calls = {}

    def create_repo(self, repo_id, **kwargs):
        calls["create_repo"] = (repo_id, kwargs)

    def upload_folder(self, *, repo_id, folder_path, **kwargs):
        folder = Path(folder_path)
        calls.setdefault("uploads", []).append({
            "files": sorted(p.name for p in folder.iterdir()),
            "card": (folder / "README.md").read_text(),
            "kwargs": kwargs,
        })
        return "commit-info"

    def network(self, *args, **kwargs):
        pytest.fail("the network was used")

    monkeypatch.setattr(huggingface_hub.HfApi, "create_repo", create_repo)
    monkeypatch.setattr(huggingface_hub.HfApi, "upload_folder", upload_folder)
    monkeypatch.setattr(huggingface_hub.HfApi, "create_branch", network)
    assert gan.push_to_hub("me/tiny", private=True, commit_message="first") == "commit-info"
    assert presets.push_to_hub(gan_preset, "me/tiny") == "commit-info"
    assert calls["create_repo"] == ("me/tiny", {"private": False, "exist_ok": True})
    first, second = calls["uploads"]
    for upload in (first, second):
        assert {"config.json", "model.weights.h5", "metadata.json", "README.md"} <= set(upload["files"])
    assert 'GAN.from_pretrained("hf://me/tiny")' in first["card"]
    assert first["kwargs"]["commit_message"] == "first"
    with pytest.raises(PresetNotFoundError, match="not a preset folder"):
        presets.push_to_hub(gan_preset / "samples.png", "me/tiny")


# ------------------------------------------------------------ damaged presets
def _copy(preset, tmp_path, name="copy"):
    target = tmp_path / name
    shutil.copytree(preset, target)
    return target


@pytest.mark.parametrize("damage, phrase", [
    (lambda data: data[: len(data) // 2], "truncated or not an HDF5 file"),
    (lambda data: b"<html>rate limited</html>", "truncated or not an HDF5 file"),
])
def test_damaged_preset_weights_are_one_integrity_error(gan_preset, tmp_path, damage, phrase):
    folder = _copy(gan_preset, tmp_path)
    weights = folder / presets.WEIGHTS_FILE
    weights.write_bytes(damage(weights.read_bytes()))
    with pytest.raises(IntegrityError, match=phrase):
        presets.from_pretrained(folder)


def test_non_finite_weights_are_refused_on_load_and_on_save(gan, gan_preset, tmp_path):
    folder = _copy(gan_preset, tmp_path)
    with h5py.File(folder / presets.WEIGHTS_FILE, "a") as f:
        names = []
        f.visititems(lambda n, item: names.append(n) if isinstance(item, h5py.Dataset) and item.size > 1 else None)
        f[names[0]][...] = np.full(f[names[0]].shape, np.inf, f[names[0]].dtype)
    with pytest.raises(IntegrityError, match="NaN or infinite"):
        presets.from_pretrained(folder)

    diverged = GAN(seed=0, **TINY_FC)
    variable = diverged.generator.trainable_variables[0]
    variable.assign(np.full(variable.shape, np.nan, "float32"))
    with pytest.raises(IntegrityError, match="NaN or infinite weights"):
        presets.save_preset(diverged, tmp_path / "diverged")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["copy"]  # nothing written, no staging left


@pytest.mark.parametrize("change, phrase", [
    ({"image_size": "16"}, "positive whole number"),
    ({"image_size": 0}, "positive whole number"),
])
def test_bad_config_values_are_one_integrity_error(tmp_path, change, phrase):
    folder = presets.save_preset(DCGAN(image_size=16, channels=1, g_filters=4, d_filters=4, latent_dim=4),
                                 tmp_path / "dcgan", sample_grid=False)
    config = json.loads((folder / presets.CONFIG_FILE).read_text())
    config["config"].update(change)
    (folder / presets.CONFIG_FILE).write_text(json.dumps(config))
    with pytest.raises(IntegrityError, match=f"config.json does not describe a DCGAN.*{phrase}"):
        presets.from_pretrained(folder)


def test_weights_of_another_size_are_one_sentence_without_keras_warnings(tmp_path, recwarn):
    folder = presets.save_preset(DCGAN(image_size=16, channels=1, g_filters=4, d_filters=4, latent_dim=4),
                                 tmp_path / "dcgan", sample_grid=False)
    config = json.loads((folder / presets.CONFIG_FILE).read_text())
    config["config"]["image_size"] = 32
    (folder / presets.CONFIG_FILE).write_text(json.dumps(config))
    recwarn.clear()
    with pytest.raises(IntegrityError, match="holds weights of another shape than this DCGAN") as caught:
        presets.from_pretrained(folder)
    assert "\n" not in str(caught.value)
    assert not [w for w in recwarn if "keras" in str(w.filename)], [str(w.message)[:80] for w in recwarn]


def test_a_killed_save_leaves_nothing_the_next_save_keeps(gan, tmp_path):
    dead = tmp_path / ".preset.partial-999999999-abcd1234"  # above any pid the kernel hands out
    dead.mkdir()
    (dead / "config.json").write_text("{}")
    old = tmp_path / ".preset.old-999999999-abcd1234"
    old.mkdir()
    presets.save_preset(gan, tmp_path / "preset", sample_grid=False)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["preset"]
