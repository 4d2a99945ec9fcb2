"""The picture being painted and the pen that draws on it.

Rendering has two stages. Soft layers (washes, glows, fog) are drawn at half the output
size and blurred; every blur also softens what lies beneath, which gives depth. Crisp
shapes are then drawn on a 2x canvas that is downscaled with LANCZOS (anti-aliasing),
and a fixed paper grain is added. All shape coordinates are in units of the picture
width (0..1), so the same code draws on either stage.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from .colour import RGB
from .geometry import Taper, segment, stroke_outline

_SUPERSAMPLE = 2      # crisp shapes are drawn at 2x and downscaled
_SOFT_SCALE = 0.5     # soft layers are drawn at half size: they are blurred anyway
_GRAIN_LEVELS = 4.0   # paper grain amplitude, in 0..255 levels


class Pen:
    """Translucent shapes on an RGB image, in unit coordinates."""

    def __init__(self, image: Image.Image) -> None:
        self.scale = image.width
        self._draw = ImageDraw.Draw(image, "RGBA")  # "RGBA" on an RGB image blends

    def _xy(self, points: np.ndarray) -> list[float]:
        return (np.asarray(points) * self.scale).ravel().tolist()

    def polygon(self, points: np.ndarray, colour: RGB, alpha: int = 255) -> None:
        self._draw.polygon(self._xy(points), fill=(*colour, int(alpha)))

    def circle(self, centre: Sequence[float], radius: float, colour: RGB, alpha: int = 255,
               ring: float = 0.0) -> None:
        """A disc, or a ring of width `ring` when it is non-zero."""
        self.ellipse(centre, (radius, radius), colour, alpha, ring)

    def ellipse(self, centre: Sequence[float], radii: Sequence[float], colour: RGB, alpha: int = 255,
                ring: float = 0.0) -> None:
        """An upright ellipse with these (horizontal, vertical) radii; a ring when `ring`."""
        box = self._xy([np.subtract(centre, radii), np.add(centre, radii)])
        if ring:
            self._draw.ellipse(box, outline=(*colour, int(alpha)), width=max(1, round(ring * self.scale)))
        else:
            self._draw.ellipse(box, fill=(*colour, int(alpha)))

    def tile(self, corner: Sequence[float], side: Sequence[float], rounding: float, colour: RGB,
             alpha: int = 255) -> None:
        """An upright rectangle with rounded corners, from its top-left corner and size."""
        box = self._xy([corner, np.add(corner, side)])
        self._draw.rounded_rectangle(box, radius=rounding * self.scale, fill=(*colour, int(alpha)))

    def stroke(self, points: np.ndarray, colour: RGB, width: float, alpha: int = 255,
               taper: Taper = "brush") -> None:
        """A line drawn as one polygon, so translucent strokes blend evenly."""
        self.polygon(stroke_outline(points, width, taper), colour, alpha)

    def drip(self, top: Sequence[float], length: float, width: float, colour: RGB, alpha: int = 255) -> None:
        """A running drop: thin where it starts, swelling down into a round bead."""
        run = segment(np.asarray(top, dtype=float) + (0, length / 2), length, np.pi / 2)
        self.stroke(run, colour, width, alpha, taper="drip")
        self.circle(run[-1], width / 2, colour, alpha)

    def line(self, points: np.ndarray, colour: RGB, width: float) -> None:
        """An opaque line with round joints; cheaper and safe where it crosses itself."""
        self._draw.line(self._xy(points), fill=colour, width=max(1, round(width * self.scale)), joint="curve")


@lru_cache(maxsize=4)
def grain(size: int) -> np.ndarray:
    """Fixed paper grain: fine speckle plus faint fibres; the same for every artwork."""
    rng = np.random.default_rng(0)
    speckle = rng.normal(0.0, 1.0, (size, size))
    noise = Image.fromarray(rng.integers(0, 256, (size, size), dtype=np.uint8))
    fibres = np.asarray(noise.filter(ImageFilter.GaussianBlur(1.5)), dtype=np.float64)
    fibres = (fibres - fibres.mean()) / (fibres.std() + 1e-9)
    return (_GRAIN_LEVELS * (0.6 * speckle + 0.5 * fibres)).astype(np.float32)[..., None]


class Artwork:
    """The picture being painted: soft layers first, then crisp shapes on top."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.soft_size = max(16, round(size * _SOFT_SCALE))
        self._base = Image.new("RGB", (self.soft_size, self.soft_size))
        self._canvas: Image.Image | None = None
        self._crisp: Pen | None = None

    def wash(self, colours: Sequence[RGB], rng: np.random.Generator, mottling: float,
             angle: float | None = None, centre: Sequence[float] | None = None) -> None:
        """Background gradient through `colours`, mottled like a watercolour wash.

        Linear along `angle` (random when None), or radial from `centre`. It is smooth,
        so it is computed on a small grid and upscaled.
        """
        n = 48
        y, x = np.mgrid[0:n, 0:n] / (n - 1)
        if centre is None:
            angle = rng.uniform(0, 2 * np.pi) if angle is None else angle
            t = 0.5 + (x - 0.5) * math.cos(angle) + (y - 0.5) * math.sin(angle)
        else:
            t = np.hypot(x - centre[0], y - centre[1]) / 0.9
        coarse = Image.fromarray((rng.random((5, 5)) * 255).astype(np.uint8)).resize((n, n), Image.BICUBIC)
        t = np.clip(t + mottling * (np.asarray(coarse) / 255.0 - 0.5), 0.0, 1.0)
        stops = np.linspace(0.0, 1.0, len(colours))
        rgb = np.stack([np.interp(t, stops, [c[k] for c in colours]) for k in range(3)], axis=-1)
        vignette = 1.0 - 0.12 * (np.hypot(x - 0.5, y - 0.5) / 0.707) ** 2
        image = Image.fromarray(np.clip(rgb * vignette[..., None], 0, 255).astype(np.uint8))
        self._base = image.resize((self.soft_size, self.soft_size), Image.BICUBIC)

    @contextmanager
    def soft(self, blur: float) -> Iterator[Pen]:
        """Draw on the soft layer, then blur it by `blur` (in picture widths)."""
        if self._canvas is not None:
            raise RuntimeError("soft layers must be painted before crisp shapes")
        yield Pen(self._base)
        self._base = self._base.filter(ImageFilter.GaussianBlur(float(blur * self.soft_size)))

    @property
    def crisp(self) -> Pen:
        """Pen on the 2x canvas; its first use ends the soft stage."""
        if self._crisp is None:
            full = self.size * _SUPERSAMPLE
            self._canvas = self._base.resize((full, full), Image.BICUBIC)
            self._crisp = Pen(self._canvas)
        return self._crisp

    def finish(self) -> Image.Image:
        source = self._base if self._canvas is None else self._canvas
        image = source.resize((self.size, self.size), Image.LANCZOS)
        pixels = np.asarray(image, dtype=np.float32) + grain(self.size)
        return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))
