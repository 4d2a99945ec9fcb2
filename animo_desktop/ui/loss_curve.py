"""The training's loss over its steps, drawn with QPainter: a line that should trend
down as the LoRA learns (each step's loss is noisy: the timestep is drawn at random, so
a running mean is drawn over it)."""

from __future__ import annotations

from typing import Sequence

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPen, QPolygonF
from PySide6.QtWidgets import QSizePolicy, QWidget

EMPTY_TEXT = "The loss, step by step, once training runs"
MARGIN = 6.0
RUNNING_MEAN_STEPS = 10
STEP_COLOUR = "#6b6f75"
MEAN_COLOUR = "#c9b458"


def running_mean(values: Sequence[float], window: int = RUNNING_MEAN_STEPS) -> list[float]:
    means, total = [], 0.0
    for index, value in enumerate(values):
        total += value
        if index >= window:
            total -= values[index - window]
        means.append(total / min(index + 1, window))
    return means


def curve_points(values: Sequence[float], area: QRectF, low: float, high: float
                 ) -> list[QPointF]:
    """values spread over the area's width, low at its bottom and high at its top."""
    span = (high - low) or 1.0
    last = max(1, len(values) - 1)
    return [QPointF(area.left() + area.width() * index / last,
                    area.bottom() - area.height() * (value - low) / span)
            for index, value in enumerate(values)]


class LossCurve(QWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setToolTip("The training loss at each step (grey) and its running mean")
        self.losses: tuple[float, ...] = ()

    def sizeHint(self) -> QSize:
        return QSize(320, 90)

    def show_losses(self, losses: Sequence[float]) -> None:
        self.losses = tuple(losses)
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        area = QRectF(self.rect()).adjusted(MARGIN, MARGIN, -MARGIN, -MARGIN)
        painter.setPen(QPen(QColor(STEP_COLOUR), 1.0, Qt.PenStyle.DotLine))
        painter.drawRect(area)
        if len(self.losses) < 2:
            painter.drawText(area, Qt.AlignmentFlag.AlignCenter, EMPTY_TEXT)
            return
        low, high = min(self.losses), max(self.losses)
        for values, colour, width in ((self.losses, STEP_COLOUR, 1.0),
                                      (running_mean(self.losses), MEAN_COLOUR, 2.0)):
            painter.setPen(QPen(QColor(colour), width))
            painter.drawPolyline(QPolygonF(curve_points(values, area, low, high)))
