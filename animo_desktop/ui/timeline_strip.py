"""The therapist's summary strip: the session's emotions as coloured bands over time,
the artworks as ticks; hovering tells what was when and for how long."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from animo_desktop.timeline import Segment

PAUSED_COLOUR = "#3a3d42"
TICK_COLOUR = "#e6e2da"
TICK_REACH = 2.5  # pixels either side of an artwork tick that hovering names it


def format_duration(seconds: float) -> str:
    minutes, seconds = divmod(int(round(seconds)), 60)
    return f"{minutes}:{seconds:02d}"


class TimelineStrip(QWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("timelineStrip")
        self.setMouseTracking(True)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setToolTip("Emotions of this session over time; ticks mark artworks")
        self._segments: list[Segment] = []
        self._artwork_times: list[float] = []
        self._length = 1.0

    def sizeHint(self) -> QSize:
        return QSize(400, 34)

    def show_timeline(self, segments: list[Segment], artwork_times: list[float],
                      now: float) -> None:
        self._segments = segments
        self._artwork_times = artwork_times
        self._length = max(now, 1.0)
        self.update()

    def _x(self, seconds: float) -> float:
        return 8 + (self.width() - 16) * seconds / self._length

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        band = QRectF(8, 10, self.width() - 16, self.height() - 20)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor("#26292e"))
        painter.drawRoundedRect(band, 4, 4)
        for segment in self._segments:
            colour = segment.emotion.style.ui_colour if segment.emotion else PAUSED_COLOUR
            painter.setBrush(QColor(colour))
            left, right = self._x(segment.start), self._x(segment.end)
            painter.drawRect(QRectF(left, band.top(), max(1.0, right - left), band.height()))
        painter.setPen(QPen(QColor(TICK_COLOUR), 1.5))
        for seconds in self._artwork_times:
            x = self._x(seconds)
            painter.drawLine(QPointF(x, 3), QPointF(x, band.top() + 3))
        painter.end()

    def segment_at(self, x: float) -> Segment | None:
        seconds = (x - 8) / max(1.0, self.width() - 16) * self._length
        return next((s for s in self._segments if s.start <= seconds < s.end), None)

    def artwork_at(self, x: float) -> float | None:
        """The time of the artwork whose tick is at x (within TICK_REACH pixels)."""
        near = [(abs(self._x(t) - x), t) for t in self._artwork_times
                if abs(self._x(t) - x) <= TICK_REACH]
        return min(near)[1] if near else None

    def tooltip_at(self, x: float) -> str | None:
        """What hovering at x tells: an artwork tick its time; a band its emotion, start,
        end and duration (m:ss) and the artworks made in it."""
        seconds = self.artwork_at(x)
        if seconds is not None:
            return f"Artwork at {format_duration(seconds)}"
        segment = self.segment_at(x)
        if segment is None:
            return None
        name = segment.emotion.display_name if segment.emotion else "Paused"
        artworks = sum(segment.start <= t < segment.end for t in self._artwork_times)
        return (f"{name}: {format_duration(segment.start)} – {format_duration(segment.end)}"
                f" ({format_duration(segment.duration)}), "
                f"{artworks} artwork{'s' if artworks != 1 else ''}")

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip:
            text = self.tooltip_at(event.pos().x()) or self.toolTip()
            QToolTip.showText(event.globalPos(), text, self)
            return True
        return super().event(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        text = self.tooltip_at(event.position().x())
        if text is None:
            QToolTip.hideText()
        else:
            QToolTip.showText(event.globalPosition().toPoint(), text, self)
