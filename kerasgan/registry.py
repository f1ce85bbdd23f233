"""The variants a preset, a recipe or `kerasgan train` may name, by class name.

A leaf module: nothing of kerasgan's is imported here at import time, so `presets` and
`models` both import it without importing each other. Each variant registers itself where it is
defined (`@register_variant`); `variants()` imports `kerasgan.models` first, so that a lookup sees
all six whichever module was imported before. Only registered classes load from a preset: a
user's subclass of a variant is not one of them (loading a preset runs no user code).
"""

from __future__ import annotations

import importlib

_VARIANTS: dict[str, type] = {}


def register_variant(cls: type) -> type:
    """Class decorator: makes `cls` a variant that presets and recipes may name."""
    _VARIANTS[cls.__name__] = cls
    return cls


def variants() -> dict[str, type]:
    """Class name -> class, for every registered variant."""
    importlib.import_module("kerasgan.models")  # its modules register their classes on import
    return dict(_VARIANTS)
