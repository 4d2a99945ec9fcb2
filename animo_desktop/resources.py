"""Paths into the repository's resources/ folder (styles, icons, bundled models).

An installed ANIMO runs from a source checkout (editable install) or a PyInstaller
bundle; both keep resources/ beside the package.
"""

from __future__ import annotations

from pathlib import Path

RESOURCES_DIR = Path(__file__).resolve().parent.parent / "resources"


def resource_path(*parts: str) -> Path:
    return RESOURCES_DIR.joinpath(*parts)


def icon_svg(name: str) -> str:
    """The SVG text of one of the interface's icons (resources/icons/NAME.svg); its strokes
    and fills are `currentColor`, for the theme to colour."""
    return resource_path("icons", f"{name}.svg").read_text(encoding="utf-8")
