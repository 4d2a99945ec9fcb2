"""The look: one style sheet (resources/styles/animo.qss) in a dark (default) or light
palette, the app icon, and the interface's icons drawn in the palette's colours."""

from __future__ import annotations

from functools import lru_cache
from string import Template

from PySide6.QtCore import QByteArray, Qt
from PySide6.QtGui import QIcon, QImage, QPainter, QPixmap
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import QApplication

from animo_desktop.resources import icon_svg, resource_path

# Pixel sizes each icon is drawn at: menus and buttons at 1x, 1.5x, 2x and 3x (4K) scale;
# Qt picks the nearest for the size and screen at hand.
ICON_SIDES = (16, 20, 24, 32, 40, 48, 64, 72)

PALETTES: dict[str, dict[str, str]] = {
    # Dim therapy rooms and installations: low glare, warm greys.
    "dark": {"window": "#1d1f22", "text": "#e6e2da", "surround": "#141517", "panel": "#22252a",
             "line": "#33373e", "muted": "#9a958c", "control": "#2c3036",
             "control_line": "#3a3f46", "hover": "#343941", "checked": "#454b55",
             "accent": "#c9b458", "disabled": "#6b6f75", "field": "#2a2d33",
             "status": "#191b1e"},
    # Bright rooms: warm paper tones.
    "light": {"window": "#f4f1ea", "text": "#2b2a28", "surround": "#cbc5ba", "panel": "#ebe7df",
              "line": "#d3cec4", "muted": "#6f6a61", "control": "#ffffff",
              "control_line": "#c9c3b8", "hover": "#f1ede6", "checked": "#e2dccf",
              "accent": "#a8892a", "disabled": "#a19c93", "field": "#ffffff",
              "status": "#e4e0d8"},
}


def style_sheet(name: str) -> str:
    template = Template(resource_path("styles", "animo.qss").read_text(encoding="utf-8"))
    controls = resource_path("icons", "controls").as_posix()
    return template.substitute(PALETTES[name], controls=controls)


def apply_theme(app: QApplication, name: str) -> None:
    app.setStyleSheet(style_sheet(name))


def app_icon() -> QIcon:
    return QIcon(str(resource_path("icons", "animo.svg")))


@lru_cache(maxsize=None)
def themed_icon(name: str, theme: str) -> QIcon:
    """Icon NAME in the palette's text colour, greyed as the palette's disabled text."""
    colours = PALETTES[theme]
    icon = QIcon()
    template = icon_svg(name)
    for mode, colour in ((QIcon.Mode.Normal, colours["text"]),
                         (QIcon.Mode.Disabled, colours["disabled"])):
        renderer = QSvgRenderer(QByteArray(template.replace("currentColor", colour).encode()))
        for side in ICON_SIDES:
            image = QImage(side, side, QImage.Format.Format_ARGB32_Premultiplied)
            image.fill(Qt.GlobalColor.transparent)
            painter = QPainter(image)
            renderer.render(painter)
            painter.end()
            icon.addPixmap(QPixmap.fromImage(image), mode)
    return icon
