"""Layers: artworks of varied sizes laid over each other as one painting, each with a
ragged, brushed edge.

Two things keep the painting from turning into a muddy blob on empty paper:
- each new layer goes where the painting has been painted least lately (a coarse map of
  coverage that fades with time), so the whole canvas keeps being painted, edges and
  corners too; a layer near the canvas's edge moves onto it and bleeds off it there,
  unbroken, as a wash on paper does, so no frame of empty paper is left around the
  painting;
- the edge of a layer is a broken one (a soft ramp cut by noise, as a dry brush or torn
  paper leaves it) rather than a smooth fade: at any point one layer or the other shows,
  so their colours sit side by side instead of averaging into brown.
"""

from __future__ import annotations

import math
import random
from functools import lru_cache
from typing import Sequence

import numpy as np
from PIL import Image

from animo_desktop.composition.canvas import CanvasSpec, Placement, square
from animo_desktop.composition.chain import PlacementChain, candidates, chained_layout

# Sides as fractions of the canvas's shorter side: large washes and smaller pieces, none
# so large that it must cover the middle.
MIN_SIDE = 0.34
MAX_SIDE = 0.78
CANDIDATES = 12
# A candidate within this fraction of its side from a canvas edge moves onto that edge.
EDGE_SNAP = 0.15
# The coverage map: cells per shorter side; each layer adds 1 over its core (the square
# inset by CORE_INSET of its side), and the map fades by COVERAGE_FADE per layer, so
# what was painted long ago counts less than what was painted lately.
COVERAGE_CELLS = 24
CORE_INSET = 0.2
COVERAGE_FADE = 0.85

# The mask: a superellipse ramp (exponent ROUNDNESS, between a disc and a square) that is
# opaque inside CORE of the half-side, reaches nothing at a rim that wobbles inwards by up
# to WOBBLE, and is cut by noise over the ramp with a transition EDGE_SOFTNESS wide.
ROUNDNESS = 3.0
CORE = 0.5
WOBBLE = 0.12
EDGE_SOFTNESS = 0.14
MASK_GRID = 160  # the mask's drawing resolution before it is enlarged


class LayersChain(PlacementChain):
    name = "layers"

    def __init__(self, canvas: CanvasSpec, seed: int):
        super().__init__(canvas, seed)
        self._cell = max(1.0, canvas.shortest / COVERAGE_CELLS)
        rows, columns = math.ceil(canvas.height / self._cell), math.ceil(canvas.width / self._cell)
        self._coverage = np.zeros((rows, columns))  # how much each cell was painted lately
        # Its summed-area table, a zero row and column first: the sum over any block of
        # cells is four look-ups.
        self._table = np.zeros((rows + 1, columns + 1))

    def place_next(self, rng: random.Random) -> Placement:
        canvas = self.canvas
        side = max(1, int(canvas.shortest * rng.uniform(MIN_SIDE, MAX_SIDE)))
        xs = candidates(rng, 0, canvas.width - side, CANDIDATES)
        ys = candidates(rng, 0, canvas.height - side, CANDIDATES)
        rows, columns = self._coverage.shape
        np.cumsum(self._coverage, axis=0, out=self._table[1:, 1:])
        np.cumsum(self._table[1:, 1:], axis=1, out=self._table[1:, 1:])
        inset, cell, table = side * CORE_INSET, self._cell, self._table.tolist()
        # A dozen candidates in plain Python on the table as lists: on arrays this small,
        # numpy's calls would cost more than the arithmetic.
        best, least = None, math.inf
        for x, y in zip(xs, ys):
            x, y = _snapped(x, side, canvas.width), _snapped(y, side, canvas.height)
            # The coverage cells under the candidate's core, ends excluded.
            top = min(rows - 1, int((y + inset) / cell))
            left = min(columns - 1, int((x + inset) / cell))
            bottom = max(top + 1, math.ceil((y + side - inset) / cell))
            right = max(left + 1, math.ceil((x + side - inset) / cell))
            covered = ((table[bottom][right] - table[top][right] - table[bottom][left]
                        + table[top][left]) / ((bottom - top) * (right - left)))
            if covered < least:  # the least painted lately; ties keep the earlier one
                best, least = (x, y, top, bottom, left, right), covered
        x, y, top, bottom, left, right = best
        self._coverage *= COVERAGE_FADE
        self._coverage[top:bottom, left:right] += 1.0
        return square(x, y, side)


def _snapped(start: int, side: int, length: int) -> int:
    """A start within EDGE_SNAP of the side from either end, moved onto that end."""
    reach = side * EDGE_SNAP
    if start < reach:
        return 0
    return length - side if start > length - side - reach else start


def layout(canvas: CanvasSpec, seed: int, indices: Sequence[int]) -> dict[int, Placement]:
    return chained_layout(LayersChain, canvas, seed, indices)


def opaque_part(placement: Placement) -> None:
    """None: no part of a layer is known to hide what lies beneath without its mask."""
    return None


def shows_at(placement: Placement, canvas: CanvasSpec, x: int, y: int) -> bool:
    """A layer's transparent rim lets a click through to what shows there."""
    return (placement.contains(x, y)
            and mask(placement, canvas).getpixel((x - placement.x, y - placement.y)) > 0)


def fit(image: Image.Image, placement: Placement, canvas: CanvasSpec) -> Image.Image:
    """The artwork resized to its place (LANCZOS), with the ragged mask as its alpha."""
    size = (placement.width, placement.height)
    fitted = image.convert("RGB")
    if fitted.size != size:
        fitted = fitted.resize(size, Image.Resampling.LANCZOS)
    fitted.putalpha(mask(placement, canvas))
    return fitted


def mask(placement: Placement, canvas: CanvasSpec) -> Image.Image:
    """An "L" mask: opaque in the centre, a broken edge, nothing at the rim, except on
    the sides that lie on the canvas's edge, where it stays opaque. Seeded by the size
    (which the layout draws at random), so pieces of different sizes have different
    edges. Drawn on a small grid and enlarged, which also softens the broken edge; only
    the small grid is cached (a long session draws hundreds of sizes)."""
    size = (placement.width, placement.height)
    bleeds = (placement.x == 0, placement.y == 0, placement.x + placement.width == canvas.width,
              placement.y + placement.height == canvas.height)
    return _mask_grid(size, bleeds).resize(size, Image.Resampling.BICUBIC)


@lru_cache(maxsize=256)
def _mask_grid(size: tuple[int, int], bleeds: tuple[bool, bool, bool, bool]) -> Image.Image:
    """The mask on the MASK_GRID x MASK_GRID grid; `bleeds`: whether it stays opaque to
    its left, top, right and bottom edge. Read-only."""
    # Cell centres in [-1, 1]; the superellipse distance is 1 at the edges' midpoints.
    # Towards a side that bleeds, the distance does not grow: the core reaches that edge.
    grid = (np.arange(MASK_GRID) + 0.5) / MASK_GRID * 2 - 1
    left, top, right, bottom = bleeds
    u = np.clip(grid, 0.0 if left else -1.0, 0.0 if right else 1.0)[np.newaxis, :]
    v = np.clip(grid, 0.0 if top else -1.0, 0.0 if bottom else 1.0)[:, np.newaxis]
    distance = (np.abs(u) ** ROUNDNESS + np.abs(v) ** ROUNDNESS) ** (1 / ROUNDNESS)
    rng = np.random.default_rng(list(size))
    angle = np.arctan2(grid[:, np.newaxis], grid[np.newaxis, :])
    wobble = sum(np.cos(k * angle + rng.uniform(0, 2 * np.pi)) * rng.uniform(0.5, 1.0) / k
                 for k in range(2, 6))
    wobble = (wobble - wobble.min()) / (np.ptp(wobble) or 1.0)  # 0 ... 1
    rim = 1 - WOBBLE * wobble  # where the ramp reaches zero: inside the edge
    ramp = np.clip((1 - distance / rim) / (1 - CORE), 0.0, 1.0)  # 0 at the rim, 1 in the core
    # Over the ramp, the noise decides where this layer still shows: the ramp is widened
    # past 0 and 1 so that the core stays whole and the rim empty whatever the noise.
    widened = ramp * (1 + 2 * EDGE_SOFTNESS) - EDGE_SOFTNESS
    cut = np.clip((widened - _noise(rng)) / EDGE_SOFTNESS + 0.5, 0.0, 1.0)
    alpha = cut * cut * (3 - 2 * cut)
    return Image.fromarray(np.round(alpha * 255).astype(np.uint8), "L")


def _noise(rng: np.random.Generator) -> np.ndarray:
    """Smooth noise in [0, 1] on the mask grid: three octaves of random values enlarged."""
    total = np.zeros((MASK_GRID, MASK_GRID))
    for cells, weight in ((4, 0.5), (9, 0.3), (20, 0.2)):
        values = Image.fromarray(rng.random((cells, cells)).astype(np.float32), "F")
        total += weight * np.asarray(values.resize((MASK_GRID, MASK_GRID),
                                                   Image.Resampling.BICUBIC))
    return np.clip((total - total.min()) / (np.ptp(total) or 1.0), 0.0, 1.0)
