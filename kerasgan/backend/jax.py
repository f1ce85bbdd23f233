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
from keras.ops import conv  # noqa: F401  (XLA's own is fast)


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
        def scaled_loss(values):
            loss, aux = loss_fn()
            return optimizer.scale_loss(loss), (loss, aux)

        pure, every = self._pure(scaled_loss, variables)
        values = [self._jax_scope.get_current_value(v) for v in variables]
        (_, ((loss, aux), updates)), grads = jax.value_and_grad(pure, has_aux=True)(values)
        self._carry_updates(every, updates, variables)
        return loss, aux, grads

    def _forward_and_pullback(self, forward_fn, variables):
        pure, every = self._pure(lambda values: (forward_fn(), None), variables)
        values = [self._jax_scope.get_current_value(v) for v in variables]
        outputs, vjp, (_, updates) = jax.vjp(pure, values, has_aux=True)
        self._carry_updates(every, updates, variables)
        return outputs, lambda cotangent: vjp(cotangent)[0]

    def _loss_and_input_gradient(self, loss_fn, x, optimizer):
        def scaled_loss(x_):
            loss, aux = loss_fn(x_)
            return optimizer.scale_loss(loss), (loss, aux)

        pure, every = self._pure(scaled_loss, [])
        (_, ((loss, aux), updates)), grad = jax.value_and_grad(pure, has_aux=True)(x)
        self._carry_updates(every, updates, [])
        return loss, aux, grad

    def _apply_gradients(self, optimizer, grads, variables):
        """`optimizer.stateless_apply` on the step's current values, its results assigned back.
        Keras' JAX trainer updates this way; the stateful `apply` of `LossScaleOptimizer`
        assigns inside `ops.cond` branches, whose tracers would escape this jitted step."""
        current = self._jax_scope.get_current_value
        new_values, new_slots = optimizer.stateless_apply(
            [current(v) for v in optimizer.variables], grads, [current(v) for v in variables]
        )
        for variable, value in zip([*variables, *optimizer.variables], [*new_values, *new_slots]):
            variable.assign(value)

    def _pure(self, fn, variables):
        """`fn(arg)` as a pure function of `arg`, and the model's variables in the order of
        its updates. `variables` take their values from `arg` (one value each), every other
        variable its current value in the step. For `fn`'s `(first, rest)` the function
        returns `(first, (rest, updates))`, `updates` being every variable's value after the
        call (BatchNorm statistics, the seed generator's state)."""
        outer = self._jax_scope
        if outer is None:
            raise RuntimeError("The JAX gradient step runs only inside `train_step`.")
        every = [v for group in _state_groups(self) for v in group]

        def pure(arg):
            mapping = [(v, outer.get_current_value(v)) for v in every]
            if variables:
                mapping += list(zip(variables, arg))  # later pairs win
            with keras.StatelessScope(state_mapping=mapping) as inner:
                first, rest = fn(arg)
            return first, (rest, [inner.get_current_value(v) for v in every])

        return pure, every

    def _carry_updates(self, every, updates, differentiated):
        """Carries a forward pass's own updates outward, all but the differentiated variables."""
        skip = {id(v) for v in differentiated}
        for v, value in zip(every, updates):
            if id(v) not in skip:
                self._jax_scope.add_update((v, value))


def _current(scope, variable, old):
    value = scope.get_current_value(variable)
    return old if value is None else value


def input_gradients(fn, x):
    return jax.grad(lambda x_: jnp.sum(fn(x_)))(x)


# mixed_float16: both optimizers wrapped in LossScaleOptimizer, applied statelessly (_apply_gradients)
LOSS_SCALING = True


def check_bfloat16_training(networks):
    """XLA trains every layer in bfloat16: nothing to refuse."""


def replica_rows(draw, batch_size):
    """`draw(batch_size)`: one program over the global batch (DataParallel shards it), so a draw is already global."""
    return draw(batch_size)


def conv_transpose(inputs, kernel, **options):
    """`keras.ops.conv_transpose` with a faster kernel gradient on XLA's CPU.

    XLA's CPU backend has no fast path for the kernel gradient JAX derives for a transposed
    convolution (a convolution with input dilation): ~40x the forward pass at DCGAN-64's sizes
    (benchmarks/conv_layers.py). The same gradient, by bilinearity, is the kernel gradient of
    the input gradient, a plain strided convolution, which XLA runs fast everywhere.
    """

    def forward(x, k):
        return keras.ops.conv_transpose(x, k, **options)

    @jax.custom_vjp
    def transposed(x, k):
        return forward(x, k)

    def transposed_forward(x, k):
        return forward(x, k), (x, k)

    def transposed_backward(residuals, cotangent):
        x, k = residuals
        # <forward(x, k), cotangent> = <x, input_gradient(k)>: differentiate that in k.
        input_gradient = lambda k_: jax.vjp(lambda x_: forward(x_, k_), x)[1](cotangent)[0]  # noqa: E731
        x_gradient, pullback = jax.vjp(input_gradient, k)
        return x_gradient, pullback(x)[0]

    transposed.defvjp(transposed_forward, transposed_backward)
    return transposed(keras.ops.convert_to_tensor(inputs), keras.ops.convert_to_tensor(kernel))


batch_norm = None  # XLA fuses Keras' BatchNormalization already
