"""DiffAugment (Zhao et al. 2020, "Differentiable Augmentation for Data-Efficient GAN Training").

The same random colour, translation and cutout transforms are applied to real and to fake
images before the discriminator sees them, so D cannot memorise a small training set, while
the generator still learns the un-augmented distribution: every transform is differentiable
in the image, so G's gradient passes through it.

Written in `keras.ops` only, with randomness from a `keras.random.SeedGenerator` (the model's),
so an augmented run is repeatable and resumable on TensorFlow, JAX and PyTorch alike.
Translation and cutout are expressed as products with 0/1 matrices and masks rather than
gathers, which keeps them differentiable on every backend and cheap at GAN image sizes.
"""

from __future__ import annotations

import keras
from keras import ops

from kerasgan.backend import replica_rows

POLICIES = ("color", "translation", "cutout")
# The paper's settings: shift by up to 1/8 of the side, cut out a square of half the side.
TRANSLATION_RATIO = 0.125
CUTOUT_RATIO = 0.5


def parse_policy(policy) -> tuple[str, ...]:
    """"color,translation,cutout" (or a sequence, or None/"" for none) as a checked tuple."""
    if policy is None or policy == "":
        return ()
    names = [p.strip() for p in policy.split(",")] if isinstance(policy, str) else [str(p) for p in policy]
    unknown = [p for p in names if p not in POLICIES]
    if unknown or len(set(names)) != len(names):
        raise ValueError(
            f"`diff_augment` must name each of {', '.join(POLICIES)} at most once, e.g. 'color,translation,cutout'; "
            f"got {policy!r}."
        )
    return tuple(p for p in POLICIES if p in names)  # a fixed order: the same policy draws the same numbers


def diff_augment(images, policy, seed):
    """Augments a batch of channels-last images (B, H, W, C) with the transforms in `policy`.

    Args:
        images: a float tensor, real or generated images in the generator's output range.
        policy: names from `POLICIES` (see `parse_policy`); empty means identity.
        seed: a `keras.random.SeedGenerator` (the model's, in training) or an int.

    Returns:
        A tensor like `images`, differentiable with respect to it.
    """
    policy = parse_policy(policy)
    x = ops.convert_to_tensor(images)
    if "color" in policy:
        x = _color(x, seed)
    if "translation" in policy:
        x = _translation(x, seed)
    if "cutout" in policy:
        x = _cutout(x, seed)
    return x


def _uniform(x, seed):
    # replica_rows: under tf.distribute each replica takes its own rows of the global draw
    return replica_rows(lambda n: keras.random.uniform((n, 1, 1, 1), dtype=x.dtype, seed=seed), ops.shape(x)[0])


def _color(x, seed):
    x = x + (_uniform(x, seed) - 0.5)  # brightness
    mean = ops.mean(x, axis=3, keepdims=True)
    x = (x - mean) * (_uniform(x, seed) * 2.0) + mean  # saturation
    mean = ops.mean(x, axis=(1, 2, 3), keepdims=True)
    return (x - mean) * (_uniform(x, seed) + 0.5) + mean  # contrast


def _shift_matrices(batch, size, max_shift, seed, dtype):
    """(B, size, size) 0/1 matrices M with (M @ v)[i] = v[i - s] (zero outside), one random
    integer shift s in [-max_shift, max_shift] per image."""
    shift = replica_rows(lambda n: keras.random.randint((n, 1, 1), -max_shift, max_shift + 1, seed=seed), batch)
    rows = ops.reshape(ops.arange(size), (1, size, 1))
    cols = ops.reshape(ops.arange(size), (1, 1, size))
    return ops.cast(ops.equal(cols, rows - shift), dtype)


def _translation(x, seed):
    batch, height, width = ops.shape(x)[0], x.shape[1], x.shape[2]
    rows = _shift_matrices(batch, height, max(1, int(height * TRANSLATION_RATIO + 0.5)), seed, x.dtype)
    cols = _shift_matrices(batch, width, max(1, int(width * TRANSLATION_RATIO + 0.5)), seed, x.dtype)
    # out[b, i, j] = x[b, i - dy, j - dx]: shift rows, then columns
    return ops.einsum("bik,bkjc,bjl->bilc", rows, x, ops.transpose(cols, (0, 2, 1)))


def _cutout(x, seed):
    batch, height, width = ops.shape(x)[0], x.shape[1], x.shape[2]
    cut_h, cut_w = int(height * CUTOUT_RATIO + 0.5), int(width * CUTOUT_RATIO + 0.5)
    # the square's centre may lie anywhere, so it is cut off at the borders sometimes (as in the paper)
    cy = replica_rows(lambda n: keras.random.randint((n, 1, 1), 0, height + (1 - cut_h % 2), seed=seed), batch)
    cx = replica_rows(lambda n: keras.random.randint((n, 1, 1), 0, width + (1 - cut_w % 2), seed=seed), batch)
    rows = ops.reshape(ops.arange(height), (1, height, 1))
    cols = ops.reshape(ops.arange(width), (1, 1, width))
    inside = ops.logical_and(
        ops.logical_and(rows >= cy - cut_h // 2, rows < cy - cut_h // 2 + cut_h),
        ops.logical_and(cols >= cx - cut_w // 2, cols < cx - cut_w // 2 + cut_w),
    )
    keep = ops.cast(ops.logical_not(inside), x.dtype)
    return x * ops.expand_dims(keep, -1)
