"""PyTorch: autograd, with create_graph=True for the gradient penalty."""

import torch

from keras.ops import conv_transpose  # noqa: F401  (PyTorch's own gradient is fast)


class TrainerMixin:
    def train_step(self, data):
        return self._train_step(data)

    def _loss_and_gradients(self, loss_fn, variables, optimizer):
        loss, aux = loss_fn()
        scaled = optimizer.scale_loss(loss)
        # autograd.grad, not backward(): only `variables` get gradients, nothing accumulates
        # in the other player's .grad.
        return loss, aux, _gradients(scaled, variables)

    def _forward_and_pullback(self, forward_fn, variables):
        outputs = forward_fn()  # autograd keeps its graph until the pullback runs
        return outputs, lambda cotangent: _gradients(outputs, variables, cotangent)

    def _loss_and_input_gradient(self, loss_fn, x, optimizer):
        x = x.detach().requires_grad_(True)
        loss, aux = loss_fn(x)
        (grad,) = torch.autograd.grad(optimizer.scale_loss(loss), x)
        return loss, aux, grad


def _gradients(outputs, variables, cotangent=None):
    grads = torch.autograd.grad(outputs, [v.value for v in variables], grad_outputs=cotangent, allow_unused=True)
    return [torch.zeros_like(v.value) if g is None else g for g, v in zip(grads, variables)]


def input_gradients(fn, x):
    x = x.detach().requires_grad_(True)
    (grad,) = torch.autograd.grad(fn(x).sum(), x, create_graph=True)
    return grad


def replica_rows(draw, batch_size):
    """`draw(batch_size)`: no replicas (Keras has no distribution API on torch)."""
    return draw(batch_size)
