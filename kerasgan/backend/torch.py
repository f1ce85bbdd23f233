"""PyTorch: autograd, with create_graph=True for the gradient penalty; convolutions on NHWC
tensors without layout copies."""

import functools

import keras
import torch
import torch.nn.functional as tnn

from kerasgan.errors import InvalidArgumentError

# mixed_float16 needs LossScaleOptimizer, untried with this step on CUDA, and on the CPU torch
# 2.13's float16 convolutions cannot backpropagate ("slow_conv2d: grad_weight must be
# contiguous"); mixed_bfloat16, which needs no loss scaling, is the mixed precision here.
LOSS_SCALING = False


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

    def _apply_gradients(self, optimizer, grads, variables):
        optimizer.apply(grads, variables)


def _gradients(outputs, variables, cotangent=None):
    grads = torch.autograd.grad(outputs, [v.value for v in variables], grad_outputs=cotangent, allow_unused=True)
    return [torch.zeros_like(v.value) if g is None else g for g, v in zip(grads, variables)]


def input_gradients(fn, x):
    x = x.detach().requires_grad_(True)
    (grad,) = torch.autograd.grad(fn(x).sum(), x, create_graph=True)
    return grad


def check_bfloat16_training(networks):
    """Refuses mixed_bfloat16 training with convolutions where this torch cannot backpropagate
    them on the CPU (older builds raise 'grad_weight must be contiguous' mid-step)."""
    has_conv = any(isinstance(layer, keras.layers.Conv2D | keras.layers.Conv2DTranspose)
                   for net in networks for layer in net.layers)
    error = None if torch.cuda.is_available() or not has_conv else _bfloat16_cpu_convolution_error()
    if error is not None:
        raise InvalidArgumentError(
            f"PyTorch {torch.__version__}'s CPU convolutions cannot backpropagate in bfloat16 (torch says: {error}); "
            "train this model in float32 on the CPU, or on the tensorflow or jax backend.")


@functools.cache
def _bfloat16_cpu_convolution_error() -> str | None:
    """Asks torch itself, once, on a tiny bfloat16 batch: both convolutions, forward and backward,
    as Keras calls them (contiguous NCHW input, permuted kernel view) and as `conv` does (NHWC
    seen as channels_last NCHW, channels_last kernel). None when they work, else torch's error."""
    try:
        for keras_layout in (True, False):
            x = torch.ones(2, 4, 4, 3, dtype=torch.bfloat16).permute(0, 3, 1, 2)
            kernel = torch.ones(3, 3, 3, 5, dtype=torch.bfloat16).permute(3, 2, 0, 1)
            if keras_layout:
                x = x.contiguous()
            else:
                kernel = kernel.contiguous(memory_format=torch.channels_last)
            x, kernel = x.detach().requires_grad_(True), kernel.detach().requires_grad_(True)
            y = tnn.conv2d(x, kernel, stride=2, padding=1)
            tnn.conv_transpose2d(y, kernel, stride=2, padding=1).sum().backward()
    except RuntimeError as error:
        return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return None


def replica_rows(draw, batch_size):
    """`draw(batch_size)`: no replicas (Keras has no distribution API on torch)."""
    return draw(batch_size)


# Keras' torch convolutions copy an NHWC input twice per call (permuted to contiguous NCHW, then
# back to channels_last memory); the copies cost a DCGAN step on the CPU about a tenth of its time
# (benchmarks/RESULTS.md). An NHWC tensor permuted to NCHW is already a channels_last tensor to
# torch, which convolves it as it lies. Only the (small) kernel is copied. Cases outside a GAN's
# convolutions (dilation, channels_first, padding torch cannot express) go to Keras.
def _pair(value):
    return tuple(value) if isinstance(value, (list, tuple)) else (value, value)


def _plain_2d(inputs, data_format, dilation_rate):
    layout = data_format or keras.config.image_data_format()
    return len(inputs.shape) == 4 and layout == "channels_last" and _pair(dilation_rate) == (1, 1)


def _as_nchw(x):
    return keras.ops.convert_to_tensor(x).permute(0, 3, 1, 2)


def _channels_last_kernel(kernel):
    """Keras' (h, w, a, b) kernel as torch's (b, a, h, w) in channels_last memory, like the input."""
    return keras.ops.convert_to_tensor(kernel).permute(3, 2, 0, 1).contiguous(memory_format=torch.channels_last)


def conv(inputs, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1):
    if not _plain_2d(inputs, data_format, dilation_rate) or inputs.shape[-1] != kernel.shape[2]:  # groups
        return keras.ops.conv(inputs, kernel, strides, padding, data_format, dilation_rate)
    x, k, strides = _as_nchw(inputs), _channels_last_kernel(kernel), _pair(strides)
    pad = (0, 0)
    if padding == "same":  # TensorFlow's rule: the odd pixel goes after
        sides = []
        for size, width, stride in zip(x.shape[2:], k.shape[2:], strides):
            total = max(0, (-(-size // stride) - 1) * stride + width - size)
            sides.append((total // 2, total - total // 2))
        if all(before == after for before, after in sides):
            pad = tuple(before for before, _ in sides)
        else:
            x = tnn.pad(x, (*sides[1], *sides[0]))
    return tnn.conv2d(x, k, stride=strides, padding=pad).permute(0, 2, 3, 1)


def conv_transpose(inputs, kernel, strides=1, padding="valid", output_padding=None, data_format=None,
                   dilation_rate=1):
    """`keras.ops.conv_transpose`; torch's own gradient is fast, only the layout is spared."""
    strides, kernel_size = _pair(strides), tuple(kernel.shape[:2])
    # Keras' "same" keeps size * stride, "valid" (size - 1) * stride + kernel: torch's output with
    # (kernel - stride) / 2 cropped from each side, or nothing. Uneven crops go to Keras.
    crops = [(k - s) // 2 if padding == "same" else 0 for k, s in zip(kernel_size, strides)]
    even = all(k >= s and (padding != "same" or (k - s) % 2 == 0) for k, s in zip(kernel_size, strides))
    if output_padding is not None or not even or not _plain_2d(inputs, data_format, dilation_rate):
        return keras.ops.conv_transpose(inputs, kernel, strides, padding, output_padding, data_format,
                                        dilation_rate)
    x, k = _as_nchw(inputs), _channels_last_kernel(kernel)
    return tnn.conv_transpose2d(x, k, stride=strides, padding=tuple(crops)).permute(0, 2, 3, 1)


def batch_norm(inputs, gamma, beta, epsilon):
    """A training batch normalised over every axis but the last, in torch's fused kernel (Keras
    composes it of about ten elementwise ops, each with its own backward pass): the outputs, and
    the batch's mean and (biased) variance for the moving statistics."""
    x = inputs.permute(0, 3, 1, 2) if inputs.ndim == 4 else inputs  # NHWC as channels_last NCHW
    gamma, beta = (None if v is None else keras.ops.convert_to_tensor(v) for v in (gamma, beta))
    outputs, mean, inverse_std = torch.native_batch_norm(x, gamma, beta, None, None, True, 0.0, epsilon)
    variance = inverse_std.detach().pow(-2) - epsilon
    return (outputs.permute(0, 2, 3, 1) if inputs.ndim == 4 else outputs), mean.detach(), variance
