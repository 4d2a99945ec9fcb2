"""A cheap preview of a diffusion step: latents to RGB by one linear map, no VAE.

The four SD 1.x latent channels are close to a linear function of the decoded colour;
these factors are the widely used approximation (as in AUTOMATIC1111's "Approx cheap"
live preview). It costs microseconds, so every step can show one.
"""

from __future__ import annotations

import numpy as np
import torch
from PIL import Image

SD15_LATENT_RGB_FACTORS = torch.tensor([
    # R       G       B
    [0.298, 0.207, 0.208],   # latent channel 0
    [0.187, 0.286, 0.173],   # latent channel 1
    [-0.158, 0.189, 0.264],  # latent channel 2
    [-0.184, -0.271, -0.473],  # latent channel 3
])


def latents_to_preview(latents: torch.Tensor) -> Image.Image:
    """The first image of a (batch, 4, h, w) latent batch as an h x w RGB preview."""
    first = latents[0].detach().float().cpu()
    rgb = torch.einsum("chw,cr->hwr", first, SD15_LATENT_RGB_FACTORS)
    pixels = ((rgb + 1.0) * 127.5).clamp(0, 255).to(torch.uint8).numpy()
    return Image.fromarray(np.ascontiguousarray(pixels), "RGB")
