"""TensorFlow: GradientTape, nested for the gradient penalty; XLA with a fallback;
`tf.distribute` replicas.

Under a `tf.distribute` strategy (MirroredStrategy, MultiWorkerMirroredStrategy) the step runs
once per replica on its slice of the global batch, and Keras' optimizer sums the replicas'
gradients. Two things make N replicas compute what one device would on the whole batch:
each replica's loss is divided by the replica count (the sum of per-replica means is then the
global mean), and random draws are made for the global batch and sliced (`replica_rows`), as
every replica reads the same seed state.
"""

import warnings

import tensorflow as tf

from keras.ops import conv, conv_transpose  # noqa: F401  (TensorFlow's own are fast)


class TrainerMixin:
    def train_step(self, data):
        logs = self._train_step(data)
        if _multi_worker():
            # Keras reduces each log over the workers with strategy.reduce(MEAN, axis=0), which
            # fails on scalars; the metrics are already global, so one-element logs lose nothing.
            logs = {name: tf.reshape(value, (1,)) for name, value in logs.items()}
        return logs

    def make_train_function(self, force=False):
        if self.train_function is not None and not force:
            return self.train_function
        super().make_train_function(force)
        if self.jit_compile:
            self.train_function = self._xla_or_fallback(self.train_function)
        return self.train_function

    def _xla_or_fallback(self, xla_function):
        """The XLA-compiled step, or, when XLA cannot compile it (an op XLA lacks, in a
        custom network say), the same step without XLA and a warning that says why."""

        def first_call(iterator):
            try:
                outputs = xla_function(iterator)
            except (tf.errors.InvalidArgumentError, tf.errors.UnimplementedError) as error:
                if "XLA" not in str(error) and "jit" not in str(error).lower():
                    raise
                reason = str(error).strip().splitlines()[0][:300]
                warnings.warn(
                    f"{type(self).__name__}'s training step does not compile with XLA, so it trains without "
                    f"(jit_compile=False) and skips the batch XLA failed on; XLA said: {reason}",
                    stacklevel=2,
                )
                self.jit_compile = False
                super(TrainerMixin, self).make_train_function(force=True)
                return self.train_function(iterator)
            self.train_function = xla_function  # compiled: no more checks
            return outputs

        return first_call

    def _loss_and_gradients(self, loss_fn, variables, optimizer):
        with tf.GradientTape() as tape:
            loss, aux = loss_fn()
            scaled = optimizer.scale_loss(loss) / _replica_count()
        return loss, aux, tape.gradient(scaled, variables)

    def _forward_and_pullback(self, forward_fn, variables):
        with tf.GradientTape() as tape:
            outputs = forward_fn()
        return outputs, lambda cotangent: tape.gradient(outputs, variables, output_gradients=cotangent)

    def _loss_and_input_gradient(self, loss_fn, x, optimizer):
        with tf.GradientTape() as tape:
            tape.watch(x)
            loss, aux = loss_fn(x)
            scaled = optimizer.scale_loss(loss) / _replica_count()  # as in _loss_and_gradients
        return loss, aux, tape.gradient(scaled, x)

    def _apply_gradients(self, optimizer, grads, variables):
        optimizer.apply(grads, variables)  # sums the replicas' gradients under tf.distribute


def _multi_worker():
    strategy = tf.distribute.get_strategy()
    return isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy) and strategy.extended._in_multi_worker_mode()


def _replica_count():
    return tf.distribute.get_strategy().num_replicas_in_sync


def replica_rows(draw, batch_size):
    """`draw(n)` gives n random rows from the shared seed state; this replica's rows of the
    draw for the whole global batch, so replicas get different rows and together the same
    ones as one device. The replicas' batch sizes are gathered, as the last batch may split
    unevenly."""
    context = tf.distribute.get_replica_context()
    if context is None or context.num_replicas_in_sync == 1:
        return draw(batch_size)
    sizes = context.all_gather(tf.reshape(tf.cast(batch_size, "int32"), (1,)), axis=0)
    start = tf.reduce_sum(sizes[: context.replica_id_in_sync_group])
    return draw(tf.reduce_sum(sizes))[start : start + batch_size]


# mixed_float16: both optimizers wrapped in LossScaleOptimizer (tests/test_models.py)
LOSS_SCALING = True


def check_bfloat16_training(networks):
    """TensorFlow trains every layer in bfloat16: nothing to refuse."""


def input_gradients(fn, x):
    # Runs inside the outer tape, which records this tape's work: second-order gradients.
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.reduce_sum(fn(x))
    return tape.gradient(y, x)


# Keras' BatchNormalization as it is: Grappler's remapper fuses it already (a fused-kernel
# version measured the same, benchmarks/RESULTS.md)
batch_norm = None
