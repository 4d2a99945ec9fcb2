"""Paths into the repository's resources/ folder (styles, icons, bundled models).

An installed ANIMO runs from a source checkout (editable install) or a PyInstaller
bundle; both keep resources/ beside the package.
"""

from __future__ import annotations

from pathlib import Path

RESOURCES_DIR = Path(__file__).resolve().parent.parent / "resources"


def resource_path(*parts: str) -> Path:
    return RESOURCES_DIR.joinpath(*parts)
