"""The GAN variants; one module each."""

from kerasgan.models.base import BaseGAN
from kerasgan.models.cgan import CGAN
from kerasgan.models.dcgan import DCGAN
from kerasgan.models.gan import GAN
from kerasgan.models.lsgan import LSGAN
from kerasgan.models.wgan import WGAN, WGANGP

from kerasgan.registry import variants

VARIANTS = variants()  # class name -> class, as presets and recipes name them

__all__ = ["BaseGAN", "GAN", "DCGAN", "WGAN", "WGANGP", "LSGAN", "CGAN", "VARIANTS"]
