"""Pillow images to Qt images, in one place."""

from __future__ import annotations

from PIL import Image
from PySide6.QtGui import QImage, QPixmap


def to_qimage(image: Image.Image) -> QImage:
    """RGB stays RGB; anything with transparency (collage prints, layers) becomes RGBA."""
    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        converted, fmt, depth = image.convert("RGBA"), QImage.Format.Format_RGBA8888, 4
    else:
        converted, fmt, depth = image.convert("RGB"), QImage.Format.Format_RGB888, 3
    data = converted.tobytes("raw", converted.mode)
    # QImage does not own `data`; copy() detaches it before the bytes go away.
    return QImage(data, converted.width, converted.height, converted.width * depth, fmt).copy()


def to_qpixmap(image: Image.Image) -> QPixmap:
    return QPixmap.fromImage(to_qimage(image))
