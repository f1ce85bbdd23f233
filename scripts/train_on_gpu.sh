#!/usr/bin/env bash
# One device call that trains several zoo recipes side by side on one GPU (JAX backend).
#
#   bash scripts/train_on_gpu.sh SECONDS RUN [RUN ...]      RUN = recipe[@name][+option=value...]
#   e.g. bash scripts/train_on_gpu.sh 420 cats128 roses64 roses64@roses64-noaug+diff_augment=
#
# The GPU machine has JAX and PyTorch with CUDA but neither Keras nor TensorFlow: the Keras,
# namex and optree wheels travel in .gpu/wheels (scripts/pack_gpu_call.sh puts them there, with
# the data in .gpu/datasets). Each run writes $OUT/<name>.tar (float16 preset, log, grids, facts;
# a run named *-noaug leaves its weights out, it is only compared); all print to $OUT/train.log. A run whose folder was
# carried back in .gpu/runs/<name> goes on from its weights. DATA and RUNS move those two folders.
set -uo pipefail
cd "$(dirname "$0")/.."
seconds=$1; shift
out=${OUT:-runs/gpu}; data=${DATA:-.gpu/datasets}; runs=${RUNS:-.gpu/runs}
mkdir -p "$out" "$runs"
source scripts/gpu_env.sh || exit 1
nvidia-smi --query-gpu=name,memory.total --format=csv,noheader || true
pids=()
for run in "$@"; do
  spec=${run%%+*}; recipe=${spec%%@*}; name=${spec#*@}
  sets=(); rest=${run#"$spec"}
  IFS='+' read -ra opts <<< "${rest#+}"
  for o in "${opts[@]}"; do [ -n "$o" ] && sets+=(--set "$o"); done
  extra=(); [[ $name == *-noaug ]] && extra=(--no-preset-in-tar)
  "$py" scripts/train_run.py "$recipe" --name "$name" --data "$data" --out "$runs/$name" \
    --seconds "$seconds" --tar "$out/$name.tar" "${sets[@]}" "${extra[@]}" >> "$out/train.log" 2>&1 &
  pids+=($!)
done
status=0
for pid in "${pids[@]}"; do wait "$pid" || status=1; done
grep -e "done:" -e "Error" -e "warning" "$out/train.log"
exit $status
