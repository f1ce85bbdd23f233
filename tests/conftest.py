import os
from pathlib import Path

import keras
import numpy as np
import pytest

BACKEND = keras.backend.backend()


@pytest.fixture
def rng():
    return np.random.default_rng(0)


@pytest.fixture(scope="session")
def data_dir():
    """The real datasets. Skipped when KERASGAN_DATA_DIR is unset; a failure, not a skip,
    when it is set and the data is not there."""
    value = os.environ.get("KERASGAN_DATA_DIR")
    if not value:
        pytest.skip("KERASGAN_DATA_DIR is not set")
    path = Path(value)
    assert path.is_dir(), f"KERASGAN_DATA_DIR={value!r} is set but is not a folder"
    return path
