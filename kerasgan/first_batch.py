"""The first example a training dataset yields, read so that training reads the same data after.

`fit()` checks arrays whole; a dataset can be endless or expensive to read, so only its first
batch is checked. Kept apart from the models so that they never import TensorFlow or torch:
each kind is recognised only when its framework is already imported (a tf.data.Dataset exists
only where TensorFlow is; a DataLoader only where torch is).
"""

from __future__ import annotations

import sys

import keras


def first_example(x):
    """`(example, batched, what)` for a dataset `fit()` can read, else None (arrays, Python
    generators, which cannot be read twice, IterableDataset loaders).

    `example` is a batch (`batched` True) or one sample, as the dataset yields it: images, or a
    tuple (images, labels, ...). `what` names it for an error message ("the dataset's first batch").
    """
    tf, torch = sys.modules.get("tensorflow"), sys.modules.get("torch")
    if tf is not None and isinstance(x, tf.data.Dataset):
        for batch in x.take(1):  # a fresh iterator: training starts from the beginning anyway
            return batch, True, "the dataset's first batch"
        return None
    if isinstance(x, keras.utils.PyDataset):
        return None if x.num_batches == 0 else (x[0], True, "the dataset's first batch")  # None: endless
    if torch is not None and isinstance(x, torch.utils.data.DataLoader):
        # the map-style dataset at index 0: iterating the loader would draw from torch's RNG
        # and shift the shuffling of the run that follows
        if isinstance(x.dataset, torch.utils.data.IterableDataset) or not len(x.dataset):
            return None
        return x.dataset[0], False, "the DataLoader's first sample"
    return None
