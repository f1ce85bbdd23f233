"""Where a DCGAN-64 step's time goes: each convolution of the networks, forward and backward,
timed alone on one backend (KERAS_BACKEND), beside the same layer in plain PyTorch, and
Keras' own Conv2DTranspose beside kerasgan's for two of them.

    KERAS_BACKEND=jax python benchmarks/conv_layers.py --batch-size 64 --repeats 5

Prints one line per layer: milliseconds forward, and forward + backward (gradients for the
input and the kernel), median of `--repeats`, for Keras on the backend and for torch.nn.
"""

from __future__ import annotations

import argparse
import statistics
import time

# (kind, input side, input channels, output channels): DCGAN-64's convolutions, in order;
# "keras-transpose" is Keras' own Conv2DTranspose, "transpose" kerasgan's (networks.Conv2DTranspose)
LAYERS = [
    ("keras-transpose", 8, 256, 128), ("keras-transpose", 16, 128, 64),
    ("transpose", 4, 512, 256), ("transpose", 8, 256, 128), ("transpose", 16, 128, 64), ("transpose", 32, 64, 3),
    ("conv", 64, 3, 64), ("conv", 32, 64, 128), ("conv", 16, 128, 256), ("conv", 8, 256, 512),
]


def _median_ms(fn, sync, repeats):
    fn()
    sync()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        sync()
        times.append(1000 * (time.perf_counter() - start))
    return statistics.median(times)


def keras_times(kind, side, c_in, c_out, batch_size, repeats):
    import keras
    import numpy as np

    backend = keras.backend.backend()
    from kerasgan import networks

    cls = {"keras-transpose": keras.layers.Conv2DTranspose, "transpose": networks.Conv2DTranspose}.get(kind, keras.layers.Conv2D)
    layer = cls(c_out, 4, strides=2, padding="same", use_bias=False)
    x = keras.ops.convert_to_tensor(np.random.default_rng(0).standard_normal((batch_size, side, side, c_in)).astype("float32"))
    layer.build(x.shape)
    if backend == "jax":
        import jax

        kernel = layer.kernel.value
        forward = jax.jit(lambda k, x: layer.stateless_call([k], [], x)[0])
        grad = jax.jit(jax.grad(lambda k, x: layer.stateless_call([k], [], x)[0].sum(), argnums=(0, 1)))
        out = {}
        sync = lambda: jax.block_until_ready(out.get("v"))  # noqa: E731
        return (_median_ms(lambda: out.update(v=forward(kernel, x)), sync, repeats),
                _median_ms(lambda: out.update(v=grad(kernel, x)), sync, repeats))
    if backend == "torch":
        import torch

        x = x.detach().requires_grad_(True)
        kernel = layer.kernel.value

        def both():
            torch.autograd.grad(layer(x).sum(), [kernel, x])

        with torch.no_grad():
            fwd = _median_ms(lambda: layer(x), lambda: None, repeats)
        return fwd, _median_ms(both, lambda: None, repeats)
    import tensorflow as tf

    forward = tf.function(lambda x: layer(x), jit_compile=False)

    @tf.function
    def both(x):
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = tf.reduce_sum(layer(x))
        return tape.gradient(y, [layer.kernel, x])

    out = {}
    sync = lambda: [t.numpy() for t in tf.nest.flatten(out["v"])]  # noqa: E731
    return (_median_ms(lambda: out.update(v=forward(x)), sync, repeats),
            _median_ms(lambda: out.update(v=both(x)), sync, repeats))


def torch_times(kind, side, c_in, c_out, batch_size, repeats):
    import torch

    cls = torch.nn.Conv2d if kind == "conv" else torch.nn.ConvTranspose2d
    layer = cls(c_in, c_out, 4, 2, 1, bias=False)
    x = torch.randn(batch_size, c_in, side, side, requires_grad=True)
    with torch.no_grad():
        fwd = _median_ms(lambda: layer(x), lambda: None, repeats)
    return fwd, _median_ms(lambda: torch.autograd.grad(layer(x).sum(), [layer.weight, x]), lambda: None, repeats)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    import keras

    backend = keras.backend.backend()
    print(f"| layer | keras-{backend} forward ms | keras-{backend} fwd+bwd ms | torch forward ms | torch fwd+bwd ms |")
    print("|---|---|---|---|---|")
    totals = [0.0] * 4
    for kind, side, c_in, c_out in LAYERS:
        times = keras_times(kind, side, c_in, c_out, args.batch_size, args.repeats) + \
            torch_times(kind, side, c_in, c_out, args.batch_size, args.repeats)
        totals = [t + v for t, v in zip(totals, times)]
        print(f"| {kind} {side}x{side}x{c_in}->{c_out} | " + " | ".join(f"{v:.1f}" for v in times) + " |", flush=True)
    print("| all | " + " | ".join(f"{v:.1f}" for v in totals) + " |")


if __name__ == "__main__":
    main()
