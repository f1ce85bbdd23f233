# Sourced on the GPU machine (JAX and PyTorch with CUDA, no Keras, no TensorFlow): installs the
# wheels carried in .gpu/wheels where Keras is missing, and sets the environment for training
# several runs side by side on the one GPU with the JAX backend.
py=${PYTHON:-python3}
export KERAS_BACKEND=${KERAS_BACKEND:-jax}
if ! "$py" -c "import keras" 2>/dev/null; then
  "$py" -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .gpu/wheels/*.whl || return 1
fi
export PYTHONPATH="/tmp/site:$PWD${PYTHONPATH:+:$PYTHONPATH}"
export XLA_PYTHON_CLIENT_PREALLOCATE=false PYTHONUNBUFFERED=1 TF_CPP_MIN_LOG_LEVEL=2
