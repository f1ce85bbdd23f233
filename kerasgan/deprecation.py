"""Old names that keep working for one release, with a `DeprecationWarning` pointing at the caller."""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

REMOVED_IN = "0.3"
_PACKAGE = str(Path(__file__).resolve().parent)


def warn_deprecated(old: str, advice: str) -> None:
    """Warns that `old` is deprecated (`advice` says what to do instead), attributed to the first
    frame outside kerasgan and Keras, so that Python shows it where the user wrote the old name."""
    warnings.warn(f"{old} is deprecated and will be removed in kerasgan {REMOVED_IN}: {advice}.",
                  DeprecationWarning, stacklevel=_stacklevel_outside_package())


def _stacklevel_outside_package() -> int:
    # Keras' own frames (a model's __new__ and config plumbing) sit between the user and us too.
    keras = sys.modules.get("keras")
    inside = (_PACKAGE,) + ((str(Path(keras.__file__).resolve().parent),) if keras and keras.__file__ else ())
    frame, level = sys._getframe(2), 2  # 1 is warn_deprecated, 2 its caller
    while frame is not None and str(Path(frame.f_code.co_filename).resolve()).startswith(inside):
        frame, level = frame.f_back, level + 1
    return level
