"""TensorFlow: GradientTape, nested for the gradient penalty; `tf.distribute` replicas.

Under a `tf.distribute` strategy (MirroredStrategy, MultiWorkerMirroredStrategy) the step runs
once per replica on its slice of the global batch, and Keras' optimizer sums the replicas'
gradients. Two things make N replicas compute what one device would on the whole batch:
each replica's loss is divided by the replica count (the sum of per-replica means is then the
global mean), and random draws are made for the global batch and sliced (`replica_rows`), as
every replica reads the same seed state.
"""

import tensorflow as tf


class TrainerMixin:
    def train_step(self, data):
        logs = self._train_step(data)
        if _multi_worker():
            # Keras reduces each log over the workers with strategy.reduce(MEAN, axis=0), which
            # fails on scalars; the metrics are already global, so one-element logs lose nothing.
            logs = {name: tf.reshape(value, (1,)) for name, value in logs.items()}
        return logs

    def _loss_and_gradients(self, loss_fn, variables, optimizer):
        with tf.GradientTape() as tape:
            loss, aux = loss_fn()
            scaled = optimizer.scale_loss(loss) / _replica_count()
        return loss, aux, tape.gradient(scaled, variables)


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


def input_gradients(fn, x):
    # Runs inside the outer tape, which records this tape's work: second-order gradients.
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.reduce_sum(fn(x))
    return tape.gradient(y, x)
