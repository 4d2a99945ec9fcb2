"""The canvas and the geometry every composition shares: its size and background, the
modes, an artwork's placement, and the scale the canvas is shown at."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any, Mapping

from PIL import Image

from animo_desktop.json_fields import json_field

DEFAULT_BACKGROUND = "#f4f1ea"  # warm paper white: artworks of any palette read on it

# Calm canvas backgrounds to choose from (any "#rrggbb" works): light ones for bright
# rooms and prints, dark ones for dim rooms and installations.
BACKGROUND_PRESETS = {"Paper": DEFAULT_BACKGROUND, "Linen": "#e6dccb", "Mist": "#dfe4e4",
                      "Stone": "#8f8a82", "Charcoal": "#2b2927", "Night": "#12151b"}

# The first artwork index of a session: the chain of scattered placements starts here.
FIRST_INDEX = 1

# The screen shows the canvas at full size up to this side (4096: sharp on a 4K screen);
# the export is always full size.
DISPLAY_MAX_SIDE = 4096


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

    def contains(self, x: int, y: int) -> bool:
        return self.x <= x < self.x + self.width and self.y <= y < self.y + self.height


def square(x: int, y: int, side: int) -> Placement:
    return Placement(x, y, side, side)


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

    @property
    def shortest(self) -> int:
        return min(self.width, self.height)


def display_scale(canvas: CanvasSpec) -> float:
    """The scale the canvas is shown at: full size up to DISPLAY_MAX_SIDE on its longer
    side, so a huge canvas setting does not cost gigabytes of screen memory."""
    return min(1.0, DISPLAY_MAX_SIDE / max(canvas.width, canvas.height))


def scaled_for_display(image: Image.Image, scale: float) -> Image.Image:
    if scale >= 1.0:
        return image
    return image.resize((max(1, round(image.width * scale)), max(1, round(image.height * scale))),
                        Image.Resampling.BILINEAR)
