"""Keeping the backends' native start-up log lines off the command line's stderr.

TensorFlow 2.21 (and XLA under it) log through absl from C++ before `absl::InitializeLog()`,
which ignores `TF_CPP_MIN_LOG_LEVEL`: importing it prints "oneDNN custom operations are on",
"Could not find cuda drivers", "failed call to cuInit" and the like straight to file
descriptor 2. The only switch that works is the descriptor itself, so `quiet_native_logs`
points it at a temporary file while the backend starts, then writes back every line that is
not such a native log line (a Python warning or traceback printed meanwhile is kept).
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
import tempfile

# absl/glog line prefix: severity, MMDD, time, thread id, file:line]
_NATIVE_LINE = re.compile(r"^[IWEF]\d{4} [\d:.]+\s+\d+ [\w./-]+:\d+\] ")
_NATIVE_NOTES = (
    "WARNING: All log messages before absl::InitializeLog() is called are written to STDERR",
    "To enable the following instructions:",  # continuation of cpu_feature_guard's line
)



def set_quiet_env() -> None:
    """What TensorFlow still honours once its logging is set up; to be set before it is imported."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def is_native_log_line(line: str) -> bool:
    return bool(_NATIVE_LINE.match(line)) or line.startswith(_NATIVE_NOTES)


@contextlib.contextmanager
def quiet_native_logs():
    """Runs the block with file descriptor 2 captured; replays what was not native logging."""
    try:
        fd = sys.stderr.fileno()
    except (AttributeError, OSError, ValueError):  # stderr is not a real file (e.g. a test runner)
        yield
        return
    sys.stderr.flush()
    saved = os.dup(fd)
    with tempfile.TemporaryFile(mode="w+b") as capture:
        os.dup2(capture.fileno(), fd)
        try:
            yield
        finally:
            sys.stderr.flush()
            os.dup2(saved, fd)
            os.close(saved)
            capture.seek(0)
            kept = [line for line in capture.read().decode("utf-8", "replace").splitlines(keepends=True)
                    if not is_native_log_line(line)]
            if kept:
                sys.stderr.write("".join(kept))
                sys.stderr.flush()
