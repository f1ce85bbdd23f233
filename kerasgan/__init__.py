"""kerasgan: a Keras 3 model zoo of Generative Adversarial Networks.

Everything here is imported on first use (PEP 562): `import kerasgan` costs milliseconds and
imports neither Keras nor a backend, so the command line's `--help`, `list` and `info` start at
once. `kerasgan.DCGAN`, `kerasgan.datasets.image_folder(...)`, `kerasgan.callbacks.SampleGrid`
and friends import their module when they are first touched.
"""

import importlib

__version__ = "0.1.0"

# public name -> the module that defines it
_ATTRIBUTES = {
    **dict.fromkeys(("BaseGAN", "GAN", "DCGAN", "WGAN", "WGANGP", "LSGAN", "CGAN", "VARIANTS"), "kerasgan.models"),
    "make_grid": "kerasgan.images",
    "save_grid": "kerasgan.images",
    "from_pretrained": "kerasgan.presets",
}
# public submodules, reachable as `kerasgan.<name>` after a plain `import kerasgan`
_SUBMODULES = ("augment", "backend", "callbacks", "cards", "cats", "classifiers", "datasets", "devices", "errors",
               "evaluation", "hub", "images", "losses", "manifest", "metrics", "models", "networks", "presets", "recipes")

__all__ = ["BaseGAN", "GAN", "DCGAN", "WGAN", "WGANGP", "LSGAN", "CGAN", "VARIANTS", "make_grid", "save_grid",
           "from_pretrained", *_SUBMODULES]


def __getattr__(name):
    if name in _ATTRIBUTES:
        value = getattr(importlib.import_module(_ATTRIBUTES[name]), name)
    elif name in _SUBMODULES:
        value = importlib.import_module(f"kerasgan.{name}")
    else:
        raise AttributeError(f"module 'kerasgan' has no attribute {name!r}")
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__():
    return sorted(set(globals()) | set(__all__))
