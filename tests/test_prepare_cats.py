"""Tests for kerasgan.cats.prepare_cats on drawn, tilted synthetic cat faces."""

from __future__ import annotations

import math
import pathlib

import numpy as np
import pytest
from PIL import Image, ImageDraw

from kerasgan.cats import align_cat_face, prepare_cats, read_cat_landmarks

# An upright face around (0, 0): left eye, right eye, mouth, left ear (outer base, tip, inner
# base), right ear (inner base, tip, outer base). Outer ear bases are 90 px apart.
FACE = np.array(
    [(-20, 0), (20, 0), (0, 25), (-45, -15), (-40, -50), (-20, -25),
     (20, -25), (40, -50), (45, -15)],
    dtype=np.float64,
)
RED, BLUE = (255, 0, 0), (0, 0, 255)


def _draw_cat(path: pathlib.Path, degrees: float, scale: float = 1.0,
              centre=(130.0, 110.0), size=(260, 230)) -> np.ndarray:
    """Draws a face tilted by `degrees` (clockwise on screen), saves it, returns its landmarks."""
    t = math.radians(degrees)
    rot = np.array([[math.cos(t), -math.sin(t)], [math.sin(t), math.cos(t)]])
    pts = np.rint(FACE * scale @ rot.T + np.asarray(centre)).astype(int)
    img = Image.new("RGB", size, (70, 120, 70))
    draw = ImageDraw.Draw(img)
    r = 48 * scale
    draw.ellipse([centre[0] - r, centre[1] - r, centre[0] + r, centre[1] + r], fill=(200, 170, 120))
    for ear in (pts[3:6], pts[6:9]):
        draw.polygon([tuple(p) for p in ear], fill=(180, 150, 100))
    x, y = pts[2]
    draw.ellipse([x - 3, y - 3, x + 3, y + 3], fill=(40, 20, 20))
    for (x, y), colour in ((pts[0], RED), (pts[1], BLUE)):
        draw.ellipse([x - 4, y - 4, x + 4, y + 4], fill=colour)
    img.save(path, quality=95)
    path.with_name(path.name + ".cat").write_text(
        "9 " + " ".join(str(v) for v in pts.reshape(-1)) + " \n"
    )
    return pts


def _dot_centre(img: np.ndarray, colour) -> np.ndarray:
    c = np.asarray(colour)
    mask = (np.abs(img.astype(int) - c).max(axis=-1) < 90)
    assert mask.sum() > 10, f"no {colour} dot found"
    ys, xs = np.nonzero(mask)
    return np.array([xs.mean(), ys.mean()])


def test_prepare_cats_levels_eyes_and_reports_skips(tmp_path):
    src, out = tmp_path / "CAT_00", tmp_path / "faces"
    (src / "more").mkdir(parents=True)
    _draw_cat(src / "00000001_000.jpg", 25)
    _draw_cat(src / "more" / "00000002_000.jpg", -30)
    _draw_cat(src / "00000003_000.jpg", 10, scale=0.5)  # ears 45 px apart: too small
    _draw_cat(src / "00000004_000.jpg", 0)
    (src / "00000004_000.jpg.cat").write_text("9 1 2 3\n")  # malformed
    Image.new("RGB", (100, 100)).save(src / "00000005_000.jpg")  # no landmark file

    report = prepare_cats(src, out, min_size=64)

    assert report.written == 2
    skipped = dict(report.skipped)
    assert set(skipped) == {"00000003_000.jpg", "00000004_000.jpg", "00000005_000.jpg"}
    assert skipped["00000003_000.jpg"] == "face too small (45 px < 64 px)"
    assert skipped["00000004_000.jpg"].startswith("malformed landmark file")
    assert skipped["00000005_000.jpg"] == "no landmark file"
    assert sorted(p.name for p in out.iterdir()) == ["00000001_000.jpg", "00000002_000.jpg"]

    for name in ("00000001_000.jpg", "00000002_000.jpg"):
        face = np.asarray(Image.open(out / name).convert("RGB"))
        assert face.shape[0] == face.shape[1] and abs(face.shape[0] - 90) <= 1
        left, right = _dot_centre(face, RED), _dot_centre(face, BLUE)
        assert abs(left[1] - right[1]) <= 1.5, (name, left, right)  # eyes level
        assert right[0] - left[0] == pytest.approx(40, abs=2)
        # Eyes' centre at 50% of the width and 40% of the height, as in the original script.
        middle = (left + right) / 2
        assert middle == pytest.approx([45, 36], abs=2)


def test_align_cat_face_landmarks_and_box_stays_inside(tmp_path):
    # Face near the top-left corner: the box is moved inside the photo, not padded.
    pts = _draw_cat(tmp_path / "corner.jpg", 40, centre=(30.0, 25.0), size=(200, 160))
    with Image.open(tmp_path / "corner.jpg") as img:
        face, marks = align_cat_face(img, read_cat_landmarks(tmp_path / "corner.jpg.cat"))
    assert face.width == face.height and abs(face.width - 90) <= 1
    assert marks[0, 1] == pytest.approx(marks[1, 1], abs=1e-9)
    assert np.linalg.norm(marks[1] - marks[0]) == pytest.approx(np.linalg.norm(pts[1] - pts[0]))
    left, right = _dot_centre(np.asarray(face), RED), _dot_centre(np.asarray(face), BLUE)
    np.testing.assert_allclose(left, marks[0], atol=1.5)
    np.testing.assert_allclose(right, marks[1], atol=1.5)


def test_read_cat_landmarks_errors(tmp_path):
    path = tmp_path / "x.jpg.cat"
    path.write_text("9 " + " ".join(["1"] * 18) + " \n")
    assert read_cat_landmarks(path).shape == (9, 2)
    for text in ("", "8 " + " ".join(["1"] * 16), "9 " + " ".join(["a"] * 18)):
        path.write_text(text)
        with pytest.raises(ValueError, match=r"x\.jpg\.cat.*expected '9' followed by 18 integers"):
            read_cat_landmarks(path)
    with pytest.raises(ValueError, match="missing"):
        prepare_cats(tmp_path / "missing", tmp_path / "out")
