"""A thin strip of what the camera reads frame by frame: the last few seconds, each frame
a column in the colour of the emotion it leads with, as tall as that emotion's share.
It sits under the smoothed bars so that the flicker the smoothing removes stays visible
and can never be taken for the confirmed emotion."""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping

from PySide6.QtCore import QRectF, QSize
from PySide6.QtGui import QColor, QPainter, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

from animo_desktop.emotions import Emotion

TRACE_SECONDS = 8.0
NO_FACE_COLOUR = "#3a3d42"


class LiveTrace(QWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("liveTrace")
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setToolTip(f"What each camera frame alone says, over the last "
                        f"{TRACE_SECONDS:.0f} s: the colour of its leading emotion, as tall "
                        "as its share. The smoothed bars above decide.")
        # (time, leading emotion or None without a face, its share)
        self._frames: deque[tuple[float, Emotion | None, float]] = deque()

    def sizeHint(self) -> QSize:
        return QSize(200, 16)

    def add_frame(self, timestamp: float, probabilities: Mapping[Emotion, float] | None) -> None:
        """One frame's reading; None for a frame without a face."""
        if probabilities:
            leader = max(probabilities, key=probabilities.__getitem__)
            self._frames.append((timestamp, leader, probabilities[leader]))
        else:
            self._frames.append((timestamp, None, 1.0))
        while self._frames and self._frames[0][0] < timestamp - TRACE_SECONDS:
            self._frames.popleft()
        self.update()

    def clear(self) -> None:
        self._frames.clear()
        self.update()

    @property
    def frames(self) -> int:
        return len(self._frames)

    def paintEvent(self, event: QPaintEvent) -> None:
        if not self._frames:
            return
        painter = QPainter(self)
        newest = self._frames[-1][0]
        width, height = self.width(), self.height()
        column = max(1.0, width / (TRACE_SECONDS * 15))  # readings arrive at about 15 a second
        for timestamp, emotion, share in self._frames:
            x = width * (1 - (newest - timestamp) / TRACE_SECONDS) - column
            colour = QColor(emotion.style.ui_colour if emotion else NO_FACE_COLOUR)
            bar = height * (share if emotion else 0.25)
            painter.fillRect(QRectF(x, height - bar, column, bar), colour)
