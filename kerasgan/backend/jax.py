"""JAX: value_and_grad over the model's state, threaded through a StatelessScope.

Keras' JAX trainer passes the state in and expects it back: (trainable, non-trainable,
optimizer, metrics) values. The GAN's training logic is written once, in stateful style
(`optimizer.apply`, `variable.assign`, metric updates); here it runs inside a
`keras.StatelessScope` that maps every variable to its current value and records every
assignment, so the same code is a pure function under `jax.jit`. The optimizer slot of the
state holds both optimizers' variables (see `OptimizerPair`), and the seed generator's
state is a non-trainable variable, so it is threaded too.
"""

import jax
import jax.numpy as jnp
import keras


def _state_groups(model):
    return (
        model.trainable_variables,
        model.non_trainable_variables,
        model.optimizer.variables,
        model.metrics_variables,
    )


class TrainerMixin:
    _jax_scope = None

    def train_step(self, state, data):
        groups = _state_groups(self)
        mapping = [pair for variables, values in zip(groups, state) for pair in zip(variables, values)]
        with keras.StatelessScope(state_mapping=mapping) as scope:
            self._jax_scope = scope
            try:
                logs = self._train_step(data)
            finally:
                self._jax_scope = None
        new_state = tuple(
            [_current(scope, v, old) for v, old in zip(variables, values)]
            for variables, values in zip(groups, state)
        )
        return logs, new_state

    def _loss_and_gradients(self, loss_fn, variables, optimizer):
        outer = self._jax_scope
        if outer is None:
            raise RuntimeError("The JAX gradient step runs only inside `train_step`.")
        every = [v for group in _state_groups(self) for v in group]
        differentiated = {id(v) for v in variables}

        def scaled_loss(values):
            mapping = [(v, outer.get_current_value(v)) for v in every]
            mapping += list(zip(variables, values))  # later pairs win
            with keras.StatelessScope(state_mapping=mapping) as inner:
                loss, aux = loss_fn()
                scaled = optimizer.scale_loss(loss)
            return scaled, (loss, aux, [inner.get_current_value(v) for v in every])

        values = [outer.get_current_value(v) for v in variables]
        (_, (loss, aux, updates)), grads = jax.value_and_grad(scaled_loss, has_aux=True)(values)
        # Carry the forward pass's own updates (BatchNorm statistics, seed state) outward.
        for v, value in zip(every, updates):
            if id(v) not in differentiated:
                outer.add_update((v, value))
        return loss, aux, grads


def _current(scope, variable, old):
    value = scope.get_current_value(variable)
    return old if value is None else value


def input_gradients(fn, x):
    return jax.grad(lambda x_: jnp.sum(fn(x_)))(x)


def replica_rows(draw, batch_size):
    """`draw(batch_size)`: one program over the global batch (DataParallel shards it), so a draw is already global."""
    return draw(batch_size)
