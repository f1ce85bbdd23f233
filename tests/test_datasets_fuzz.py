"""Damaged data files: random truncations and byte flips of IDX, .npy, .npz and image files give
one clear `DataError` (or, for an image in a folder, a skipped file), never another exception
or a hang. Seeded, so a failure names a mutation that reproduces."""

import gzip
import io
import signal
import zlib
from contextlib import contextmanager

import numpy as np
import pytest
from PIL import Image

from kerasgan import datasets
from kerasgan.errors import KerasganError

MUTATIONS_PER_FILE = 40


def _idx(images: np.ndarray) -> bytes:
    header = (0x00000803).to_bytes(4, "big") + b"".join(int(d).to_bytes(4, "big") for d in images.shape)
    return header + images.tobytes()


def _npy(array) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array)
    return buffer.getvalue()


def _npz(array, compressed: bool) -> bytes:
    buffer = io.BytesIO()
    (np.savez_compressed if compressed else np.savez)(buffer, images=array)
    return buffer.getvalue()


def _image(fmt: str) -> bytes:
    pixels = np.random.default_rng(0).integers(0, 255, (16, 16, 3), dtype=np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format=fmt)
    return buffer.getvalue()


def mutations(data: bytes, seed: int):
    """(description, damaged bytes): truncations anywhere, and 1-4 flipped bytes, half of them
    inside the first 64 bytes, where the headers are."""
    rng = np.random.default_rng(seed)
    for i in range(MUTATIONS_PER_FILE):
        if i % 2 == 0:
            cut = int(rng.integers(0, len(data)))
            yield f"truncated to {cut} of {len(data)} bytes", data[:cut]
        else:
            damaged = bytearray(data)
            where = []
            for _ in range(int(rng.integers(1, 5))):
                span = min(64, len(data)) if rng.random() < 0.5 else len(data)
                at = int(rng.integers(0, span))
                damaged[at] ^= int(rng.integers(1, 256))
                where.append(at)
            yield f"bytes {where} flipped", bytes(damaged)


@contextmanager
def no_hang(seconds: int):
    def fail(*_):
        raise AssertionError(f"a loader took more than {seconds}s on a damaged file")

    previous = signal.signal(signal.SIGALRM, fail)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def _arrays():
    return np.random.default_rng(1).integers(0, 255, (6, 28, 28), dtype=np.uint8)


LOADERS = {
    "idx": (lambda: _idx(_arrays()), "images.idx", datasets.load_idx),
    "idx.gz": (lambda: gzip.compress(_idx(_arrays()), mtime=0), "images-idx3-ubyte.gz", datasets.load_idx),
    "npy": (lambda: _npy(_arrays().reshape(6, 784)), "cat.npy", datasets.load_quickdraw),
    "npz": (lambda: _npz(_arrays(), compressed=False), "images.npz", datasets.load_npz),
    "npz-compressed": (lambda: _npz(_arrays(), compressed=True), "images.npz", datasets.load_npz),
}


@pytest.mark.parametrize("kind", sorted(LOADERS))
def test_damaged_array_files_give_a_clear_error(kind, tmp_path):
    make, name, load = LOADERS[kind]
    original = make()
    assert load(_write(tmp_path / name, original)).shape[0] == 6  # the undamaged file loads
    with no_hang(20):
        for what, damaged in (mutations(original, seed=zlib.crc32(kind.encode()))):
            path = _write(tmp_path / name, damaged)
            try:
                load(path)
            except KerasganError as error:
                message = str(error)
                assert message and "\n" not in message.strip(), (what, message)
                assert str(path) in message or path.name in message, (what, message)
            except Exception as error:  # noqa: BLE001 - the point of the test
                pytest.fail(f"{kind} {what}: {type(error).__name__}: {error}")


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "GIF", "BMP"])
def test_damaged_images_are_skipped_or_decoded(fmt, tmp_path):
    """The folder scan never raises on a damaged image: it leaves it out with a reason, or keeps
    it, and then TensorFlow decodes it too (training would fail on it otherwise)."""
    tf = pytest.importorskip("tensorflow")
    original = _image(fmt)
    folder = tmp_path / "images"
    folder.mkdir()
    Image.new("RGB", (16, 16), "white").save(folder / "good.png")
    suffix = {"JPEG": ".jpg"}.get(fmt, "." + fmt.lower())
    with no_hang(30):
        for i, (what, damaged) in enumerate(mutations(original, seed=len(fmt))):
            (folder / f"damaged_{i:02d}{suffix}").write_bytes(damaged)
        report = datasets.scan_image_folder(folder)
        assert len(report.good) + len(report.bad) == MUTATIONS_PER_FILE + 1
        assert all(reason for _, reason in report.bad)
        ds = datasets.image_folder(folder, 16, batch_size=None, shuffle=False, report=lambda m: None)
        decoded = sum(1 for _ in ds)
    assert decoded == len(report.good)
    assert tf is not None


def _write(path, data: bytes):
    path.write_bytes(data)
    return path
