"""Dataset loaders for kerasgan.

Every loader returns float32, channels-last images ``(N, H, W, C)`` scaled to a generator's
output range ``value_range`` (``(-1, 1)`` for tanh outputs, ``(0, 1)`` for sigmoid outputs).

- :func:`image_folder` streams a folder of images as a ``tf.data.Dataset`` of image batches; it
  scans the folder first (:func:`scan_image_folder`), logs the files it leaves out and attaches
  the :class:`ScanReport` to the dataset as ``ds.scan_report``.
- :func:`mnist`, :func:`load_idx`, :func:`load_quickdraw`, :func:`quickdraw_classes` and
  :func:`load_npz` read whole arrays into memory.

No loader ever unpickles data (``allow_pickle=False`` everywhere).
"""

from __future__ import annotations

import atexit
import gzip
import logging
import os
import pathlib
import shutil
import tempfile
import zlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Sequence

import numpy as np

from kerasgan.deprecation import warn_deprecated
from kerasgan.errors import DataError, InvalidArgumentError, NotFoundError
from kerasgan.images import check_value_range, from_uint8, to_uint8
from kerasgan.staging import make_staging_dir
from PIL import Image

__all__ = [
    "ScanReport",
    "scan_image_folder",
    "image_folder",
    "load_idx",
    "mnist",
    "load_quickdraw",
    "quickdraw_classes",
    "load_npz",
    "split_files",
    "load_image_files",
]

logger = logging.getLogger("kerasgan.datasets")

PathLike = str | os.PathLike

# Extensions we try to open with Pillow; anything else is "not an image file".
IMAGE_EXTENSIONS = frozenset(
    {".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp", ".tif", ".tiff"}
)
# What keras.utils.image_dataset_from_directory indexes (its ALLOWLIST_FORMATS).
_KERAS_EXTENSIONS = frozenset({".png", ".jpg", ".jpeg", ".bmp", ".gif"})
# Pillow (format, mode) pairs that tf.image.decode_image decodes to the same pixels for both
# 3 and 1 channels. tf fails on CMYK JPEGs with channels=1, misreads palette BMPs and refuses
# channels=1 for BMP/GIF, so everything else is converted to PNG before tf sees it.
_TF_NATIVE = {
    "JPEG": frozenset({"L", "RGB"}),
    "PNG": frozenset({"1", "L", "LA", "P", "RGB", "RGBA", "I;16", "I;16B", "I;16L", "I"}),
}
_MAX_LISTED = 20  # bad files named in one log message


# ----------------------------------------------------------------------------- value ranges


# Scaling lives in kerasgan.images (`from_uint8`, `to_uint8`). These two aliases read as the
# inverse of what they do next to those names; they go in 0.3.
_DEPRECATED_ALIASES = {"to_value_range": ("from_uint8", from_uint8), "from_value_range": ("to_uint8", to_uint8)}


def __getattr__(name):
    if name in _DEPRECATED_ALIASES:
        new, function = _DEPRECATED_ALIASES[name]
        warn_deprecated(f"kerasgan.datasets.{name}", f"use kerasgan.images.{new}, which does the same")
        return function
    raise AttributeError(f"module 'kerasgan.datasets' has no attribute {name!r}")


# ----------------------------------------------------------------------------- image folders


@dataclass
class ScanReport:
    """Result of :func:`scan_image_folder`.

    ``good``: readable image files (full paths, sorted). ``bad``: ``(name relative to the
    folder, one-phrase reason)`` for every file left out.
    """

    good: list[pathlib.Path] = field(default_factory=list)
    bad: list[tuple[str, str]] = field(default_factory=list)

    def summary(self, limit: int = _MAX_LISTED) -> str:
        """One line naming the bad files (the first ``limit`` of them)."""
        shown = ", ".join(f"{name} ({why})" for name, why in self.bad[:limit])
        if len(self.bad) > limit:
            shown += f", and {len(self.bad) - limit} more"
        return shown


def resolve_data_dir(data_dir, needs: str) -> str | os.PathLike:
    """`data_dir`, else $KERASGAN_DATA_DIR (the folder of the real data sets); `needs` completes the
    error's sentence, e.g. "This recipe reads real data"."""
    data_dir = data_dir or os.environ.get("KERASGAN_DATA_DIR")
    if not data_dir:
        raise InvalidArgumentError(f"{needs}: pass --data PATH or set KERASGAN_DATA_DIR.")
    return data_dir


def _short(err: BaseException) -> str:
    text = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
    return text if len(text) <= 80 else text[:77] + "..."


def _inspect(path: pathlib.Path, min_size: int) -> tuple[str | None, bool]:
    """Returns (reason it is bad or None, whether tf can decode it as it is)."""
    ext = path.suffix.lower()
    if ext not in IMAGE_EXTENSIONS:
        return "not an image file", False
    try:
        if path.stat().st_size == 0:
            return "empty file", False
        # verify() checks structure (PNG CRCs etc.) but leaves the image unusable, so a
        # re-opened copy is fully decoded to catch truncated data (e.g. cut-off JPEGs).
        with Image.open(path) as img:
            if img.size[0] * img.size[1] > (Image.MAX_IMAGE_PIXELS or float("inf")):
                # a damaged header can claim a huge image; decoding it would take minutes and GBs
                return f"too large ({img.size[0]}x{img.size[1]}), probably a damaged header", False
            img.verify()
        with Image.open(path) as img:
            img.load()
            fmt, mode, (w, h) = img.format, img.mode, img.size
    except Exception as err:  # Pillow raises many types (OSError, SyntaxError, ValueError...)
        return f"corrupt or truncated image: {_short(err)}", False
    if min(w, h) < min_size:
        return f"too small ({w}x{h})", False
    native = ext in _KERAS_EXTENSIONS and mode in _TF_NATIVE.get(fmt, ())
    return None, native


def _walk(root: pathlib.Path) -> Iterable[pathlib.Path]:
    # Same walk as keras' index_directory (symlinked dirs are not followed), sorted.
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in sorted(filenames):
            yield pathlib.Path(dirpath, name)


def _scan(path: PathLike, min_size: int) -> tuple[ScanReport, set[pathlib.Path]]:
    root = pathlib.Path(path)
    if not root.is_dir():
        raise NotFoundError(f"image folder '{root}' does not exist or is not a directory.")
    report, to_convert = ScanReport(), set()
    files = list(_walk(root))
    # Pillow decodes without holding the GIL, so threads speed up scans of large folders.
    with ThreadPoolExecutor(max_workers=min(8, os.cpu_count() or 1)) as pool:
        results = list(pool.map(lambda f: _inspect(f, min_size), files))
    for file, (reason, native) in zip(files, results):
        if reason is None:
            report.good.append(file)
            if not native:
                to_convert.add(file)
        else:
            report.bad.append((file.relative_to(root).as_posix(), reason))
    if not report.good:
        skipped = f" ({len(report.bad)} files skipped: {report.summary()})" if report.bad else ""
        raise DataError(
            f"no readable images in '{root}'{skipped}; expected image files "
            f"({', '.join(sorted(IMAGE_EXTENSIONS))}) of at least {min_size} px per side."
        )
    return report, to_convert


def scan_image_folder(path: PathLike, min_size: int = 8) -> ScanReport:
    """Checks every file under ``path`` (recursively) with Pillow.

    A file is bad if its extension is not an image one, it is empty, Pillow cannot verify and
    fully decode it (corrupt or truncated), or its shorter side is below ``min_size`` pixels.
    CMYK, palette, LA, RGBA and 16-bit images are good (they are converted when loaded).
    Raises ``ValueError`` if the folder is missing or holds no good image.
    """
    return _scan(path, min_size)[0]


_STAGING_DIRS: list[str] = []


@atexit.register
def _remove_staging_dirs() -> None:
    for d in _STAGING_DIRS:
        shutil.rmtree(d, ignore_errors=True)


def _to_8bit(img: Image.Image) -> Image.Image:
    """Converts any Pillow mode to 8-bit L or RGB, as tf would decode it (alpha dropped)."""
    if img.mode.startswith("I;16"):
        # Keep the high byte, as tf's PNG decoder does for 16-bit data.
        return Image.fromarray((np.asarray(img).astype(np.uint16) >> 8).astype(np.uint8), "L")
    if img.mode in ("1", "L", "LA", "I", "F"):
        return img.convert("L")
    if img.mode in ("P", "PA"):
        img = img.convert("RGBA")  # applies the palette's transparency without a warning
    return img.convert("RGB")


def _stage(root: pathlib.Path, report: ScanReport, to_convert: set[pathlib.Path]) -> str:
    """Mirrors the good files of ``root`` into a temporary folder for image_dataset_from_directory.

    image_dataset_from_directory reads every file with an image extension in a folder, so bad
    files must be hidden from it, and tf cannot decode some good ones (CMYK JPEG, WebP/TIFF,
    palette BMP, grayscale BMP/GIF). Good files tf can decode are symlinked (copied where
    symlinks are not allowed); the others are converted to 8-bit PNG. Relative paths are kept,
    so a seed gives the same order as on the original folder. The folder is removed at exit, or
    by the next staging process when this one was killed.
    """
    stage = os.fspath(make_staging_dir(tempfile.gettempdir(), "kerasgan-images-"))
    _STAGING_DIRS.append(stage)
    for file in report.good:
        rel = file.relative_to(root)
        target = pathlib.Path(stage, rel)
        target.parent.mkdir(parents=True, exist_ok=True)
        if file in to_convert:
            with Image.open(file) as img:
                img.load()
                _to_8bit(img).save(f"{target}.png", compress_level=1)
            continue
        try:
            os.symlink(file.resolve(), target)
        except OSError:
            shutil.copy2(file, target)
    return stage


def image_folder(
    path: PathLike,
    image_size: int | tuple[int, int],
    channels: int = 3,
    batch_size: int | None = 64,
    shuffle: bool = True,
    seed: int | None = None,
    value_range: Sequence[float] = (-1.0, 1.0),
    drop_remainder: bool = True,
    min_size: int = 8,
    interpolation: str = "area",
    report: Callable[[str], Any] | None = None,
    limit: int | None = None,
):
    """Streams the images of a folder (recursively) as a ``tf.data.Dataset`` of float32 batches.

    Images are centre-cropped to the aspect ratio of ``image_size`` and resized (``"area"``
    interpolation by default, which does not alias when downscaling), converted to RGB
    (``channels=3``) or grayscale (``channels=1``) and scaled to ``value_range``; batches have
    shape ``(B, H, W, channels)`` and there are no labels. Alpha channels are dropped.

    The folder is scanned first (:func:`scan_image_folder`); files found bad are left out and
    named in one WARNING on the ``"kerasgan.datasets"`` logger (or passed to ``report``, e.g.
    ``print``). The scan is attached to the returned dataset as ``ds.scan_report``. ``limit``
    keeps the first ``limit`` good images in file-name order (the same ones every epoch).
    """
    import tensorflow as tf  # imported here so the array loaders work without tensorflow
    import keras

    lo, hi = check_value_range(value_range)
    if channels not in (1, 3):
        raise InvalidArgumentError(f"channels must be 1 (grayscale) or 3 (RGB); found {channels!r}.")
    if isinstance(image_size, int):
        image_size = (image_size, image_size)
    image_size = tuple(int(s) for s in image_size)
    if len(image_size) != 2 or min(image_size) < 1:
        raise InvalidArgumentError(f"image_size must be an int or (height, width); found {image_size!r}.")
    if batch_size is not None and batch_size < 1:
        raise InvalidArgumentError(f"batch_size must be a positive int or None; found {batch_size!r}.")

    _check_limit(limit)
    root = pathlib.Path(path)
    scan, to_convert = _scan(root, min_size)
    if scan.bad:
        message = (
            f"left out {len(scan.bad)} of {len(scan.bad) + len(scan.good)} files in "
            f"'{root}': {scan.summary()}"
        )
        (report or logger.warning)(message)
    limited = limit is not None and limit < len(scan.good)
    if limited:
        scan = ScanReport(good=scan.good[:limit], bad=scan.bad)
        to_convert &= set(scan.good)
    if batch_size is not None and drop_remainder and len(scan.good) < batch_size:
        held = f"limit={limit} keeps {len(scan.good)}" if limited else f"'{root}' has {len(scan.good)}"
        raise DataError(
            f"{held} readable images, fewer than batch_size={batch_size} "
            "with drop_remainder=True; expected at least one full batch."
        )

    def build(directory: PathLike):
        return keras.utils.image_dataset_from_directory(
            os.fspath(directory),
            labels=None,
            color_mode="rgb" if channels == 3 else "grayscale",
            batch_size=None,  # batched below, so drop_remainder can be honoured
            image_size=image_size,
            shuffle=shuffle,
            seed=seed,
            interpolation=interpolation,
            crop_to_aspect_ratio=True,
            verbose=False,
        )

    # Read the folder in place when keras would find exactly the good files, else stage them.
    needs_stage = limited or bool(to_convert) or any(
        pathlib.PurePath(name).suffix.lower() in _KERAS_EXTENSIONS for name, _ in scan.bad
    )
    ds = None if needs_stage else build(root)
    if ds is None or len(ds.file_paths) != len(scan.good):
        ds = build(_stage(root, scan, to_convert))

    scale = np.float32((hi - lo) / 255.0)
    ds = ds.map(
        lambda x: tf.cast(x, tf.float32) * scale + np.float32(lo),
        num_parallel_calls=tf.data.AUTOTUNE,
    )
    if batch_size is not None:
        ds = ds.batch(batch_size, drop_remainder=drop_remainder)
    ds = ds.prefetch(tf.data.AUTOTUNE)
    ds.scan_report = scan
    return ds


# ----------------------------------------------------------------------------- IDX (MNIST)

_IDX_MAGIC = {0x00000803: "images", 0x00000801: "labels"}


def _read_maybe_gzip(path: pathlib.Path) -> bytes:
    data = path.read_bytes()
    if data[:2] != b"\x1f\x8b":  # IDX data starts with two zero bytes, gzip with 1f 8b
        return data
    try:
        return gzip.decompress(data)
    except (OSError, EOFError, zlib.error) as err:
        raise DataError(
            f"'{path}' is not a readable gzip file: expected a complete gzip stream, "
            f"found {_short(err)}."
        ) from None


def load_idx(path: PathLike, limit: int | None = None) -> np.ndarray:
    """Reads an MNIST-style IDX file (images or labels, raw or gzipped) as a uint8 array.

    Checks the magic number (0x00000803 for ``(N, rows, cols)`` images, 0x00000801 for
    ``(N,)`` labels) and that the payload holds exactly the bytes the header promises.
    With ``limit``, only the first ``limit`` items are returned.
    """
    _check_limit(limit)
    path = pathlib.Path(path)
    if not path.is_file():
        raise NotFoundError(f"IDX file '{path}' does not exist; expected an MNIST IDX file.")
    data = _read_maybe_gzip(path)
    if len(data) < 4:
        raise DataError(
            f"'{path}' is too short to be an IDX file: expected at least 4 bytes, "
            f"found {len(data)}."
        )
    magic = int.from_bytes(data[:4], "big")
    if magic not in _IDX_MAGIC:
        raise DataError(
            f"'{path}' has an unexpected IDX magic number: expected 0x00000803 (uint8 images) "
            f"or 0x00000801 (uint8 labels), found 0x{magic:08X}."
        )
    ndim = magic & 0xFF
    header = 4 + 4 * ndim
    if len(data) < header:
        raise DataError(
            f"'{path}' has a truncated IDX header: expected {header} bytes, found {len(data)}."
        )
    dims = tuple(int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    expected, found = int(np.prod(dims)), len(data) - header
    if found != expected:
        raise DataError(
            f"'{path}' has a payload of the wrong length: expected {expected} bytes for shape "
            f"{dims}, found {found}."
        )
    array = np.frombuffer(data, dtype=np.uint8, offset=header).reshape(dims)
    if limit is not None:
        array = array[:limit]
    return array.copy()  # writable, and frees the rest of the file's bytes


_MNIST_KINDS = ("mnist", "fashion-mnist")
_MNIST_SPLITS = {"train": "train", "test": "t10k", "t10k": "t10k"}


def mnist(
    data_dir: PathLike,
    split: str = "train",
    kind: str = "mnist",
    value_range: Sequence[float] = (-1.0, 1.0),
    limit: int | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Loads MNIST or Fashion-MNIST from ``<data_dir>/<kind>/{train,t10k}-*-ubyte.gz``.

    Returns ``(images float32 (N, 28, 28, 1) in value_range, labels int32 (N,))``;
    ``split`` is ``"train"`` (60,000) or ``"test"`` (10,000); ``limit`` keeps the first N.
    """
    if kind not in _MNIST_KINDS:
        raise InvalidArgumentError(f"kind must be one of {_MNIST_KINDS}; found {kind!r}.")
    if split not in _MNIST_SPLITS:
        raise InvalidArgumentError(f"split must be 'train' or 'test'; found {split!r}.")
    prefix = pathlib.Path(data_dir, kind, _MNIST_SPLITS[split])
    image_file = prefix.with_name(prefix.name + "-images-idx3-ubyte.gz")
    label_file = prefix.with_name(prefix.name + "-labels-idx1-ubyte.gz")
    images, labels = load_idx(image_file, limit), load_idx(label_file, limit)
    if images.ndim != 3 or images.shape[1:] != (28, 28):
        raise DataError(
            f"'{image_file}' should hold (N, 28, 28) images; found shape {images.shape}."
        )
    if labels.ndim != 1 or len(labels) != len(images):
        raise DataError(
            f"'{label_file}' should hold {len(images)} labels, one per image; "
            f"found shape {labels.shape}."
        )
    if labels.size and labels.max() > 9:
        raise DataError(f"'{label_file}' should hold labels 0..9; found {labels.max()}.")
    return from_uint8(images[..., None], value_range), labels.astype(np.int32)


# ----------------------------------------------------------------------------- .npy / .npz


def _check_limit(limit: int | None) -> None:
    if limit is not None and (not isinstance(limit, (int, np.integer)) or limit < 0):
        raise InvalidArgumentError(f"limit must be None or a non-negative int; found {limit!r}.")


def _load_npy(path: pathlib.Path) -> np.ndarray:
    if not path.is_file():
        raise NotFoundError(f"'{path}' does not exist; expected a .npy file.")
    try:
        # mmap so that `limit` reads only the rows it keeps from large files.
        array = np.load(path, mmap_mode="r", allow_pickle=False)
    except Exception as err:  # a damaged header fails in many ways (ValueError, TokenError, ...)
        raise DataError(
            f"'{path}' could not be read as a .npy array without pickle: {_short(err)}."
        ) from None
    if not isinstance(array, np.ndarray):
        raise DataError(f"'{path}' should be a .npy array; found {type(array).__name__}.")
    return array


def load_quickdraw(
    path_or_paths: PathLike | Sequence[PathLike],
    value_range: Sequence[float] = (-1.0, 1.0),
    limit: int | None = None,
) -> np.ndarray:
    """Loads Quick, Draw! ``numpy_bitmap`` files (uint8 ``(N, 784)``) as ``(N, 28, 28, 1)``.

    Several files are concatenated in order; ``limit`` keeps the first N drawings *of each file*.
    """
    paths = (
        [path_or_paths]
        if isinstance(path_or_paths, (str, os.PathLike))
        else list(path_or_paths)
    )
    _check_limit(limit)
    if not paths:
        raise InvalidArgumentError("load_quickdraw expects at least one .npy path; found none.")
    parts = []
    for p in paths:
        p = pathlib.Path(p)
        array = _load_npy(p)
        if array.ndim != 2 or array.dtype != np.uint8 or array.shape[1] != 784:
            raise DataError(
                f"'{p}' is not a Quick, Draw! bitmap file: expected a 2-D uint8 array with 784 "
                f"columns, found shape {array.shape} and dtype {array.dtype}."
            )
        parts.append(np.array(array[:limit]).reshape(-1, 28, 28, 1))
    return from_uint8(np.concatenate(parts), value_range)


def quickdraw_classes(
    data_dir: PathLike,
    classes: str | Sequence[str],
    limit_per_class: int | None = None,
    value_range: Sequence[float] = (-1.0, 1.0),
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Loads several Quick, Draw! classes with integer labels.

    Reads ``<data_dir>/quickdraw/<class>.npy`` (or ``<data_dir>/<class>.npy`` if there is no
    ``quickdraw`` subfolder). Returns ``(images (N, 28, 28, 1), labels int32 (N,), class_names)``
    where ``labels[i]`` indexes ``class_names``.
    """
    names = [classes] if isinstance(classes, str) else list(classes)
    if not names:
        raise InvalidArgumentError("quickdraw_classes expects at least one class name; found none.")
    base = pathlib.Path(data_dir)
    if (base / "quickdraw").is_dir():
        base = base / "quickdraw"
    images, labels = [], []
    for i, name in enumerate(names):
        x = load_quickdraw(base / f"{name}.npy", value_range, limit_per_class)
        images.append(x)
        labels.append(np.full(len(x), i, dtype=np.int32))
    return np.concatenate(images), np.concatenate(labels), names


def load_npz(
    path: PathLike,
    key: str | None = None,
    value_range: Sequence[float] = (-1.0, 1.0),
) -> np.ndarray:
    """Loads images from an ``.npz`` archive as float32 ``(N, H, W, C)`` in ``value_range``.

    The array (``key``, or the only one in the archive) must be ``(N, H, W)`` or channels-last
    ``(N, H, W, C)`` with C in 1, 3, 4; uint8 is scaled from 0..255, floats must already lie
    in ``value_range``.
    """
    lo, hi = check_value_range(value_range)
    path = pathlib.Path(path)
    if not path.is_file():
        raise NotFoundError(f"'{path}' does not exist; expected a .npz file.")
    try:
        archive = np.load(path, allow_pickle=False)
    except Exception as err:  # a damaged archive fails in many ways (BadZipFile, ValueError, ...)
        raise DataError(
            f"'{path}' could not be read as an .npz archive without pickle: {_short(err)}."
        ) from None
    if not isinstance(archive, np.lib.npyio.NpzFile):
        raise DataError(f"'{path}' should be an .npz archive; found a single .npy array.")
    with archive:
        keys = list(archive.files)
        if key is None:
            if len(keys) != 1:
                raise DataError(
                    f"'{path}' holds {len(keys)} arrays {keys}; expected exactly one, or pass key=."
                )
            key = keys[0]
        elif key not in keys:
            raise DataError(f"'{path}' has no array {key!r}; found {keys}.")
        try:
            x = archive[key]
        except Exception as err:  # BadZipFile (CRC), zlib.error, NotImplementedError, ...
            raise DataError(
                f"'{path}'[{key!r}] could not be read without pickle: {_short(err)}."
            ) from None
    if x.ndim == 3:
        x = x[..., None]
    if x.ndim != 4 or x.shape[-1] not in (1, 3, 4):
        raise DataError(
            f"'{path}'[{key!r}] should be images (N, H, W) or (N, H, W, C) with C in 1, 3, 4; "
            f"found shape {x.shape}."
        )
    if x.dtype == np.uint8:
        return from_uint8(x, value_range)
    if not np.issubdtype(x.dtype, np.floating):
        raise DataError(
            f"'{path}'[{key!r}] should be uint8 (0..255) or float in {value_range}; "
            f"found dtype {x.dtype}."
        )
    tol = 1e-3 * (hi - lo)
    if x.size and (np.nanmin(x) < lo - tol or np.nanmax(x) > hi + tol or np.isnan(x).any()):
        nan = " and NaN" if np.isnan(x).any() else ""
        raise DataError(
            f"'{path}'[{key!r}] should hold float values in {tuple(value_range)}; "
            f"found {np.nanmin(x):.3g}..{np.nanmax(x):.3g}{nan}."
        )
    return np.clip(x, lo, hi).astype(np.float32)


# ----------------------------------------------------------------------------- image files in memory


def split_files(files: Sequence[PathLike], holdout: int, seed: int = 0) -> tuple[list, list]:
    """(train, held_out) from a file list: the first ``holdout`` files of a NumPy
    ``default_rng(seed)`` permutation of the *sorted* list are held out. The zoo's recipes use
    this rule, so the same folder always gives the same held-out files."""
    files = sorted(pathlib.Path(f) for f in files)
    if not 0 <= holdout < len(files):
        raise InvalidArgumentError(f"Cannot hold out {holdout} of {len(files)} files; expected 0 <= holdout < {len(files)}.")
    order = np.random.default_rng(seed).permutation(len(files))
    return [files[i] for i in order[holdout:]], [files[i] for i in order[:holdout]]


def load_image_files(files: Sequence[PathLike], image_size: int, channels: int = 3) -> np.ndarray:
    """Reads image files into memory as uint8 ``(N, image_size, image_size, channels)`` with
    Pillow alone (no TensorFlow): transparency composited onto white, the centre square cropped,
    resized with Lanczos. For data sets small enough to hold in memory; an unreadable file is an
    error that names it (use :func:`image_folder` to skip bad files instead)."""
    mode = {1: "L", 3: "RGB"}.get(channels)
    if mode is None:
        raise InvalidArgumentError(f"channels must be 1 or 3; found {channels!r}.")
    out = np.empty((len(files), image_size, image_size, channels), np.uint8)
    for i, file in enumerate(files):
        try:
            with Image.open(file) as img:
                img.load()
                if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
                    img = img.convert("RGBA")
                    img = Image.alpha_composite(Image.new("RGBA", img.size, (255, 255, 255, 255)), img)
                img = img.convert(mode)
        except (OSError, ValueError, Image.DecompressionBombError) as err:
            raise DataError(f"'{file}' could not be read as an image: {_short(err)}.") from None
        side = min(img.size)
        left, top = (img.width - side) // 2, (img.height - side) // 2
        img = img.crop((left, top, left + side, top + side)).resize((image_size, image_size), Image.LANCZOS)
        out[i] = np.asarray(img).reshape(image_size, image_size, channels)
    return out
