"""The public API: lazy attributes of `import kerasgan`, one vocabulary across the variants, and
the old names that keep working for one release."""

import json
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

import kerasgan
from kerasgan import CGAN, DCGAN, GAN, LSGAN, WGAN, WGANGP
from kerasgan.errors import InvalidArgumentError

ROOT = Path(__file__).resolve().parents[1]
TINY_CONV = dict(image_size=16, g_filters=4, d_filters=4, latent_dim=4)


def _fresh_python(code: str) -> str:
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_submodules_are_attributes_of_a_plain_import_and_load_on_first_use():
    out = _fresh_python(
        "import sys, kerasgan\n"
        "before = sorted(m for m in ('keras', 'tensorflow', 'jax', 'torch', 'kerasgan.datasets') if m in sys.modules)\n"
        "print(before)\n"
        "print(callable(kerasgan.datasets.image_folder), callable(kerasgan.callbacks.resume), "
        "callable(kerasgan.metrics.frechet_distance), callable(kerasgan.errors.KerasganError))\n"
    )
    assert out.splitlines() == ["[]", "True True True True"], out


def test_every_public_name_resolves_and_unknown_names_raise_attribute_error():
    for name in kerasgan.__all__:
        assert getattr(kerasgan, name) is not None
    assert set(kerasgan.__all__) <= set(dir(kerasgan))
    assert kerasgan.DCGAN is DCGAN and kerasgan.models.DCGAN is DCGAN
    with pytest.raises(AttributeError, match="no_such_thing"):
        kerasgan.no_such_thing  # noqa: B018


@pytest.mark.parametrize("cls, options", [
    (GAN, dict(g_units=(8,), d_units=(8,))),
    (CGAN, dict(g_units=(8,), d_units=(8,), num_classes=3)),
    (CGAN, dict(architecture="dcgan", g_filters=4, d_filters=4, num_classes=3)),
    (DCGAN, dict(g_filters=4, d_filters=4)), (WGAN, dict(g_filters=4, d_filters=4)),
    (WGANGP, dict(g_filters=4, d_filters=4)), (LSGAN, dict(g_filters=4, d_filters=4)),
])
def test_every_variant_takes_image_size_and_channels(cls, options):
    model = cls(image_size=16, channels=3, latent_dim=4, **options)
    assert model.data_shape == (16, 16, 3) and (model.image_size, model.channels) == (16, 3)
    again = cls.from_config(model.get_config())
    assert again.data_shape == (16, 16, 3)


def test_gan_keeps_data_shape_for_other_data_and_refuses_a_contradiction():
    toy = GAN(data_shape=(2,), g_units=(8,), d_units=(8,), latent_dim=2, output_activation="linear")
    assert toy.data_shape == (2,) and toy.image_size is None and toy.channels is None
    with pytest.raises(InvalidArgumentError, match="data_shape"):
        GAN(data_shape=(28, 28, 1), image_size=32)


def test_the_critic_options_belong_to_the_wasserstein_variants():
    wgan = WGAN(n_critic=3, critic_norm="none", **TINY_CONV)
    assert wgan.n_critic == 3 and WGAN.from_config(wgan.get_config()).d_norm == "none"
    assert WGANGP(**TINY_CONV).d_norm == "layer" and WGANGP(**TINY_CONV).n_critic == 5
    for cls in (GAN, DCGAN, LSGAN, CGAN):
        assert "n_critic" not in cls._option_names() and "critic_norm" not in cls._option_names()
        assert DCGAN(**TINY_CONV).n_critic == 1
    with pytest.raises(InvalidArgumentError, match="unknown option.*critic_norm"):
        GAN(critic_norm="batch")


@pytest.mark.parametrize("cls, old, check", [
    (DCGAN, dict(n_critic=2), lambda m: m.n_critic == 2),
    (LSGAN, dict(critic_norm="layer"), lambda m: m.d_norm == "layer"),
    (CGAN, dict(filters=4, architecture="dcgan"), lambda m: (m.g_filters, m.d_filters) == (4, 4)),
])
def test_old_option_names_still_work_with_a_deprecation_warning(cls, old, check):
    options = dict(TINY_CONV) if cls is not CGAN else dict(image_size=16, latent_dim=4)
    with pytest.warns(DeprecationWarning, match=f"{cls.__name__}\\({next(iter(old))}=") as caught:
        model = cls(**options, **old)
    assert check(model)
    assert caught[0].filename == __file__  # shown where the user wrote the old name
    with warnings.catch_warnings():  # a model made so still saves and loads as it was made
        warnings.simplefilter("ignore", DeprecationWarning)
        assert check(cls.from_config(model.get_config()))


@pytest.mark.parametrize("config_file", sorted(p for p in (ROOT / "hub").glob("*/config.json")
                                               if json.loads(p.read_text()).get("module") == "kerasgan"))
def test_zoo_configs_load_unchanged_and_silently(config_file):
    from kerasgan.presets import read_preset_config

    cls, config = read_preset_config(config_file.parent)
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        model = cls.from_config(config)
    assert model.data_shape == tuple(config.get("data_shape") or (config["image_size"],) * 2 + (config["channels"],))
    if "filters" in config:
        assert model.g_filters == model.d_filters == config["filters"]


def test_datasets_value_range_aliases_are_deprecated_for_the_images_functions():
    from kerasgan import datasets
    from kerasgan.images import from_uint8, to_uint8

    x = np.arange(256, dtype=np.uint8)
    with pytest.warns(DeprecationWarning, match="from_uint8"):
        to_value_range = datasets.to_value_range
    with pytest.warns(DeprecationWarning, match="to_uint8"):
        from_value_range = datasets.from_value_range
    assert to_value_range is from_uint8 and from_value_range is to_uint8
    np.testing.assert_array_equal(to_uint8(from_uint8(x)), x)
