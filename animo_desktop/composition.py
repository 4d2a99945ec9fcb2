"""Where each artwork goes on the session canvas, and the canvas rendered as one image.

The first mode is the original system's collage: every artwork is resized and placed at a
random position on a 720 x 985 canvas. Placement is drawn from a generator seeded with
the session's seed and the artwork's index, so a session re-composes identically.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any, Iterable, Mapping

from PIL import Image

DEFAULT_BACKGROUND = "#f4f1ea"  # warm paper white: artworks of any palette read on it

# An artwork's side as a fraction of the canvas width: large enough to read, small
# enough that several stay visible at once.
MIN_SIDE_FRACTION = 0.34
MAX_SIDE_FRACTION = 0.58


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
        return cls(int(data["x"]), int(data["y"]), int(data["width"]), int(data["height"]))


@dataclass(frozen=True)
class CanvasSpec:
    width: int = 720
    height: int = 985
    background: str = DEFAULT_BACKGROUND

    def to_dict(self) -> dict[str, Any]:
        return {"width": self.width, "height": self.height, "background": self.background}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "CanvasSpec":
        return cls(int(data["width"]), int(data["height"]),
                   str(data.get("background", DEFAULT_BACKGROUND)))


def collage_placement(canvas: CanvasSpec, session_seed: int, index: int) -> Placement:
    """A random square placement, fully inside the canvas, fixed by seed and index."""
    rng = random.Random(f"{session_seed}:{index}")
    shortest = min(canvas.width, canvas.height)
    side = int(shortest * rng.uniform(MIN_SIDE_FRACTION, MAX_SIDE_FRACTION))
    x = rng.randint(0, canvas.width - side)
    y = rng.randint(0, canvas.height - side)
    return Placement(x, y, side, side)


def fit_to_placement(image: Image.Image, placement: Placement) -> Image.Image:
    """The artwork as it appears on the canvas (one resampling, shared by view and export)."""
    size = (placement.width, placement.height)
    if image.size == size:
        return image.convert("RGB")
    return image.convert("RGB").resize(size, Image.Resampling.LANCZOS)


def render_canvas(canvas: CanvasSpec,
                  placed: Iterable[tuple[Placement, Image.Image]]) -> Image.Image:
    """Paint the placed artworks in order (the newest on top) at full canvas resolution."""
    result = Image.new("RGB", (canvas.width, canvas.height), canvas.background)
    for placement, image in placed:
        result.paste(fit_to_placement(image, placement), (placement.x, placement.y))
    return result
