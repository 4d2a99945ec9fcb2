"""The canvas painted: each artwork fitted to its placement as its mode shows it, painted
in order with the newest on top, and what a click or a hidden artwork means there.

`Painting` is the one place artworks are painted, for the screen and the export alike, so
a painting grown one artwork at a time is pixel for pixel the canvas rendered at once."""

from __future__ import annotations

from types import ModuleType
from typing import Iterable, Sequence

import numpy as np
from PIL import Image, ImageColor

from animo_desktop.composition import collage, layers, mosaic
from animo_desktop.composition.canvas import CanvasSpec, CompositionMode, Placement

_MODES: dict[CompositionMode, ModuleType] = {
    CompositionMode.COLLAGE: collage, CompositionMode.MOSAIC: mosaic,
    CompositionMode.LAYERS: layers}
# The mode an artwork is in once fitted: with transparency where it has a soft part.
_FITTED_MODE = {CompositionMode.COLLAGE: "RGBA", CompositionMode.MOSAIC: "RGB",
                CompositionMode.LAYERS: "RGBA"}


def layout(mode: CompositionMode, canvas: CanvasSpec, seed: int,
           indices: Sequence[int]) -> dict[int, Placement]:
    """The placement of every artwork, by index; `indices` are those on the canvas, in
    time order. Deterministic; for collage and layers each placement depends only on its
    own index, for mosaic on the position in `indices` (the grid reflows as it grows)."""
    return _MODES[mode].layout(canvas, seed, indices)


def fit(image: Image.Image, placement: Placement, mode: CompositionMode,
        canvas: CanvasSpec) -> Image.Image:
    """The artwork as it appears on the canvas, the placement's size: a framed print with
    its shadow (collage, RGBA), the artwork (mosaic, RGB), or the artwork with its ragged
    mask (layers, RGBA).

    An image already in that form is returned as it is (artworks themselves are RGB), so
    the canvas renders the same from fitted images as from the artworks."""
    if (image.size == (placement.width, placement.height)
            and image.mode == _FITTED_MODE[mode]):
        return image
    return _MODES[mode].fit(image, placement, canvas)


class Painting:
    """The canvas painted artwork by artwork, the newest on top, onto the background.
    In collage each artwork first moves the canvas a step back towards the paper."""

    def __init__(self, canvas: CanvasSpec, mode: CompositionMode):
        self.canvas = canvas
        self.mode = mode
        self._image = Image.new("RGB", (canvas.width, canvas.height), canvas.background)
        self._recede = (collage.recede_table(ImageColor.getrgb(canvas.background)[:3])
                        if mode is CompositionMode.COLLAGE else None)

    def add(self, placement: Placement, image: Image.Image) -> Image.Image:
        """Paint one artwork at its placement on top; return it as fitted there."""
        self.pass_hidden()
        fitted = fit(image, placement, self.mode, self.canvas)
        self._image.paste(fitted, (placement.x, placement.y),
                          fitted if fitted.mode == "RGBA" else None)
        return fitted

    def pass_hidden(self) -> None:
        """An artwork wholly hidden under newer ones (see `visible_artworks`) is not painted,
        but the canvas ages as if it were, so it stays the canvas painted with it."""
        if self._recede is not None:
            self._image = self._image.point(self._recede)

    def image(self) -> Image.Image:
        """The canvas as it stands (RGB, full size): a copy, painting goes on."""
        return self._image.copy()


def render_canvas(canvas: CanvasSpec, mode: CompositionMode,
                  placed: Iterable[tuple[Placement, Image.Image | None]]) -> Image.Image:
    """The canvas (RGB, full size): the artworks painted in order, the newest on top, onto
    the background. Images may be fitted already or not (`fit` returns a fitted one as it
    is); None stands for an artwork wholly hidden, left unread."""
    painting = Painting(canvas, mode)
    for placement, image in placed:
        if image is None:
            painting.pass_hidden()
        else:
            painting.add(placement, image)
    return painting.image()


def visible_artworks(canvas: CanvasSpec, mode: CompositionMode,
                     placed: Sequence[tuple[int, Placement]]) -> set[int]:
    """The indices of the artworks that show at all on the canvas; `placed` in painting
    order. An artwork whose whole placement lies under the opaque parts of newer ones adds
    nothing to the painting: passing over it gives the same canvas, bit for bit, without
    reading its file (a long collage session hides most of its early artworks). Layers
    have no part known to be opaque without their masks: all of them count."""
    covered = np.zeros((canvas.height, canvas.width), dtype=bool)
    visible: set[int] = set()
    for index, placement in reversed(placed):
        if not covered[_region(placement)].all():
            visible.add(index)
        opaque = _MODES[mode].opaque_part(placement)
        if opaque is not None:
            covered[_region(opaque)] = True
    return visible


def _region(placement: Placement) -> tuple[slice, slice]:
    return (slice(placement.y, placement.y + placement.height),
            slice(placement.x, placement.x + placement.width))


def artwork_at(canvas: CanvasSpec, mode: CompositionMode,
               placed: Sequence[tuple[int, Placement]], x: float, y: float) -> int | None:
    """The index of the topmost artwork at canvas point (x, y); `placed` in painting order."""
    for index, placement in reversed(placed):
        if _MODES[mode].shows_at(placement, canvas, int(x), int(y)):
            return index
    return None
