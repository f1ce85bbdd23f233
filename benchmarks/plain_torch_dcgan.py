"""A plain PyTorch DCGAN-64 training step: the reference kerasgan's step is measured against.

The same networks, initialisation, losses and optimizer settings as kerasgan's
`DCGAN(image_size=64, channels=3)`, written the way PyTorch's DCGAN example writes them:
one generator forward pass per step, D trained on the detached fakes, G's loss on D's
scores of the same fakes after D's update. Channels-first, as PyTorch prefers.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

LATENT_DIM = 100


def _batch_norm(channels):
    # Keras' BatchNormalization(momentum=0.9, epsilon=1e-5) is PyTorch's momentum 0.1
    return nn.BatchNorm2d(channels, eps=1e-5, momentum=0.1)


class Generator(nn.Module):
    """z -> 4x4x512 projection -> BN ReLU -> transposed convs 256, 128, 64 -> 3, tanh."""

    def __init__(self, latent_dim=LATENT_DIM, channels=3, filters=64):
        super().__init__()
        width = filters * 8
        self.width = width
        self.project = nn.Linear(latent_dim, 4 * 4 * width, bias=False)
        self.project_norm = _batch_norm(width)
        blocks = []
        for _ in range(3):
            blocks += [nn.ConvTranspose2d(width, width // 2, 4, 2, 1, bias=False), _batch_norm(width // 2), nn.ReLU(True)]
            width //= 2
        blocks += [nn.ConvTranspose2d(width, channels, 4, 2, 1), nn.Tanh()]
        self.up = nn.Sequential(*blocks)

    def forward(self, z):
        # Keras reshapes (N, 4*4*C) as (N, 4, 4, C): channels last, so permute to NCHW
        x = self.project(z).view(-1, 4, 4, self.width).permute(0, 3, 1, 2)
        return self.up(F.relu(self.project_norm(x)))


class Discriminator(nn.Module):
    """Strided convs 64 -> 128 -> 256 -> 512 (BN after all but the first), LeakyReLU(0.2),
    then a 4x4 valid conv to one logit."""

    def __init__(self, channels=3, filters=64):
        super().__init__()
        layers, width, previous = [], filters, channels
        for i in range(4):
            layers.append(nn.Conv2d(previous, width, 4, 2, 1))
            if i > 0:
                layers.append(_batch_norm(width))
            layers.append(nn.LeakyReLU(0.2, True))
            previous, width = width, width * 2
        layers.append(nn.Conv2d(previous, 1, 4, 1, 0))
        self.net = nn.Sequential(*layers)

    def forward(self, x):
        return self.net(x).flatten(1)


def _init_weights(module):
    """Radford et al.: N(0, 0.02) weights, BN gamma N(1, 0.02), zero biases (as kerasgan)."""
    if isinstance(module, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)):
        nn.init.normal_(module.weight, 0.0, 0.02)
        if module.bias is not None:
            nn.init.zeros_(module.bias)
    elif isinstance(module, nn.BatchNorm2d):
        nn.init.normal_(module.weight, 1.0, 0.02)
        nn.init.zeros_(module.bias)


class PlainDCGAN:
    """Two networks, two Adams (D lr 5e-5, G lr 2e-4, beta_1 0.5, Keras' epsilon 1e-7)."""

    def __init__(self, device, dtype=torch.float32, seed=0):
        torch.manual_seed(seed)
        self.device = device
        self.generator = Generator().to(device).apply(_init_weights)
        self.discriminator = Discriminator().to(device).apply(_init_weights)
        self.d_optimizer = torch.optim.Adam(self.discriminator.parameters(), 5e-5, betas=(0.5, 0.999), eps=1e-7)
        self.g_optimizer = torch.optim.Adam(self.generator.parameters(), 2e-4, betas=(0.5, 0.999), eps=1e-7)
        self.autocast = torch.autocast(device.type, dtype=dtype, enabled=dtype != torch.float32)

    def train_step(self, real):
        """One D update and one G update on one real batch (N, 3, 64, 64) in [-1, 1]."""
        z = torch.randn(real.shape[0], LATENT_DIM, device=self.device)
        with self.autocast:
            fake = self.generator(z)
            d_loss = F.softplus(-self.discriminator(real)).mean() + F.softplus(self.discriminator(fake.detach())).mean()
        self.d_optimizer.zero_grad(set_to_none=True)
        d_loss.backward()
        self.d_optimizer.step()
        with self.autocast:
            g_loss = F.softplus(-self.discriminator(fake)).mean()
        self.g_optimizer.zero_grad(set_to_none=True)
        g_loss.backward()
        self.g_optimizer.step()
        return d_loss, g_loss
