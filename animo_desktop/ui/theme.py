"""The look: one style sheet (resources/styles/animo.qss) in a dark (default) or light
palette, and the app icon."""

from __future__ import annotations

from string import Template

from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from animo_desktop.resources import resource_path

PALETTES: dict[str, dict[str, str]] = {
    # Dim therapy rooms and installations: low glare, warm greys.
    "dark": {"window": "#1d1f22", "text": "#e6e2da", "surround": "#141517", "panel": "#22252a",
             "line": "#33373e", "muted": "#9a958c", "control": "#2c3036",
             "control_line": "#3a3f46", "hover": "#343941", "checked": "#454b55",
             "accent": "#c9b458", "disabled": "#6b6f75", "field": "#2a2d33",
             "status": "#191b1e"},
    # Bright rooms: warm paper tones.
    "light": {"window": "#f4f1ea", "text": "#2b2a28", "surround": "#e4e0d8", "panel": "#ebe7df",
              "line": "#d3cec4", "muted": "#6f6a61", "control": "#ffffff",
              "control_line": "#c9c3b8", "hover": "#f1ede6", "checked": "#e2dccf",
              "accent": "#a8892a", "disabled": "#a19c93", "field": "#ffffff",
              "status": "#e4e0d8"},
}


def style_sheet(name: str) -> str:
    template = Template(resource_path("styles", "animo.qss").read_text(encoding="utf-8"))
    return template.substitute(PALETTES[name])


def apply_theme(app: QApplication, name: str) -> None:
    app.setStyleSheet(style_sheet(name))


def app_icon() -> QIcon:
    return QIcon(str(resource_path("icons", "animo.svg")))
