"""The session canvas on screen: each artwork a pixmap item that fades in where the
composition placed it; the view always fits the whole canvas."""

from __future__ import annotations

from PIL import Image
from PySide6.QtCore import QRectF, Qt, QVariantAnimation, Signal
from PySide6.QtGui import QBrush, QColor, QMouseEvent, QPainter, QResizeEvent
from PySide6.QtWidgets import (QFrame, QGraphicsPixmapItem, QGraphicsScene, QGraphicsView,
                               QWidget)

from animo_desktop.composition import CanvasSpec
from animo_desktop.session import ArtworkRecord
from animo_desktop.ui.images import to_qpixmap

FADE_MS = 700


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

    def _fit(self) -> None:
        self.fitInView(self.scene().sceneRect(), Qt.AspectRatioMode.KeepAspectRatio)
