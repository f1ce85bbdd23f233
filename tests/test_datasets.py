"""Tests for kerasgan.datasets: image folders, IDX/MNIST, Quick, Draw!, npz, value ranges."""

from __future__ import annotations

import gzip
import logging
import os
import pathlib

import numpy as np
import pytest
from PIL import Image

from kerasgan import datasets
from kerasgan.datasets import (
    image_folder,
    load_idx,
    load_npz,
    load_quickdraw,
    mnist,
    quickdraw_classes,
    scan_image_folder,
)
from kerasgan.images import from_uint8, to_uint8

# Distinct solid colours, so images can be told apart after resizing and shuffling.
COLOURS = {
    "a.png": (250, 10, 10),
    "b.jpg": (10, 250, 10),
    "sub/c.png": (120, 120, 120),  # grayscale
    "d_rgba.png": (10, 10, 250),
    "e_palette.png": (250, 250, 10),
    "f_cmyk.jpg": (200, 40, 90),
    "g_16bit.png": (60, 60, 60),  # 16-bit grayscale
}
BAD = {
    "trunc.jpg": "corrupt or truncated image",
    "text.png": "corrupt or truncated image",
    "tiny.png": "too small (1x1)",
    "empty.jpg": "empty file",
    "notes.txt": "not an image file",
}


def _solid(colour, size=(40, 30)) -> Image.Image:
    return Image.new("RGB", size, colour)


@pytest.fixture
def messy_folder(tmp_path: pathlib.Path) -> pathlib.Path:
    root = tmp_path / "imgs"
    (root / "sub").mkdir(parents=True)
    _solid(COLOURS["a.png"]).save(root / "a.png")
    _solid(COLOURS["b.jpg"], (32, 48)).save(root / "b.jpg", quality=95)
    _solid(COLOURS["sub/c.png"]).convert("L").save(root / "sub/c.png")
    _solid(COLOURS["d_rgba.png"]).convert("RGBA").save(root / "d_rgba.png")
    _solid(COLOURS["e_palette.png"]).convert("P").save(root / "e_palette.png")
    _solid(COLOURS["f_cmyk.jpg"]).convert("CMYK").save(root / "f_cmyk.jpg", quality=95)
    Image.fromarray(np.full((30, 40), 60 * 257, np.uint16)).save(root / "g_16bit.png")
    assert Image.open(root / "g_16bit.png").mode.startswith("I")
    # Truncated JPEG: a noisy image cut in half, so the cut lands in entropy-coded data.
    noise = np.random.default_rng(0).integers(0, 256, (64, 64, 3), dtype=np.uint8)
    Image.fromarray(noise).save(root / "full.jpg", quality=95)
    data = (root / "full.jpg").read_bytes()
    (root / "trunc.jpg").write_bytes(data[: len(data) // 2])
    (root / "full.jpg").unlink()
    (root / "text.png").write_text("this is not a png\n")
    _solid((1, 2, 3), (1, 1)).save(root / "tiny.png")
    (root / "empty.jpg").write_bytes(b"")
    (root / "notes.txt").write_text("notes")
    return root


def _all_images(ds) -> np.ndarray:
    return np.concatenate([np.asarray(b) for b in ds], axis=0)


def test_scan_reports_exactly_the_bad_files(messy_folder):
    report = scan_image_folder(messy_folder)
    got = dict(report.bad)
    assert set(got) == set(BAD)
    for name, reason in BAD.items():
        assert got[name].startswith(reason), (name, got[name])
    assert got["tiny.png"] == "too small (1x1)"
    good = sorted(p.relative_to(messy_folder).as_posix() for p in report.good)
    assert good == sorted(COLOURS)


def test_scan_min_size(messy_folder):
    report = scan_image_folder(messy_folder, min_size=31)
    assert dict(report.bad)["a.png"] == "too small (40x30)"


def test_image_folder_counts_shapes_and_range(messy_folder, caplog):
    with caplog.at_level(logging.WARNING, logger="kerasgan.datasets"):
        ds = image_folder(
            messy_folder, 16, batch_size=3, shuffle=False, drop_remainder=False
        )
    warning = " ".join(r.getMessage() for r in caplog.records if r.name == "kerasgan.datasets")
    assert f"left out {len(BAD)} of {len(BAD) + len(COLOURS)} files" in warning
    for name in BAD:
        assert name in warning
    assert dict(ds.scan_report.bad).keys() == BAD.keys()

    batches = [np.asarray(b) for b in ds]
    assert [len(b) for b in batches] == [3, 3, 1]
    images = np.concatenate(batches)
    assert images.shape == (len(COLOURS), 16, 16, 3) and images.dtype == np.float32
    assert images.min() >= -1.0 and images.max() <= 1.0
    # Every colour survives decoding (CMYK JPEG, palette, RGBA, 16-bit) within JPEG error.
    means = images.reshape(len(images), -1, 3).mean(axis=1)
    for name, colour in COLOURS.items():
        expected = from_uint8(np.array(colour, np.uint8))
        assert np.abs(means - expected).max(axis=1).min() < 0.06, name


def test_image_folder_drop_remainder_and_zero_one_range(messy_folder):
    ds = image_folder(messy_folder, (12, 20), batch_size=3, value_range=(0.0, 1.0))
    images = _all_images(ds)
    assert images.shape == (6, 12, 20, 3)  # 7 good images, last partial batch dropped
    assert images.min() >= 0.0 and images.max() <= 1.0
    with pytest.raises(ValueError, match="fewer than batch_size=64"):
        image_folder(messy_folder, 8)


def test_image_folder_grayscale_and_clean_folder(tmp_path):
    # No bad files: read in place (no staging), including the grayscale conversion.
    for i in range(5):
        _solid((50 * i, 50 * i, 50 * i), (20 + i, 24)).save(tmp_path / f"{i}.png")
    ds = image_folder(tmp_path, 8, channels=1, batch_size=2, shuffle=False, drop_remainder=False)
    assert ds.scan_report.bad == []
    images = _all_images(ds)
    assert images.shape == (5, 8, 8, 1) and images.dtype == np.float32
    np.testing.assert_allclose(images[:, 0, 0, 0], [-1.0, -1 + 100 / 255, -1 + 200 / 255,
                                                    -1 + 300 / 255, -1 + 400 / 255], atol=1e-5)


def test_image_folder_same_seed_same_order(messy_folder):
    def order(seed):
        ds = image_folder(messy_folder, 8, batch_size=None, seed=seed, report=lambda _: None)
        return _all_images(ds.map(lambda x: x[None])).mean(axis=(1, 2)).round(2).tolist()

    first = order(7)
    assert order(7) == first
    assert sorted(map(tuple, order(11))) == sorted(map(tuple, first))


def test_image_folder_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="missing"):  # kerasgan.errors.NotFoundError
        scan_image_folder(tmp_path / "missing")
    (tmp_path / "a.png").write_text("nope")
    (tmp_path / "b.txt").write_text("nope")
    with pytest.raises(ValueError, match=r"no readable images in .*2 files skipped: a\.png"):
        image_folder(tmp_path, 8)
    with pytest.raises(ValueError, match="channels"):
        image_folder(tmp_path, 8, channels=2)


# ----------------------------------------------------------------------------- IDX / MNIST


def _idx_bytes(array: np.ndarray) -> bytes:
    magic = 0x0800 | array.ndim
    header = magic.to_bytes(4, "big") + b"".join(d.to_bytes(4, "big") for d in array.shape)
    return header + array.astype(np.uint8).tobytes()


@pytest.mark.parametrize("gz", [False, True])
def test_load_idx_roundtrip(tmp_path, gz):
    images = np.arange(5 * 4 * 3, dtype=np.uint8).reshape(5, 4, 3)
    labels = np.array([3, 1, 4, 1, 5], np.uint8)
    for name, array in (("img", images), ("lbl", labels)):
        data = _idx_bytes(array)
        path = tmp_path / (name + (".gz" if gz else ""))
        path.write_bytes(gzip.compress(data) if gz else data)
        np.testing.assert_array_equal(load_idx(path), array)
        np.testing.assert_array_equal(load_idx(path, limit=2), array[:2])


def test_load_idx_errors_name_the_file(tmp_path):
    good = _idx_bytes(np.zeros((2, 3, 3), np.uint8))
    bad_magic = tmp_path / "bad-magic-idx3-ubyte"
    bad_magic.write_bytes(b"\x00\x00\x0d\x03" + good[4:])  # float type code
    with pytest.raises(ValueError, match=r"bad-magic-idx3-ubyte.*0x00000803.*found 0x00000D03"):
        load_idx(bad_magic)
    truncated = tmp_path / "truncated-idx3-ubyte.gz"
    truncated.write_bytes(gzip.compress(good[:-5]))
    with pytest.raises(ValueError, match=r"truncated-idx3-ubyte\.gz.*expected 18 bytes.*found 13"):
        load_idx(truncated)
    broken_gz = tmp_path / "broken.gz"
    broken_gz.write_bytes(gzip.compress(good)[:-10])
    with pytest.raises(ValueError, match="broken.gz"):
        load_idx(broken_gz)


def test_mnist_on_synthetic_files(tmp_path):
    folder = tmp_path / "fashion-mnist"
    folder.mkdir()
    images = np.random.default_rng(1).integers(0, 256, (6, 28, 28), dtype=np.uint8)
    images[0, 0, 0], images[0, 0, 1] = 0, 255
    labels = np.array([0, 9, 2, 3, 4, 5], np.uint8)
    (folder / "t10k-images-idx3-ubyte.gz").write_bytes(gzip.compress(_idx_bytes(images)))
    (folder / "t10k-labels-idx1-ubyte.gz").write_bytes(gzip.compress(_idx_bytes(labels)))
    x, y = mnist(tmp_path, split="test", kind="fashion-mnist", value_range=(0, 1), limit=4)
    assert x.shape == (4, 28, 28, 1) and x.dtype == np.float32
    assert y.dtype == np.int32 and y.tolist() == [0, 9, 2, 3]
    assert x[0, 0, 0, 0] == 0.0 and x[0, 0, 1, 0] == 1.0
    with pytest.raises(FileNotFoundError, match="train-images"):
        mnist(tmp_path, split="train", kind="fashion-mnist")
    with pytest.raises(ValueError, match="kind"):
        mnist(tmp_path, kind="emnist")


# ----------------------------------------------------------------------------- npy / npz


def test_quickdraw_load_and_bad_shapes(tmp_path):
    rows = np.random.default_rng(2).integers(0, 256, (7, 784), dtype=np.uint8)
    np.save(tmp_path / "cat.npy", rows)
    np.save(tmp_path / "eye.npy", rows[:3])
    x = load_quickdraw(tmp_path / "cat.npy", limit=5)
    assert x.shape == (5, 28, 28, 1) and x.dtype == np.float32
    np.testing.assert_array_equal(to_uint8(x), rows[:5].reshape(5, 28, 28, 1))
    images, labels, names = quickdraw_classes(tmp_path, ["cat", "eye"], limit_per_class=4)
    assert images.shape == (7, 28, 28, 1) and labels.tolist() == [0] * 4 + [1] * 3
    assert names == ["cat", "eye"]

    np.save(tmp_path / "wide.npy", np.zeros((3, 785), np.uint8))
    np.save(tmp_path / "float.npy", np.zeros((3, 784), np.float32))
    np.save(tmp_path / "3d.npy", np.zeros((3, 1, 784), np.uint8))
    for name in ("wide", "float", "3d"):
        with pytest.raises(ValueError, match=rf"{name}\.npy.*2-D uint8 array with 784 columns"):
            load_quickdraw(tmp_path / f"{name}.npy")
    np.save(tmp_path / "pickled.npy", np.array([{"a": 1}], dtype=object), allow_pickle=True)
    with pytest.raises(ValueError, match="pickled.npy"):
        load_quickdraw(tmp_path / "pickled.npy")


def test_load_npz(tmp_path):
    gray = np.random.default_rng(3).integers(0, 256, (4, 6, 5), dtype=np.uint8)
    np.savez(tmp_path / "gray.npz", gray)
    x = load_npz(tmp_path / "gray.npz")
    assert x.shape == (4, 6, 5, 1) and x.dtype == np.float32
    np.testing.assert_array_equal(to_uint8(x)[..., 0], gray)

    rgb = np.random.default_rng(4).uniform(0, 1, (2, 4, 4, 3))
    np.savez(tmp_path / "two.npz", x=rgb, y=np.zeros(2))
    np.testing.assert_allclose(load_npz(tmp_path / "two.npz", key="x", value_range=(0, 1)), rgb,
                               rtol=1e-6)
    with pytest.raises(ValueError, match=r"two\.npz.*holds 2 arrays"):
        load_npz(tmp_path / "two.npz")
    np.savez(tmp_path / "wide_range.npz", rgb * 3 - 2.5)
    expected = r"wide_range\.npz.*float values in \(-1\.0, 1\.0\); found -2\.37"
    with pytest.raises(ValueError, match=expected):
        load_npz(tmp_path / "wide_range.npz")
    with pytest.raises(ValueError, match=r"two\.npz.*'y'.*found shape \(2,\)"):
        load_npz(tmp_path / "two.npz", key="y")
    np.savez(tmp_path / "flat.npz", np.zeros((3, 10), np.uint8))
    with pytest.raises(ValueError, match=r"flat\.npz.*found shape \(3, 10\)"):
        load_npz(tmp_path / "flat.npz")
    np.savez(tmp_path / "obj.npz", np.array([None, 1], dtype=object))
    with pytest.raises(ValueError, match=r"obj\.npz"):
        load_npz(tmp_path / "obj.npz")


def test_value_range_roundtrip():
    x = np.arange(256, dtype=np.uint8)
    for value_range in ((-1.0, 1.0), (0.0, 1.0)):
        y = from_uint8(x, value_range)
        assert y.dtype == np.float32 and y.min() == value_range[0] and y.max() == value_range[1]
        np.testing.assert_array_equal(to_uint8(y, value_range), x)
    assert to_uint8(np.array([-3.0, 3.0])).tolist() == [0, 255]
    with pytest.raises(ValueError, match="uint8"):
        from_uint8(np.zeros(3, np.float32))
    with pytest.raises(ValueError, match="low < high"):
        from_uint8(x, (1, -1))


# ----------------------------------------------------------------------------- real data


@pytest.fixture
def real_data_dir() -> pathlib.Path:
    """The shared data folder; skip if KERASGAN_DATA_DIR is unset, fail if it is wrong."""
    value = os.environ.get("KERASGAN_DATA_DIR")
    if not value:
        pytest.skip("KERASGAN_DATA_DIR is not set")
    path = pathlib.Path(value)
    assert path.is_dir(), f"KERASGAN_DATA_DIR={value!r} is not a directory"
    return path


def test_real_mnist_test_split(real_data_dir):
    x, y = mnist(real_data_dir, split="test")
    assert x.shape == (10_000, 28, 28, 1) and x.dtype == np.float32
    assert x.min() == -1.0 and x.max() == 1.0
    assert y.dtype == np.int32 and set(np.unique(y).tolist()) == set(range(10))
    counts = np.bincount(y, minlength=10)
    assert counts.sum() == 10_000 and counts.min() > 800


def test_real_quickdraw_cat(real_data_dir):
    x = load_quickdraw(real_data_dir / "quickdraw" / "cat.npy")
    assert x.shape == (3000, 28, 28, 1) and x.dtype == np.float32
    assert x[:, 0, :, :].max() == -1.0  # white-on-black, empty border


def test_real_cat_faces_first_batch(real_data_dir):
    ds = image_folder(real_data_dir / "cats" / "64", 64, batch_size=8, seed=0,
                      report=lambda _: None)
    assert len(ds.scan_report.good) == 7507
    batch = np.asarray(next(iter(ds.take(1))))
    assert batch.shape == (8, 64, 64, 3) and batch.dtype == np.float32
    assert -1.0 <= batch.min() < batch.max() <= 1.0


# ----------------------------------------------------------------------------- limit, staging


def test_image_folder_limit_keeps_the_first_images_by_name(tmp_path):
    pytest.importorskip("tensorflow")
    for i in range(6):
        Image.new("L", (8, 8), 40 * i).save(tmp_path / f"{i}.png")
    ds = image_folder(tmp_path, 8, channels=1, batch_size=None, shuffle=True, seed=1, limit=4)
    means = sorted(round(float(np.asarray(x).mean()), 3) for x in ds)
    assert means == sorted(round(40 * i / 127.5 - 1, 3) for i in range(4))


def test_staging_folder_of_a_killed_process_is_removed_by_the_next(tmp_path, monkeypatch):
    """Cleanup at exit misses `kill -9`; the next process that stages removes the leftovers."""
    import signal
    import subprocess
    import sys
    import tempfile

    pytest.importorskip("tensorflow")
    images = tmp_path / "images"
    images.mkdir()
    for i in range(3):
        Image.new("RGB", (8, 8), (i, 0, 0)).save(images / f"{i}.png")
    (images / "broken.png").write_text("not an image")  # forces a staging folder
    temp = tmp_path / "tmp"
    temp.mkdir()
    code = ("import os, signal; from kerasgan import datasets; "
            f"datasets.image_folder({str(images)!r}, 8, batch_size=None); os.kill(os.getpid(), signal.SIGKILL)")
    env = dict(os.environ, TMPDIR=str(temp), TF_CPP_MIN_LOG_LEVEL="3")
    killed = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, timeout=300)
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-2000:]
    left = [p.name for p in temp.iterdir() if p.name.startswith("kerasgan-images-")]
    assert len(left) == 1  # what the kill left behind

    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    datasets.image_folder(images, 8, batch_size=None, report=lambda m: None)
    now = [p.name for p in temp.iterdir() if p.name.startswith("kerasgan-images-")]
    assert len(now) == 1 and now != left and now[0].startswith(f"kerasgan-images-{os.getpid()}-")


def test_real_data_is_asked_for_in_one_sentence(monkeypatch, tmp_path):
    from kerasgan import recipes
    from kerasgan.datasets import resolve_data_dir
    from kerasgan.evaluation import evaluate_checkpoint

    monkeypatch.delenv("KERASGAN_DATA_DIR", raising=False)
    assert resolve_data_dir(tmp_path, "x") == tmp_path
    with pytest.raises(ValueError, match=r"^This recipe reads real data: pass --data PATH or set KERASGAN_DATA_DIR\.$"):
        recipes.load_recipe_data(recipes.get_recipe("mnist-gan"))
    with pytest.raises(ValueError, match=r"^Evaluation compares with real data: pass --data PATH"):
        evaluate_checkpoint(str(pathlib.Path(__file__).resolve().parents[1] / "hub" / "mnist-gan"))
    monkeypatch.setenv("KERASGAN_DATA_DIR", str(tmp_path))
    assert resolve_data_dir(None, "x") == str(tmp_path)
