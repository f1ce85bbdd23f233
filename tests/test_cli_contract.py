"""What every `kerasgan` command promises: the same flag names, one sentence and exit 2 for what a
user can fix, a traceback for a bug, no Keras import for --help/list/info, and a quiet stderr."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kerasgan import cli
from kerasgan.cli import app
from kerasgan.errors import DataError, IntegrityError, InvalidArgumentError, NotFoundError

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("keras", "tensorflow", "jax", "torch")
runner = CliRunner()


def _info_raising(monkeypatch, error):
    import kerasgan.hub

    def broken(*args, **kwargs):
        raise error

    monkeypatch.setattr(kerasgan.hub, "resolve_preset", broken)
    return runner.invoke(app, ["info", "mnist-dcgan"])


@pytest.mark.parametrize("error", [InvalidArgumentError("Bad option x."), DataError("Bad data."),
                                   IntegrityError("Bad checksum."), NotFoundError("No such checkpoint.")])
def test_a_kerasgan_error_is_one_sentence_and_exit_2(monkeypatch, error):
    result = _info_raising(monkeypatch, error)
    assert result.exit_code == 2, result.output
    assert [line for line in result.output.splitlines() if line.strip()] == [f"Error: {error}"]


@pytest.mark.parametrize("error, sentence", [
    (PermissionError(13, "Permission denied", "/runs/a"), "Error: Permission denied: /runs/a (choose a path you can read and write)."),
    (OSError(28, "No space left on device"), "Error: No space left on device (free some space)."),
])
def test_the_file_system_refusing_a_path_is_one_sentence_and_exit_2(monkeypatch, error, sentence):
    result = _info_raising(monkeypatch, error)
    assert result.exit_code == 2, result.output
    assert [line for line in result.output.splitlines() if line.strip()] == [sentence]


@pytest.mark.parametrize("error", [ValueError("internal shape mix-up"), KeyError("missing_key"),
                                   FileNotFoundError("internal temp file")])
def test_any_other_error_is_a_bug_with_its_traceback(monkeypatch, error):
    result = _info_raising(monkeypatch, error)
    assert result.exit_code not in (0, 2), result.output
    assert "Traceback (most recent call last)" in result.output and type(error).__name__ in result.output
    assert "bug in kerasgan" in result.output and "please report it" in result.output


def test_the_bug_report_line_names_the_tracker_from_the_package_metadata(monkeypatch):
    import importlib.metadata

    class Meta:
        def get_all(self, key):
            return ["Homepage, https://example.org", "Issues, https://example.org/issues"] if key == "Project-URL" else []

    monkeypatch.setattr(importlib.metadata, "metadata", lambda name: Meta())
    assert cli._where_to_report() == "please report it at https://example.org/issues with the traceback above."


def _options(command):
    import typer.main

    click_command = typer.main.get_command(app).commands[command]
    return {opt for param in click_command.params if not getattr(param, "hidden", False) for opt in param.opts}


def test_the_same_flag_names_on_every_command():
    commands = typer_commands()
    for command in commands:
        options = _options(command)
        assert not ({"--out", "--n"} & options), (command, options)
        if "-o" in options or "--output" in options:
            assert {"-o", "--output"} <= options, (command, options)
        if "-n" in options or "--num" in options:
            assert {"-n", "--num"} <= options, (command, options)
    assert {"-o", "--output"} <= _options("train") and {"-n", "--num"} <= _options("eval") & _options("sample")


def typer_commands():
    import typer.main

    return sorted(typer.main.get_command(app).commands)


def test_old_flags_still_work_with_a_warning(monkeypatch, tmp_path):
    import kerasgan.evaluation

    def evaluate_checkpoint(name, data, n, seed, use_ema):
        raise InvalidArgumentError(f"evaluate_checkpoint got n={n}.")

    monkeypatch.setattr(kerasgan.evaluation, "evaluate_checkpoint", evaluate_checkpoint)
    result = runner.invoke(app, ["eval", "mnist-dcgan", "--n", "12"])
    assert result.output.splitlines() == ["Warning: --n is deprecated and will be removed in kerasgan 0.3; use -n/--num.",
                                          "Error: evaluate_checkpoint got n=12."], result.output
    result = runner.invoke(app, ["train", "nogan", "--data", str(tmp_path), "--out", str(tmp_path / "run")])
    assert "--out is deprecated" in result.output and "Unknown variant 'nogan'" in result.output, result.output


def _run(args, env=None, timeout=300):
    env = {**os.environ, "KERASGAN_MIRROR": str(ROOT / "hub"), "HF_HUB_OFFLINE": "1", **(env or {})}
    env.pop("TF_CPP_MIN_LOG_LEVEL", None)  # the command must quieten the backend itself
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, timeout=timeout, cwd=ROOT, env=env)


@pytest.mark.parametrize("argv", [["--help"], ["list"], ["info", "mnist-dcgan"], ["sample", "--help"]])
def test_help_list_and_info_import_no_backend(argv):
    code = ("import atexit, sys\n"
            f"atexit.register(lambda: print('LOADED', sorted(m for m in {HEAVY!r} if m in sys.modules)))\n"
            f"sys.argv = ['kerasgan'] + {argv!r}\n"
            "from kerasgan.cli import main\n"
            "main()\n")
    result = _run(["-c", code])
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "LOADED []", result.stdout[-500:]


def test_importing_the_cli_imports_no_backend():
    result = _run(["-c", f"import sys, kerasgan.cli; print(sorted(m for m in {HEAVY!r} if m in sys.modules))"])
    assert result.returncode == 0 and result.stdout.strip() == "[]", result.stdout + result.stderr


def test_sample_prints_its_one_line_and_nothing_on_stderr(tmp_path):
    out = tmp_path / "digits.png"
    result = _run(["-m", "kerasgan.cli", "sample", "mnist-dcgan", "-n", "4", "--seed", "0", "-o", str(out)])
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"Wrote 4 samples of mnist-dcgan to {out}\n"
    assert result.stderr == "", result.stderr
    assert out.is_file()


def test_an_output_path_the_file_system_refuses_is_one_sentence_and_exit_2(tmp_path):
    """End to end: -o inside a regular file (tests run as root too, where permissions refuse nothing)."""
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    result = _run(["-m", "kerasgan.cli", "sample", "mnist-dcgan", "-n", "4", "-o", str(blocker / "grid.png")])
    assert result.returncode == 2, result.stderr
    assert result.stderr.splitlines() == [f"Error: File exists: {blocker} (choose a path you can read and write)."]
