#!/usr/bin/env bash
# Fills .gpu/ (ignored by git) with what scripts/train_on_gpu.sh needs on the GPU machine: the
# wheels it lacks (Keras, namex, optree for its Python 3.12) and the recipes' data, within the
# device's 64 MiB a call.   bash scripts/pack_gpu_call.sh DATASETS_DIR FOLDER [FOLDER ...]
# cats/128 (52 MB of JPEG at quality 95) is re-encoded at quality 85 (3.3 grey levels of mean
# difference) with the same file names, so the held-out split stays the same.
set -euo pipefail
cd "$(dirname "$0")/.."
src=$1; shift
grep -qx '/.gpu/' .git/info/exclude 2>/dev/null || echo '/.gpu/' >> .git/info/exclude
mkdir -p .gpu/wheels .gpu/datasets
keras_version=$(.venv/bin/python -c 'import keras; print(keras.__version__)')
python3 -m pip download -q --no-deps --only-binary=:all: --python-version 3.12 --implementation cp \
  --platform manylinux_2_28_x86_64 --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64 \
  -d .gpu/wheels "keras==$keras_version" namex optree
for folder in "$@"; do
  rm -rf ".gpu/datasets/$folder"; mkdir -p ".gpu/datasets/$folder"
  .venv/bin/python - "$src/$folder" ".gpu/datasets/$folder" <<'PY'
import sys
from pathlib import Path
from PIL import Image
src, dst = Path(sys.argv[1]), Path(sys.argv[2])
files = [f for f in sorted(src.iterdir()) if f.suffix.lower() in (".jpg", ".jpeg", ".png")]
large = sum(f.stat().st_size for f in files) > 20e6  # only a large folder is re-encoded
for f in files:
    if large and f.suffix.lower() in (".jpg", ".jpeg"):
        with Image.open(f) as img:
            img.convert("RGB").save(dst / f.name, "JPEG", quality=85)
    else:
        (dst / f.name).write_bytes(f.read_bytes())
PY
done
du -sh .gpu/wheels .gpu/datasets/*
