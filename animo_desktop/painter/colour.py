"""Palette colours: parsing the catalogue's hex strings, lightness, weighted picks."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

RGB = tuple[int, int, int]


def rgb(hex_colour: str) -> RGB:
    value = hex_colour.lstrip("#")
    return (int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16))


def luminance(c: RGB) -> float:
    return 0.299 * c[0] + 0.587 * c[1] + 0.114 * c[2]


def pick(rng: np.random.Generator, palette: Sequence[RGB]) -> RGB:
    """A palette colour, the dominant (first) one most often, accents as touches."""
    weights = 1.0 / np.arange(1, len(palette) + 1)
    return palette[rng.choice(len(palette), p=weights / weights.sum())]
