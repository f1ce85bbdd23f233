#!/usr/bin/env bash
# Creates .venv with kerasgan (editable) and all three Keras backends on the CPU.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
# torch is pinned to the CPU build; an unpinned torch pulls a multi-GB CUDA build.
.venv/bin/python -m pip install -q "torch==2.13.0" -e ".[jax,test,demo]"
echo "kerasgan is installed in .venv ($(.venv/bin/python -c 'import keras; print("keras", keras.__version__)'))"
