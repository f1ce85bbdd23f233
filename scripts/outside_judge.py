"""A second opinion on the MNIST / Fashion-MNIST checkpoints: a classifier trained here, apart from
the project's (another architecture and seed), reads 10,000 samples of each preset.

    KERASGAN_DATA_DIR=../shared/datasets python scripts/outside_judge.py mnist mnist-dcgan mnist-gan
    KERASGAN_DATA_DIR=../shared/datasets python scripts/outside_judge.py fashion-mnist fashion-mnist-dcgan

Prints the judge's test accuracy and its mean confidence on real test images, then per preset (and
per generator, where it keeps a moving average) the smallest and largest class share and the mean
confidence. `kerasgan eval` measures with the project's own classifier; where the two disagree,
neither is the truth.
"""

from __future__ import annotations

import argparse
import os

import numpy as np

SEED = 12345


def train_judge(x, y, epochs: int):
    import keras
    from keras import layers

    keras.utils.set_random_seed(SEED)
    judge = keras.Sequential([
        keras.Input((28, 28, 1)),
        layers.Conv2D(48, 5, strides=2, padding="same"), layers.BatchNormalization(), layers.ReLU(),
        layers.Conv2D(96, 5, strides=2, padding="same"), layers.BatchNormalization(), layers.ReLU(),
        layers.Flatten(), layers.Dropout(0.4), layers.Dense(256, activation="relu"), layers.Dropout(0.4),
        layers.Dense(10, activation="softmax"),
    ])
    judge.compile(keras.optimizers.Adam(1e-3), "sparse_categorical_crossentropy")
    judge.fit(x, y, batch_size=128, epochs=epochs, verbose=0)
    return judge


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("kind", choices=["mnist", "fashion-mnist"])
    p.add_argument("presets", nargs="+", help="zoo names or preset folders")
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("-n", "--num", type=int, default=10_000)
    args = p.parse_args()

    from kerasgan import datasets
    from kerasgan.presets import load_preset

    data_dir = datasets.resolve_data_dir(None, "The judge trains on real data")
    (x, y), (x_test, y_test) = (datasets.mnist(data_dir, split, args.kind) for split in ("train", "test"))
    judge = train_judge(x, y, args.epochs)
    probs = judge.predict(x_test, verbose=0)
    print(f"{args.kind} judge: test accuracy {(probs.argmax(1) == y_test).mean():.4f}, "
          f"confidence on real test images {probs.max(1).mean():.3f}")
    for handle in args.presets:
        model = load_preset(handle)
        for use_ema in ([True, False] if model.ema_generator is not None else [True]):
            probs = judge.predict(model.sample(args.num, seed=SEED, use_ema=use_ema), verbose=0)
            shares = np.bincount(probs.argmax(1), minlength=10) / args.num
            which = ("moving-average" if use_ema else "raw") if model.ema_generator is not None else "generator"
            print(f"{os.fspath(handle)} ({which}): class shares {shares.min():.3f}-{shares.max():.3f}, "
                  f"confidence {probs.max(1).mean():.3f}")


if __name__ == "__main__":
    main()
