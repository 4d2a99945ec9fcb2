"""Collage: prints laid on the paper. Each artwork is a framed print of its own size with
a soft shadow, placed where it covers the fewest recent ones, inside a margin of paper;
each new print pushes the canvas a little back towards the paper, so the newest ones
stand out and the oldest recede.

A placement is the print's footprint: the print at its top left, and the room its shadow
falls into, to the right and below (light from the top left)."""

from __future__ import annotations

import random
from typing import Sequence

import numpy as np
from PIL import Image

from animo_desktop.composition.canvas import CanvasSpec, Placement, square
from animo_desktop.composition.chain import PlacementChain, candidates, chained_layout

# Paper left around the collage, as a fraction of the canvas's shorter side: no print is
# cut by the canvas's edge.
MARGIN = 0.035
# Footprint sides as fractions of the room inside the margin. Skewed towards small ones
# (side = MIN + (MAX - MIN) * u ** SKEW): many small prints and a few large ones read as a
# composed collage rather than a pile of equal squares.
MIN_SIDE = 0.2
MAX_SIDE = 0.62
SIDE_SKEW = 1.7
# The least-overlap choice among CANDIDATES positions against the RECENT prints before.
CANDIDATES = 16
RECENT = 6

SHADOW = 0.05  # of the footprint's side: how far the shadow falls beyond the print
SHADOW_RGB = (26, 22, 18)
SHADOW_OPACITY = 0.38
FRAME = 0.035  # of the print's side: the paper border around the artwork
FRAME_RGB = (251, 249, 243)
# How far each new print moves the canvas back towards the paper, in 256ths: about 1.2 %,
# so a print ten artworks old keeps about 89 % of its contrast, one forty old about 62 %.
RECEDE_256 = 3


class CollageChain(PlacementChain):
    name = "collage"

    def place_next(self, rng: random.Random) -> Placement:
        canvas = self.canvas
        margin = round(canvas.shortest * MARGIN)
        room = canvas.shortest - 2 * margin
        side = max(1, int(room * (MIN_SIDE + (MAX_SIDE - MIN_SIDE) * rng.random() ** SIDE_SKEW)))
        xs = np.array(candidates(rng, margin, canvas.width - margin - side, CANDIDATES))
        ys = np.array(candidates(rng, margin, canvas.height - margin - side, CANDIDATES))
        covered = np.zeros(len(xs), dtype=np.int64)
        if self.placements:
            # Candidates down, recent prints across: every overlap at once.
            recent = np.array([(p.x, p.y, p.width) for p in self.placements[-RECENT:]]).T
            width = (np.minimum(xs[:, None] + side, recent[0] + recent[2])
                     - np.maximum(xs[:, None], recent[0]))
            height = (np.minimum(ys[:, None] + side, recent[1] + recent[2])
                      - np.maximum(ys[:, None], recent[1]))
            covered = (np.clip(width, 0, None) * np.clip(height, 0, None)).sum(axis=1)
        chosen = int(np.argmin(covered))  # the least covered; ties keep the earlier one
        return square(int(xs[chosen]), int(ys[chosen]), side)


def layout(canvas: CanvasSpec, seed: int, indices: Sequence[int]) -> dict[int, Placement]:
    return chained_layout(CollageChain, canvas, seed, indices)


def print_side(footprint_side: int) -> int:
    return max(1, footprint_side - round(footprint_side * SHADOW))


def opaque_part(placement: Placement) -> Placement:
    """The print itself: what hides the canvas beneath (its shadow only darkens it)."""
    return square(placement.x, placement.y, print_side(placement.width))


def shows_at(placement: Placement, canvas: CanvasSpec, x: int, y: int) -> bool:
    """A click on the print picks it; one on its shadow goes through."""
    return opaque_part(placement).contains(x, y)


def fit(image: Image.Image, placement: Placement, canvas: CanvasSpec) -> Image.Image:
    """The framed print with its shadow (RGBA, the footprint's size)."""
    side = placement.width
    printed = print_side(side)
    frame = min(round(printed * FRAME), (printed - 1) // 2)
    inner = printed - 2 * frame
    rgba = np.empty((side, side, 4), dtype=np.uint8)
    rgba[..., :3] = SHADOW_RGB
    rgba[..., 3] = _shadow_alpha(side, printed)
    rgba[:printed, :printed] = (*FRAME_RGB, 255)
    artwork = image.convert("RGB")
    if artwork.size != (inner, inner):
        artwork = artwork.resize((inner, inner), Image.Resampling.LANCZOS)
    rgba[frame:frame + inner, frame:frame + inner, :3] = np.asarray(artwork)
    return Image.fromarray(rgba, "RGBA")


def _shadow_alpha(side: int, printed: int) -> np.ndarray:
    """The print's square moved half the shadow's reach down and right, blurred by the
    other half: a blurred square is the product of two blurred steps, so it is drawn as
    the outer product of one smooth profile."""
    reach = side - printed
    if reach == 0:
        return np.zeros((side, side), dtype=np.uint8)
    t = np.arange(side) + 0.5
    rise = np.clip(t / reach, 0.0, 1.0)
    fall = np.clip((side - t) / reach, 0.0, 1.0)
    profile = np.minimum(rise, fall)
    profile = profile * profile * (3 - 2 * profile)  # smoothstep: no visible rim
    return np.round(np.outer(profile, profile) * SHADOW_OPACITY * 255).astype(np.uint8)


def recede_table(paper: tuple[int, int, int]) -> list[int]:
    """The lookup table (for `Image.point`, RGB) that moves each value RECEDE_256/256 of
    the way to the paper's, rounded: a step back is one table look-up per pixel, and
    integer arithmetic gives the same pixels for the same artworks everywhere."""
    values = np.arange(256)
    return [int(value) for channel in paper
            for value in values + (((channel - values) * RECEDE_256 + 128) >> 8)]
