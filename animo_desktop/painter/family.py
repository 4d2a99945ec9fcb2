"""A composition family: one way of composing an artwork in an emotion's graphic language."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .canvas import Artwork
from .colour import RGB

# draw(artwork, rng, palette, background): palette dominant first, background tones in order.
Draw = Callable[[Artwork, np.random.Generator, list[RGB], list[RGB]], None]


@dataclass(frozen=True)
class Family:
    name: str
    draw: Draw
