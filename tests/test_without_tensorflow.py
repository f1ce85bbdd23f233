"""JAX and PyTorch users train without TensorFlow installed (the GPU machines that train the
zoo have none): everything but `datasets.image_folder` (tf.data) must work without it."""

import os
import subprocess
import sys
import textwrap

import keras
import pytest

SCRIPT = textwrap.dedent("""
    import sys
    sys.modules["tensorflow"] = None  # `import tensorflow` now raises ImportError
    import numpy as np
    import kerasgan
    from kerasgan import DCGAN, recipes

    model = DCGAN(image_size=16, channels=3, g_filters=8, d_filters=8, latent_dim=8, seed=0,
                  diff_augment="color,translation,cutout")
    model.compile()
    x = np.random.default_rng(0).uniform(-1, 1, (16, 16, 16, 3)).astype("float32")
    model.fit(x, batch_size=8, epochs=1, verbose=0)
    images = model.generate(4, seed=0)
    assert images.shape == (4, 16, 16, 3) and images.dtype == np.uint8
    model.save_preset(sys.argv[1])
    back = kerasgan.from_pretrained(sys.argv[1])
    assert (back.generate(4, seed=0).astype(int) - images).max() <= 1
    assert "tensorflow" not in sys.modules or sys.modules["tensorflow"] is None
    print("trained without tensorflow")
""")


@pytest.mark.skipif(keras.backend.backend() == "tensorflow", reason="runs the JAX and PyTorch backends")
def test_fit_generate_and_presets_work_where_tensorflow_cannot_be_imported(tmp_path):
    env = dict(os.environ, KERAS_BACKEND=keras.backend.backend())
    result = subprocess.run([sys.executable, "-c", SCRIPT, str(tmp_path / "preset")], env=env,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "trained without tensorflow" in result.stdout
