"""Adversarial losses and the gradient penalty, written once in `keras.ops`.

Discriminator outputs are unbounded scores: logits for the minimax game, raw values for
least squares and Wasserstein.
"""

from keras import ops


def minimax_discriminator_loss(real_logits, fake_logits):
    """-E[log D(x)] - E[log(1 - D(G(z)))], with D = sigmoid(logits), computed stably."""
    return ops.mean(ops.softplus(-real_logits)) + ops.mean(ops.softplus(fake_logits))


def minimax_generator_loss(fake_logits):
    """The non-saturating generator loss -E[log D(G(z))] (Goodfellow et al., section 3)."""
    return ops.mean(ops.softplus(-fake_logits))


def least_squares_discriminator_loss(real_scores, fake_scores, a=0.0, b=1.0):
    """LSGAN (Mao et al.): 1/2 E[(D(x) - b)^2] + 1/2 E[(D(G(z)) - a)^2]."""
    return 0.5 * ops.mean(ops.square(real_scores - b)) + 0.5 * ops.mean(ops.square(fake_scores - a))


def least_squares_generator_loss(fake_scores, c=1.0):
    """LSGAN: 1/2 E[(D(G(z)) - c)^2]."""
    return 0.5 * ops.mean(ops.square(fake_scores - c))


def wasserstein_critic_loss(real_scores, fake_scores):
    """WGAN critic: E[D(G(z))] - E[D(x)], the negative of the Wasserstein-1 estimate."""
    return ops.mean(fake_scores) - ops.mean(real_scores)


def wasserstein_generator_loss(fake_scores):
    """WGAN generator: -E[D(G(z))]."""
    return -ops.mean(fake_scores)


def gradient_penalty(input_gradients, weight=10.0):
    """WGAN-GP (Gulrajani et al.): weight * E[(||grad_x D(x_hat)||_2 - 1)^2], per sample."""
    axes = tuple(range(1, len(input_gradients.shape)))
    squared = ops.sum(ops.square(ops.cast(input_gradients, "float32")), axis=axes)
    norms = ops.sqrt(squared + 1e-12)  # the epsilon keeps the gradient finite at a zero norm
    return weight * ops.mean(ops.square(norms - 1.0))
