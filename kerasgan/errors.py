"""The errors a user can fix. The command line prints them as one sentence and exits with 2;
anything else is a bug in kerasgan and keeps its traceback.

Each one is also the built-in error it refines (`ValueError`, `FileNotFoundError`), so code that
caught those before keeps working.
"""


class KerasganError(Exception):
    """Something the user can fix: a bad argument, bad data, a missing or damaged file."""


class InvalidArgumentError(KerasganError, ValueError):
    """An option, argument or config value outside what kerasgan accepts."""


class DataError(KerasganError, ValueError):
    """Training or evaluation data that cannot be used as given (shape, range, labels, format)."""


class IntegrityError(KerasganError, ValueError):
    """A file that is not what it should be: a checksum mismatch, a truncated or corrupt
    checkpoint, non-finite weights."""


class NotFoundError(KerasganError, FileNotFoundError):
    """A checkpoint, preset, recipe or data file that does not exist where it was looked for."""


__all__ = ["KerasganError", "InvalidArgumentError", "DataError", "IntegrityError", "NotFoundError"]
