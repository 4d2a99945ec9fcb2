"""Where each artwork goes on the session canvas, and the canvas rendered as one image.

Three composition modes, switchable at any time because a placement is never stored as
truth: it is always recomputed by `layout` from (mode, canvas, seed, artwork indices).

- collage: the original system's random squares on a 720 x 985 canvas, except that each
  new artwork goes where it covers the fewest recent ones;
- mosaic: a grid growing in order of time, its square cells as large as the count allows;
- layers: large artworks with soft feathered edges blended into one evolving painting.

Collage and layers place artwork i from a generator seeded with (mode, seed, i) and
compare its candidates with the artworks i-1 ... i-R: every index counts there, even one
that was removed or never arrived. A placement is therefore a function of its index alone,
so arrivals, removals and gaps never move the artworks already on the canvas.

`fit` is the one resampling shared by the on-screen view and the export, so both match.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache
from typing import Any, Iterable, Mapping, Sequence

import numpy as np
from PIL import Image

from animo_desktop.json_fields import json_field

DEFAULT_BACKGROUND = "#f4f1ea"  # warm paper white: artworks of any palette read on it

# Calm canvas backgrounds to choose from (any "#rrggbb" works): light ones for bright
# rooms and prints, dark ones for dim rooms and installations.
BACKGROUND_PRESETS = {"Paper": DEFAULT_BACKGROUND, "Linen": "#e6dccb", "Mist": "#dfe4e4",
                      "Stone": "#8f8a82", "Charcoal": "#2b2927", "Night": "#12151b"}

# The first artwork index of a session: the chain of scattered placements starts here.
FIRST_INDEX = 1


class CompositionMode(str, Enum):
    COLLAGE = "collage"
    MOSAIC = "mosaic"
    LAYERS = "layers"

    @property
    def display_name(self) -> str:
        return _DISPLAY_NAMES[self]


_DISPLAY_NAMES = {CompositionMode.COLLAGE: "Collage", CompositionMode.MOSAIC: "Mosaic",
                  CompositionMode.LAYERS: "Layers"}


@dataclass(frozen=True)
class Placement:
    x: int
    y: int
    width: int
    height: int

    def to_dict(self) -> dict[str, int]:
        return {"x": self.x, "y": self.y, "width": self.width, "height": self.height}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "Placement":
        return cls(*(json_field(data, key, int) for key in ("x", "y", "width", "height")))

    def overlap(self, other: "Placement") -> int:
        """The area (px²) this placement shares with another."""
        width = min(self.x + self.width, other.x + other.width) - max(self.x, other.x)
        height = min(self.y + self.height, other.y + other.height) - max(self.y, other.y)
        return width * height if width > 0 and height > 0 else 0


@dataclass(frozen=True)
class CanvasSpec:
    width: int = 720
    height: int = 985
    background: str = DEFAULT_BACKGROUND

    def to_dict(self) -> dict[str, Any]:
        return {"width": self.width, "height": self.height, "background": self.background}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "CanvasSpec":
        return cls(json_field(data, "width", int), json_field(data, "height", int),
                   json_field(data, "background", str, DEFAULT_BACKGROUND))


@dataclass(frozen=True)
class ScatterRule:
    """How collage and layers scatter squares: side as a fraction of the canvas's shorter
    side, and the least-overlap choice among `candidates` positions against the `recent`
    artworks before."""

    name: str  # salts the generator, so each mode has its own random stream
    min_side: float
    max_side: float
    candidates: int
    recent: int


# Large enough to read, small enough that several stay visible at once; six recent
# artworks is about what a collage of this size shows uncovered.
COLLAGE_RULE = ScatterRule("collage", 0.34, 0.58, candidates=12, recent=6)
# Larger, since the feathered edge hides a band of each artwork; fewer recent ones, since
# pieces this large always overlap and the painting should keep evolving everywhere.
LAYERS_RULE = ScatterRule("layers", 0.62, 0.95, candidates=12, recent=3)

# Mosaic: the gap between cells (and around the grid) as a fraction of a cell's side.
MOSAIC_GAP = 0.04

# Layers: the feathered mask is opaque inside this fraction of its rim and fades to
# nothing at the rim; the superellipse exponent rounds it between a disc and a square, and
# the rim wobbles inwards by up to FEATHER_WOBBLE of the half-side.
FEATHER_CORE = 0.45
FEATHER_ROUNDNESS = 3.0
FEATHER_WOBBLE = 0.2
FEATHER_GRID = 128  # the mask's drawing resolution before it is enlarged

# The screen shows the canvas at full size up to this side (4096: sharp on a 4K screen);
# the export is always full size.
DISPLAY_MAX_SIDE = 4096


def layout(mode: CompositionMode, canvas: CanvasSpec, seed: int,
           indices: Sequence[int]) -> dict[int, Placement]:
    """The placement of every artwork, by index; `indices` are those on the canvas, in
    time order. Deterministic; for collage and layers each placement depends only on its
    own index, for mosaic on the position in `indices` (the grid reflows as it grows)."""
    if mode is CompositionMode.MOSAIC:
        return mosaic(canvas, indices)
    return scatter(COLLAGE_RULE if mode is CompositionMode.COLLAGE else LAYERS_RULE,
                   canvas, seed, indices)


def scatter(rule: ScatterRule, canvas: CanvasSpec, seed: int,
            indices: Sequence[int]) -> dict[int, Placement]:
    """Random squares fully inside the canvas, each at the least-overlapping candidate."""
    if any(index < FIRST_INDEX for index in indices):
        raise ValueError(f"artwork indices start at {FIRST_INDEX}")
    shortest = min(canvas.width, canvas.height)
    # (x, y, side) of FIRST_INDEX ... the last index, gaps included. Plain tuples and an
    # inlined overlap keep 500 artworks well under 100 ms in pure Python; the chain is
    # kept, so a new artwork costs only its own placement, however long the session.
    chain = _scatter_chain(rule, canvas.width, canvas.height, seed)
    for index in range(FIRST_INDEX + len(chain), max(indices, default=FIRST_INDEX - 1) + 1):
        rng = random.Random(f"{rule.name}:{seed}:{index}")
        side = max(1, int(shortest * rng.uniform(rule.min_side, rule.max_side)))
        recent = chain[-rule.recent:] if rule.recent else []  # chain[-0:] is all of it
        best, least = (0, 0, side), -1
        for _ in range(rule.candidates):
            x = rng.randint(0, canvas.width - side)
            y = rng.randint(0, canvas.height - side)
            covered = 0
            for other_x, other_y, other_side in recent:
                width = min(x + side, other_x + other_side) - max(x, other_x)
                height = min(y + side, other_y + other_side) - max(y, other_y)
                if width > 0 and height > 0:
                    covered += width * height
            if least < 0 or covered < least:  # strictly less: ties keep the earlier one
                best, least = (x, y, side), covered
                if covered == 0:
                    break  # nothing beats it
        chain.append(best)
    return {index: _square(*chain[index - FIRST_INDEX]) for index in indices}


@lru_cache(maxsize=8)
def _scatter_chain(rule: ScatterRule, width: int, height: int,
                   seed: int) -> list[tuple[int, int, int]]:
    """The placements computed so far for one canvas and seed, grown by `scatter`."""
    return []


def _square(x: int, y: int, side: int) -> Placement:
    return Placement(x, y, side, side)


def mosaic(canvas: CanvasSpec, indices: Sequence[int]) -> dict[int, Placement]:
    """A centred grid of square cells, as large as the count allows, filled row by row."""
    count = len(indices)
    if count == 0:
        return {}
    columns, side = max(((columns, _mosaic_side(canvas, columns, -(-count // columns)))
                         for columns in range(1, count + 1)),
                        key=lambda option: (option[1], -option[0]))  # fewer columns on ties
    rows = -(-count // columns)
    gap = round(side * MOSAIC_GAP)
    left = (canvas.width - columns * side - (columns - 1) * gap) // 2
    top = (canvas.height - rows * side - (rows - 1) * gap) // 2
    return {index: Placement(left + (position % columns) * (side + gap),
                             top + (position // columns) * (side + gap), side, side)
            for position, index in enumerate(indices)}


def _mosaic_side(canvas: CanvasSpec, columns: int, rows: int) -> int:
    """The largest cell side for the grid, with a gap between cells and around them."""
    return max(1, int(min(canvas.width / (columns + (columns + 1) * MOSAIC_GAP),
                          canvas.height / (rows + (rows + 1) * MOSAIC_GAP))))


def fit(image: Image.Image, placement: Placement, mode: CompositionMode) -> Image.Image:
    """The artwork as it appears on the canvas: resized to the placement (LANCZOS); RGBA
    with a feathered alpha for layers, RGB otherwise.

    An image already in that form (the placement's size, RGBA for layers, RGB otherwise)
    is returned as it is, so the canvas can be rendered from the fitted images the view
    holds. Artworks themselves are RGB. Fitting again for another mode gives the same
    result as fitting the artwork, since the mask lives only in the alpha.
    """
    size = (placement.width, placement.height)
    fitted_mode = "RGBA" if mode is CompositionMode.LAYERS else "RGB"
    if image.size == size and image.mode == fitted_mode:
        return image
    fitted = image.convert("RGB")
    if fitted.size != size:
        fitted = fitted.resize(size, Image.Resampling.LANCZOS)
    if mode is CompositionMode.LAYERS:
        fitted.putalpha(feather_mask(size))
    return fitted


def feather_mask(size: tuple[int, int]) -> Image.Image:
    """An "L" mask, opaque in the centre and fading smoothly to nothing before the edges.

    Its rim wobbles gently, seeded by the size (which the layout draws at random), so
    overlapping pieces blend into an organic whole rather than a pile of rounded
    squares. Drawn on a small grid and enlarged, since it is smooth everywhere: a few
    milliseconds per size. Only the small grid is cached (16 KB each: a long session
    draws hundreds of sizes, and masks at full size would hold megabytes each).
    """
    return _feather_grid(size).resize(size, Image.Resampling.BICUBIC)


@lru_cache(maxsize=256)
def _feather_grid(size: tuple[int, int]) -> Image.Image:
    """The mask for `size` on the FEATHER_GRID x FEATHER_GRID grid. Read-only."""
    # Cell centres in [-1, 1]; the superellipse distance is 1 at the edges' midpoints.
    grid = (np.arange(FEATHER_GRID) + 0.5) / FEATHER_GRID * 2 - 1
    u, v = grid[np.newaxis, :], grid[:, np.newaxis]
    distance = (np.abs(u) ** FEATHER_ROUNDNESS
                + np.abs(v) ** FEATHER_ROUNDNESS) ** (1 / FEATHER_ROUNDNESS)
    rng = np.random.default_rng(list(size))
    angle = np.arctan2(v, u)
    wobble = sum(np.cos(k * angle + rng.uniform(0, 2 * np.pi)) * rng.uniform(0.5, 1.0) / k
                 for k in range(2, 6))
    wobble = (wobble - wobble.min()) / (np.ptp(wobble) or 1.0)  # 0 ... 1
    rim = 1 - FEATHER_WOBBLE * wobble  # where the mask reaches zero: inside the edge
    ramp = np.clip((1 - distance / rim) / (1 - FEATHER_CORE), 0.0, 1.0)
    alpha = ramp * ramp * (3 - 2 * ramp)  # smoothstep: no visible rim where the fade starts
    return Image.fromarray(np.round(alpha * 255).astype(np.uint8), "L")


class Painting:
    """The canvas painted artwork by artwork, the newest on top, onto the background.

    The one place artworks are painted: `render_canvas` paints the same way, so a
    painting grown one artwork at a time is pixel for pixel the canvas rendered at once.
    Layers paint in RGBA (alpha compositing of the feathered pieces), the others in RGB.
    """

    def __init__(self, canvas: CanvasSpec, mode: CompositionMode):
        self.canvas = canvas
        self.mode = mode
        self._image = Image.new("RGBA" if mode is CompositionMode.LAYERS else "RGB",
                                (canvas.width, canvas.height), canvas.background)

    def add(self, placement: Placement, image: Image.Image) -> Image.Image:
        """Paint one artwork at its placement on top; return it as fitted there."""
        fitted = fit(image, placement, self.mode)
        if self.mode is CompositionMode.LAYERS:
            self._image.alpha_composite(fitted, (placement.x, placement.y))
        else:
            self._image.paste(fitted, (placement.x, placement.y))
        return fitted

    def image(self) -> Image.Image:
        """The canvas as it stands (RGB, full size): a copy, painting goes on."""
        return self._image.convert("RGB")


def render_canvas(canvas: CanvasSpec, mode: CompositionMode,
                  placed: Iterable[tuple[Placement, Image.Image]]) -> Image.Image:
    """The canvas (RGB, full size): the artworks painted in order, the newest on top, onto
    the background. Images may be fitted already or not (`fit` is idempotent)."""
    painting = Painting(canvas, mode)
    for placement, image in placed:
        painting.add(placement, image)
    return painting.image()


def visible_artworks(canvas: CanvasSpec, mode: CompositionMode,
                     placed: Sequence[tuple[int, Placement]]) -> set[int]:
    """The indices of the artworks that show at all on the canvas; `placed` in painting
    order. An artwork that lies wholly under newer ones adds nothing to the painting:
    leaving it out gives the same canvas, bit for bit, without reading its file (a long
    collage session hides most of its early artworks). Feathered layers are never wholly
    hidden in practice (only a small core of each is opaque): all of them count."""
    if mode is CompositionMode.LAYERS:
        return {index for index, _ in placed}
    covered = np.zeros((canvas.height, canvas.width), dtype=bool)
    visible: set[int] = set()
    for index, placement in reversed(placed):
        region = (slice(placement.y, placement.y + placement.height),
                  slice(placement.x, placement.x + placement.width))
        if not covered[region].all():
            visible.add(index)
        covered[region] = True
    return visible


def artwork_at(placed: Sequence[tuple[int, Placement]], mode: CompositionMode,
               x: float, y: float) -> int | None:
    """The index of the topmost artwork at canvas point (x, y); `placed` in painting order.
    A layer's transparent feathered rim lets the click through to what shows there."""
    for index, placement in reversed(placed):
        left, top = int(x) - placement.x, int(y) - placement.y
        if not (0 <= left < placement.width and 0 <= top < placement.height):
            continue
        if (mode is CompositionMode.LAYERS
                and feather_mask((placement.width, placement.height)).getpixel((left, top)) == 0):
            continue
        return index
    return None


def display_scale(canvas: CanvasSpec) -> float:
    """The scale the canvas is shown at: full size up to DISPLAY_MAX_SIDE on its longer
    side, so a huge canvas setting does not cost gigabytes of screen memory."""
    return min(1.0, DISPLAY_MAX_SIDE / max(canvas.width, canvas.height))


def scaled_for_display(image: Image.Image, scale: float) -> Image.Image:
    if scale >= 1.0:
        return image
    return image.resize((max(1, round(image.width * scale)), max(1, round(image.height * scale))),
                        Image.Resampling.BILINEAR)
