#!/usr/bin/env bash
# The package as published: builds the sdist and the wheel (from that sdist, so the sdist must be
# complete), checks both with twine, installs the wheel (not editable) into a fresh virtual
# environment and, from outside the checkout, samples a zoo checkpoint from hub/ with
# KERASGAN_MIRROR: the installed package finds, verifies and loads it as after `pip install kerasgan`.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
python=${PYTHON:-$repo/.venv/bin/python}
# The throwaway environment (TensorFlow and all, ~2 GB) in memory when there is room: writing and
# deleting it on disk took twice as long.
if [ -w /dev/shm ] && [ "$(df -Pk /dev/shm | awk 'NR==2 {print $4}')" -gt 4000000 ]; then
  work=$(mktemp -d -p /dev/shm)
else
  work=$(mktemp -d)
fi
trap 'rm -rf "$work"' EXIT
export TF_CPP_MIN_LOG_LEVEL=3
step() { echo "package check: $1 ($((SECONDS - t0)) s)"; }
t0=$SECONDS

"$python" -m build --outdir "$work/dist" . >"$work/build.log" 2>&1 || { cat "$work/build.log"; exit 1; }
"$python" -m twine check --strict "$work"/dist/*
step "built and checked $(cd "$work/dist" && echo *)"
wheel=$(ls "$work"/dist/*.whl)
# (asked of zipfile itself: `zipfile -l | grep -q` fails under pipefail when grep stops reading first)
"$python" -c 'import sys, zipfile; sys.exit("kerasgan/weights_manifest.json" not in zipfile.ZipFile(sys.argv[1]).namelist())' "$wheel" \
  || { echo "the wheel lacks kerasgan/weights_manifest.json"; exit 1; }

"$python" -m venv "$work/venv"
# Dependencies come from pip's cache or its configured index; --no-compile skips compiling
# TensorFlow's thousands of modules to bytecode, most of the install's time.
"$work/venv/bin/python" -m pip install -q --no-compile "$wheel" 2> >(grep -v "is ignored: it is neither" >&2)
step "installed the wheel and its dependencies into a fresh virtual environment"
cd "$work"  # away from the checkout: only the installed package can be imported
# TensorFlow logs to stderr on import whatever TF_CPP_MIN_LOG_LEVEL says: keep it for failures only.
run() { "$@" 2>"$work/stderr.log" || { cat "$work/stderr.log"; return 1; }; }
run "$work/venv/bin/python" -c "
import kerasgan, kerasgan.manifest as m
assert 'site-packages' in kerasgan.__file__, f'kerasgan came from {kerasgan.__file__}, not the installed wheel'
assert m.checkout_root() is None and m.find_manifest().parent.name == 'kerasgan', m.find_manifest()"
KERASGAN_MIRROR="$repo/hub" run "$work/venv/bin/kerasgan" sample mnist-gan -n 4 --seed 0 -o "$work/samples.png"
"$work/venv/bin/python" -c "
from PIL import Image
size = Image.open('$work/samples.png').size
assert size == (62, 62), f'samples.png is {size}, expected a 2x2 grid of 28x28 images (62x62)'
"
step "the installed kerasgan sampled mnist-gan from hub/ (KERASGAN_MIRROR)"
