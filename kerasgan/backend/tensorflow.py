"""TensorFlow: GradientTape, nested for the gradient penalty."""

import tensorflow as tf


class TrainerMixin:
    def train_step(self, data):
        return self._train_step(data)

    def _loss_and_gradients(self, loss_fn, variables, optimizer):
        with tf.GradientTape() as tape:
            loss, aux = loss_fn()
            scaled = optimizer.scale_loss(loss)
        return loss, aux, tape.gradient(scaled, variables)

    def _forward_and_pullback(self, forward_fn, variables):
        with tf.GradientTape() as tape:
            outputs = forward_fn()
        return outputs, lambda cotangent: tape.gradient(outputs, variables, output_gradients=cotangent)

    def _loss_and_input_gradient(self, loss_fn, x, optimizer):
        with tf.GradientTape() as tape:
            tape.watch(x)
            loss, aux = loss_fn(x)
            scaled = optimizer.scale_loss(loss)
        return loss, aux, tape.gradient(scaled, x)


def input_gradients(fn, x):
    # Runs inside the outer tape, which records this tape's work: second-order gradients.
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.reduce_sum(fn(x))
    return tape.gradient(y, x)
