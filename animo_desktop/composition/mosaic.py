"""Mosaic: a centred grid growing in order of time, its square cells as large as the
count allows, each artwork filling its cell."""

from __future__ import annotations

from typing import Sequence

from PIL import Image

from animo_desktop.composition.canvas import CanvasSpec, Placement

# The gap between cells (and around the grid) as a fraction of a cell's side.
GAP = 0.04


def layout(canvas: CanvasSpec, seed: int, indices: Sequence[int]) -> dict[int, Placement]:
    """Filled row by row; nothing random, so the seed plays no part."""
    count = len(indices)
    if count == 0:
        return {}
    columns, side = max(((columns, _cell_side(canvas, columns, -(-count // columns)))
                         for columns in range(1, count + 1)),
                        key=lambda option: (option[1], -option[0]))  # fewer columns on ties
    rows = -(-count // columns)
    gap = round(side * GAP)
    left = (canvas.width - columns * side - (columns - 1) * gap) // 2
    top = (canvas.height - rows * side - (rows - 1) * gap) // 2
    return {index: Placement(left + (position % columns) * (side + gap),
                             top + (position // columns) * (side + gap), side, side)
            for position, index in enumerate(indices)}


def _cell_side(canvas: CanvasSpec, columns: int, rows: int) -> int:
    """The largest cell side for the grid, with a gap between cells and around them."""
    return max(1, int(min(canvas.width / (columns + (columns + 1) * GAP),
                          canvas.height / (rows + (rows + 1) * GAP))))


def opaque_part(placement: Placement) -> Placement:
    return placement


def shows_at(placement: Placement, canvas: CanvasSpec, x: int, y: int) -> bool:
    return placement.contains(x, y)


def fit(image: Image.Image, placement: Placement, canvas: CanvasSpec) -> Image.Image:
    """The artwork resized to its cell (RGB, LANCZOS)."""
    fitted = image.convert("RGB")
    size = (placement.width, placement.height)
    return fitted if fitted.size == size else fitted.resize(size, Image.Resampling.LANCZOS)
