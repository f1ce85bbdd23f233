"""kerasgan: a Keras 3 model zoo of Generative Adversarial Networks."""

__version__ = "0.1.0"

from kerasgan.images import make_grid, save_grid
from kerasgan.models import CGAN, DCGAN, GAN, LSGAN, VARIANTS, WGAN, WGANGP, BaseGAN
from kerasgan.presets import from_pretrained

__all__ = ["BaseGAN", "GAN", "DCGAN", "WGAN", "WGANGP", "LSGAN", "CGAN", "VARIANTS", "make_grid", "save_grid", "from_pretrained"]
