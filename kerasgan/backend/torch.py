"""PyTorch: autograd, with create_graph=True for the gradient penalty."""

import torch


class TrainerMixin:
    def train_step(self, data):
        return self._train_step(data)

    def _loss_and_gradients(self, loss_fn, variables, optimizer):
        loss, aux = loss_fn()
        scaled = optimizer.scale_loss(loss)
        # autograd.grad, not backward(): only `variables` get gradients, nothing accumulates
        # in the other player's .grad.
        grads = torch.autograd.grad(scaled, [v.value for v in variables], allow_unused=True)
        grads = [torch.zeros_like(v.value) if g is None else g for g, v in zip(grads, variables)]
        return loss, aux, grads


def input_gradients(fn, x):
    x = x.detach().requires_grad_(True)
    (grad,) = torch.autograd.grad(fn(x).sum(), x, create_graph=True)
    return grad


def replica_rows(draw, batch_size):
    """`draw(batch_size)`: no replicas (Keras has no distribution API on torch)."""
    return draw(batch_size)
