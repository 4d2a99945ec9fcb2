"""Which cameras this machine has, without opening them where the OS can tell."""

from __future__ import annotations

import glob
import sys


def list_cameras(max_probe: int = 4) -> list[str]:
    """Camera names or indices as OpenCV would open them ("0", "1", ...)."""
    if sys.platform.startswith("linux"):
        devices = sorted(glob.glob("/dev/video[0-9]*"),
                         key=lambda name: int(name.removeprefix("/dev/video")))
        return [name.removeprefix("/dev/video") for name in devices]
    try:
        import cv2
    except ImportError:
        return []
    found = []
    for index in range(max_probe):
        capture = cv2.VideoCapture(index)
        if capture.isOpened():
            found.append(str(index))
        capture.release()
    return found


def camera_index(source: str) -> int | None:
    """The camera a source names ("0", " 1 "); None for anything else, such as a file name.
    ASCII digits only: "²" is a digit to str.isdigit() but no number to int()."""
    text = source.strip()
    return int(text) if text.isascii() and text.isdigit() else None
