"""The session canvas on screen: each artwork a pixmap item that fades in where the
composition placed it. The view fits the whole canvas; the wheel zooms (up to 8x) and a
drag pans; in installation mode it drifts slowly so the canvas lives between artworks."""

from __future__ import annotations

import math
import time

from PIL import Image
from PySide6.QtCore import QRectF, Qt, QTimer, QVariantAnimation, Signal
from PySide6.QtGui import QBrush, QColor, QMouseEvent, QPainter, QResizeEvent, QWheelEvent
from PySide6.QtWidgets import (QFrame, QGraphicsPixmapItem, QGraphicsScene, QGraphicsView,
                               QLabel, QWidget)

from animo_desktop.composition import CanvasSpec
from animo_desktop.emotions import Emotion
from animo_desktop.session import ArtworkRecord
from animo_desktop.ui.images import to_qpixmap

FADE_MS = 700
MAX_ZOOM = 8.0
WHEEL_STEP = 1.15
# The drift: a gentle breathing zoom and a slow wander, periods in seconds chosen not to
# repeat together for a long time.
DRIFT_FRAME_MS = 50
DRIFT_ZOOM = (1.06, 0.04, 47.0)  # mean, amplitude, period
DRIFT_PAN_PERIODS = (61.0, 83.0)


class CanvasView(QGraphicsView):
    artwork_clicked = Signal(int, object)  # artwork index, global position

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("canvasView")
        self.setScene(QGraphicsScene(self))
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setRenderHints(QPainter.RenderHint.SmoothPixmapTransform
                            | QPainter.RenderHint.Antialiasing)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.SmartViewportUpdate)
        self._items: dict[int, QGraphicsPixmapItem] = {}
        self._fades: list[QVariantAnimation] = []
        self.zoom = 1.0  # relative to the whole canvas fitting the view
        self._drift = QTimer(self)
        self._drift.setInterval(DRIFT_FRAME_MS)
        self._drift.timeout.connect(self._drift_step)
        self._drift_started = 0.0
        self.glyph = QLabel(self.viewport())
        self.glyph.setObjectName("emotionGlyph")
        self.glyph.hide()
        self.reset(CanvasSpec())

    @property
    def artwork_count(self) -> int:
        return len(self._items)

    def reset(self, canvas: CanvasSpec) -> None:
        for fade in self._fades:
            fade.stop()
        self._fades.clear()
        self.scene().clear()
        self._items.clear()
        self.scene().setSceneRect(QRectF(0, 0, canvas.width, canvas.height))
        self.scene().addRect(self.scene().sceneRect(), Qt.PenStyle.NoPen,
                             QBrush(QColor(canvas.background)))
        self._fit()

    def add_artwork(self, record: ArtworkRecord, fitted: Image.Image, animate: bool) -> None:
        item = QGraphicsPixmapItem(to_qpixmap(fitted))
        item.setTransformationMode(Qt.TransformationMode.SmoothTransformation)
        item.setPos(record.placement.x, record.placement.y)
        item.setZValue(record.index)
        item.setToolTip(f"{record.metadata.emotion.display_name} · "
                        f"{record.metadata.created_at[11:19]} · seed {record.metadata.seed}")
        item.setData(0, record.index)
        self.scene().addItem(item)
        self._items[record.index] = item
        if animate:
            self._fade_in(item)

    def relay(self, placed: list[tuple[ArtworkRecord, Image.Image]]) -> None:
        """Every artwork at a new place (mode switch, mosaic growth, restore)."""
        for item in self._items.values():
            self.scene().removeItem(item)
        self._items.clear()
        for record, fitted in placed:
            self.add_artwork(record, fitted, animate=False)

    def remove_artwork(self, index: int) -> None:
        item = self._items.pop(index, None)
        if item is not None:
            self.scene().removeItem(item)

    def item_for(self, index: int) -> QGraphicsPixmapItem | None:
        return self._items.get(index)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        super().mouseReleaseEvent(event)
        if event.button() != Qt.MouseButton.LeftButton:
            return
        # The topmost artwork under the pointer, ignoring transparent feathered edges.
        for item in self.items(event.position().toPoint()):
            index = item.data(0)
            if index is not None:
                self.artwork_clicked.emit(index, event.globalPosition().toPoint())
                return

    def _fade_in(self, item: QGraphicsPixmapItem) -> None:
        item.setOpacity(0.0)
        fade = QVariantAnimation(self)
        fade.setStartValue(0.0)
        fade.setEndValue(1.0)
        fade.setDuration(FADE_MS)
        fade.valueChanged.connect(item.setOpacity)
        fade.finished.connect(lambda: self._fades.remove(fade))
        self._fades.append(fade)
        fade.start()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit()
        self.glyph.move(24, self.viewport().height() - self.glyph.height() - 24)

    def _fit(self) -> None:
        self.zoom = 1.0
        self.setDragMode(QGraphicsView.DragMode.NoDrag)
        self.fitInView(self.scene().sceneRect(), Qt.AspectRatioMode.KeepAspectRatio)

    # --- zoom and pan ----------------------------------------------------------------
    def wheelEvent(self, event: QWheelEvent) -> None:
        if self._drift.isActive():
            return
        steps = event.angleDelta().y() / 120
        target = min(MAX_ZOOM, max(1.0, self.zoom * WHEEL_STEP ** steps))
        if target == 1.0:
            self._fit()
            return
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.scale(target / self.zoom, target / self.zoom)
        self.zoom = target
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        self._fit()  # back to the whole canvas

    # --- installation mode -------------------------------------------------------------
    def set_drift(self, enabled: bool) -> None:
        if enabled:
            self._drift_started = time.monotonic()
            self._drift.start()
        else:
            self._drift.stop()
            self._fit()

    def _drift_step(self) -> None:
        t = time.monotonic() - self._drift_started
        mean, amplitude, period = DRIFT_ZOOM
        zoom = mean + amplitude * math.sin(2 * math.pi * t / period)
        rect = self.scene().sceneRect()
        # Wander only as far as the zoom leaves canvas beyond the view's edges.
        reach = (1 - 1 / zoom) / 2
        x = rect.center().x() + reach * rect.width() * math.sin(2 * math.pi * t / DRIFT_PAN_PERIODS[0])
        y = rect.center().y() + reach * rect.height() * math.sin(2 * math.pi * t / DRIFT_PAN_PERIODS[1])
        self.fitInView(rect, Qt.AspectRatioMode.KeepAspectRatio)
        self.scale(zoom, zoom)
        self.zoom = zoom
        self.centerOn(x, y)

    def show_glyph(self, emotion: Emotion | None) -> None:
        """A small, discreet sign of the current emotion (installation mode, optional)."""
        if emotion is None:
            self.glyph.hide()
            return
        self.glyph.setText(f"<span style='color:{emotion.style.ui_colour}; font-size:22pt'>●"
                           f"</span>")
        self.glyph.setToolTip(emotion.display_name)
        self.glyph.adjustSize()
        self.glyph.move(24, self.viewport().height() - self.glyph.height() - 24)
        self.glyph.show()
