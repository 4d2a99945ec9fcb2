"""Pillow images to Qt images, in one place."""

from __future__ import annotations

from PIL import Image
from PySide6.QtGui import QImage, QPixmap


def to_qimage(image: Image.Image) -> QImage:
    rgb = image.convert("RGB")
    data = rgb.tobytes("raw", "RGB")
    # QImage does not own `data`; copy() detaches it before the bytes go away.
    return QImage(data, rgb.width, rgb.height, rgb.width * 3, QImage.Format.Format_RGB888).copy()


def to_qpixmap(image: Image.Image) -> QPixmap:
    return QPixmap.fromImage(to_qimage(image))
