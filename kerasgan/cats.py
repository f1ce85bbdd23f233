"""Cat-face preparation for the CAT dataset (Zhang, Sun & Tang, ECCV 2008).

Reproduces the "Meow Generator" / AlexiaJM "Deep-learning-with-cats" preprocessing with Pillow
and numpy: each photo ``<photo>.jpg`` comes with ``<photo>.jpg.cat``, a text file holding
``9`` followed by 9 ``x y`` points: left eye, right eye, mouth, left ear (3 points), right ear
(3 points). The photo is rotated about the eyes' centre so the eyes are level, and a square
as wide as the span between the outer ear bases (left ear point 1 to right ear point 3) is cut
with the eyes' centre at 50% of its width and 40% of its height, as in the original script.
"""

from __future__ import annotations

import math
import os
import pathlib
from dataclasses import dataclass, field

import numpy as np
from PIL import Image

from kerasgan.errors import DataError

__all__ = ["PrepareReport", "read_cat_landmarks", "align_cat_face", "prepare_cats"]

PHOTO_EXTENSIONS = (".jpg", ".jpeg", ".png")
_GRAY = (128, 128, 128)  # fill for corners uncovered by the rotation, as in the original


@dataclass
class PrepareReport:
    """Result of :func:`prepare_cats`: faces written and ``(photo name, reason)`` skipped."""

    written: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)


def read_cat_landmarks(path: str | os.PathLike) -> np.ndarray:
    """Reads a CAT ``.cat`` file as a float array of 9 ``(x, y)`` points.

    Raises ``ValueError`` unless the file holds ``9`` followed by exactly 18 integers.
    """
    path = pathlib.Path(path)
    tokens = path.read_text(encoding="ascii", errors="replace").split()
    try:
        numbers = [int(t) for t in tokens]
    except ValueError:
        numbers = None
    if not numbers or numbers[0] != 9 or len(numbers) != 19:
        found = " ".join(tokens[:6]) + (" ..." if len(tokens) > 6 else "")
        raise DataError(
            f"malformed landmark file '{path.name}': expected '9' followed by 18 integers, "
            f"found {len(tokens)} tokens ({found or 'empty'})."
        )
    return np.asarray(numbers[1:], dtype=np.float64).reshape(9, 2)


def align_cat_face(image: Image.Image, landmarks: np.ndarray) -> tuple[Image.Image, np.ndarray]:
    """Levels the eyes and crops the square face box.

    Returns ``(square RGB crop at the photo's resolution, landmarks in crop coordinates)``.
    The box is moved (not padded) to stay inside the photo and shrunk only if the photo is
    smaller than it.
    """
    pts = np.asarray(landmarks, dtype=np.float64).reshape(9, 2)
    (lx, ly), (rx, ry), (mouth_x, _) = pts[0], pts[1], pts[2]
    if lx > rx and ly < ry and mouth_x > rx:
        # Upside-down-ish heads: swap the eyes' labels so the rotation stays small
        # (same rule as the original script).
        lx, ly, rx, ry = rx, ry, lx, ly
    centre = np.array([(lx + rx) / 2.0, (ly + ry) / 2.0])
    angle = math.atan2(ry - ly, rx - lx)

    # Pillow rotates counter-clockwise as displayed (y down); rotate the points the same way.
    image = image.convert("RGB")
    straight = image.rotate(
        math.degrees(angle),
        resample=Image.Resampling.BICUBIC,
        center=(float(centre[0]), float(centre[1])),
        fillcolor=_GRAY,
    )
    c, s = math.cos(angle), math.sin(angle)
    d = pts - centre
    rotated = centre + np.stack([d[:, 0] * c + d[:, 1] * s, -d[:, 0] * s + d[:, 1] * c], axis=1)

    # Face as wide as the span between the outer ear bases; eyes at (0.5, 0.4) of the square.
    width, height = straight.size
    side = int(round(abs(rotated[8, 0] - rotated[3, 0])))
    side = max(1, min(side, width, height))
    x0 = int(round(centre[0] - side / 2.0))
    y0 = int(round(centre[1] - side * 0.4))
    x0 = min(max(x0, 0), width - side)
    y0 = min(max(y0, 0), height - side)
    crop = straight.crop((x0, y0, x0 + side, y0 + side))
    return crop, rotated - np.array([x0, y0])


def prepare_cats(
    src_dir: str | os.PathLike, out_dir: str | os.PathLike, min_size: int = 64
) -> PrepareReport:
    """Writes an eye-levelled square face crop ``<out_dir>/<photo name>.jpg`` per CAT photo.

    Walks ``src_dir`` recursively for photos with a ``.cat`` landmark file next to them. Photos
    without a landmark file, with a malformed one, that cannot be read, or whose face crop is
    smaller than ``min_size`` pixels are skipped and listed in the report. Crops keep the
    photo's resolution (no resizing).
    """
    src, out = pathlib.Path(src_dir), pathlib.Path(out_dir)
    if not src.is_dir():
        raise DataError(f"CAT photo folder '{src}' does not exist or is not a directory.")
    out.mkdir(parents=True, exist_ok=True)
    report = PrepareReport()
    seen: set[str] = set()
    photos = sorted(
        p for p in src.rglob("*") if p.is_file() and p.suffix.lower() in PHOTO_EXTENSIONS
    )
    for photo in photos:
        name = photo.relative_to(src).as_posix()
        marks = photo.with_name(photo.name + ".cat")
        if not marks.is_file():
            report.skipped.append((name, "no landmark file"))
            continue
        if photo.stem in seen:
            report.skipped.append((name, f"duplicate photo name {photo.stem!r}"))
            continue
        try:
            landmarks = read_cat_landmarks(marks)
        except (ValueError, OSError) as err:
            report.skipped.append((name, str(err)))
            continue
        try:
            with Image.open(photo) as img:
                img.load()
                face, _ = align_cat_face(img, landmarks)
        except OSError as err:  # includes PIL.UnidentifiedImageError
            report.skipped.append((name, f"unreadable image: {err}"))
            continue
        if face.width < min_size:
            report.skipped.append((name, f"face too small ({face.width} px < {min_size} px)"))
            continue
        face.save(out / f"{photo.stem}.jpg", quality=95)
        seen.add(photo.stem)
        report.written += 1
    return report
