"""Reporting helpers: put a metric value next to the value real data gets against itself."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from kerasgan.errors import InvalidArgumentError


def with_floor(metric_fn: Callable[..., Any], real, fake, seed: int = 0, **kwargs) -> dict[str, Any]:
    """Computes metric_fn(real_half, fake) and the floor metric_fn(real_half, other_real_half).

    Real data is split into two disjoint random halves A and B; with n = min(len(real) // 2, len(fake)) both
    calls use n samples per side (A against n fakes, A against B), so finite-sample bias is the same in both and
    `value` can be read against `floor`: the best a generator could score at this sample size. Works with
    images or features and any metric_fn(x, y, **kwargs) (its result is passed through unchanged).
    """
    real = np.asarray(real)
    fake = np.asarray(fake)
    if real.ndim < 2 or fake.ndim < 2:
        raise InvalidArgumentError(f"real and fake must be batches (N, ...), got shapes {real.shape} and {fake.shape}.")
    if real.shape[1:] != fake.shape[1:]:
        raise InvalidArgumentError(f"real and fake must have the same item shape, got {real.shape[1:]} and {fake.shape[1:]}.")
    n = min(real.shape[0] // 2, fake.shape[0])
    if n < 2:
        raise InvalidArgumentError(
            f"with_floor needs at least 4 real and 2 fake samples, got {real.shape[0]} real and {fake.shape[0]} fake."
        )
    rng = np.random.default_rng(seed)
    perm = rng.permutation(real.shape[0])
    half_a, half_b = real[np.sort(perm[:n])], real[np.sort(perm[n : 2 * n])]
    fake_n = fake if fake.shape[0] == n else fake[np.sort(rng.choice(fake.shape[0], n, replace=False))]
    return {"value": metric_fn(half_a, fake_n, **kwargs), "floor": metric_fn(half_a, half_b, **kwargs), "n": n}
