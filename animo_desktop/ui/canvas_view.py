"""The session canvas on screen: one pixmap of the whole painting (made off the UI thread
by the canvas painter, at most DISPLAY_MAX_SIDE wide), and each new artwork fading in on
top of it until the painting that includes it takes over. The view fits the whole canvas;
the wheel zooms (up to 8x) and a drag pans; in installation mode it drifts slowly so the
canvas lives between artworks, the whole canvas always on screen (composition/drift.py). However many artworks, the scene holds one painting and the
few artworks still fading."""

from __future__ import annotations

import time

from PySide6.QtCore import QEvent, QRectF, Qt, QTimer, QVariantAnimation, Signal
from PySide6.QtGui import (QBrush, QColor, QHelpEvent, QMouseEvent, QPainter, QPixmap,
                           QResizeEvent, QTransform, QWheelEvent)
from PySide6.QtWidgets import (QFrame, QGraphicsPixmapItem, QGraphicsScene, QGraphicsView,
                               QLabel, QToolTip, QWidget)

from animo_desktop.composition import CanvasSpec, CompositionMode, Placement, artwork_at
from animo_desktop.composition.drift import drift_at
from animo_desktop.emotions import Emotion
from animo_desktop.session import ArtworkRecord
from animo_desktop.ui.canvas_painter import Painted

FADE_MS = 700
MAX_ZOOM = 8.0
WHEEL_STEP = 1.15
DRIFT_FRAME_MS = 50


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
        # The artworks on the canvas, in painting order, and where the painting shown has
        # them (the session may have moved them already): for clicks and tooltips.
        self._records: dict[int, ArtworkRecord] = {}
        self._placements: dict[int, Placement] = {}
        self._mode = CompositionMode.COLLAGE
        self._painting: QGraphicsPixmapItem | None = None
        self._sequence = 0  # of the painting shown: an older one never replaces it
        self._fades: dict[QVariantAnimation, QGraphicsPixmapItem] = {}
        self.zoom = 1.0  # relative to the whole canvas fitting the view
        self._drift = QTimer(self)
        self._drift.setInterval(DRIFT_FRAME_MS)
        self._drift.timeout.connect(self._drift_step)
        self._drift_started = 0.0
        self._canvas = CanvasSpec()
        self._borderless = False
        self.glyph = QLabel(self.viewport())
        self.glyph.setObjectName("emotionGlyph")
        self.glyph.hide()
        self.reset(CanvasSpec())

    @property
    def artwork_count(self) -> int:
        return len(self._records)

    @property
    def fading_count(self) -> int:
        return len(self._fades)

    def reset(self, canvas: CanvasSpec) -> None:
        self._stop_fades()
        self.scene().clear()
        self._records.clear()
        self._placements.clear()
        self._sequence = 0
        self._canvas = canvas
        self.set_borderless(self._borderless)
        self.scene().setSceneRect(QRectF(0, 0, canvas.width, canvas.height))
        self.scene().addRect(self.scene().sceneRect(), Qt.PenStyle.NoPen,
                             QBrush(QColor(canvas.background)))
        self._painting = QGraphicsPixmapItem()
        self._painting.setTransformationMode(Qt.TransformationMode.SmoothTransformation)
        self.scene().addItem(self._painting)
        self.fit_whole_canvas()

    def add_artwork(self, record: ArtworkRecord, painted: Painted) -> None:
        """A new artwork fades in on top; then the painting that holds it replaces it."""
        self._records[record.index] = record
        self._placements[record.index] = record.placement
        self._mode = painted.mode
        item = QGraphicsPixmapItem(QPixmap.fromImage(painted.fitted))
        item.setTransformationMode(Qt.TransformationMode.SmoothTransformation)
        item.setScale(1 / painted.scale)
        item.setPos(record.placement.x, record.placement.y)
        item.setZValue(painted.sequence)
        item.setOpacity(0.0)
        self.scene().addItem(item)
        fade = QVariantAnimation(self)
        fade.setStartValue(0.0)
        fade.setEndValue(1.0)
        fade.setDuration(FADE_MS)
        fade.valueChanged.connect(item.setOpacity)
        fade.finished.connect(lambda: self._faded_in(fade, painted))
        self._fades[fade] = item
        fade.start()

    def _faded_in(self, fade: QVariantAnimation, painted: Painted) -> None:
        self.scene().removeItem(self._fades.pop(fade))
        fade.deleteLater()
        self._show_painting(painted)

    def relay(self, records: list[ArtworkRecord], painted: Painted) -> None:
        """The whole canvas anew (mode switch, mosaic growth, removal, restore)."""
        self._stop_fades()
        self._records = {record.index: record for record in records}
        self._placements = {record.index: record.placement for record in records}
        self._mode = painted.mode
        self._show_painting(painted)

    def _show_painting(self, painted: Painted) -> None:
        if painted.sequence <= self._sequence:
            return
        self._sequence = painted.sequence
        self._painting.setPixmap(QPixmap.fromImage(painted.display))
        self._painting.setScale(1 / painted.scale)

    def _stop_fades(self) -> None:
        for fade, item in self._fades.items():
            fade.stop()
            fade.deleteLater()
            self.scene().removeItem(item)
        self._fades.clear()

    def shown_painting(self) -> QPixmap:
        """What the canvas shows under any artwork still fading in."""
        return self._painting.pixmap()

    def remove_artwork(self, index: int) -> None:
        self._records.pop(index, None)  # the painting without it follows from the painter
        self._placements.pop(index, None)

    def artwork_at(self, scene_x: float, scene_y: float) -> int | None:
        """The topmost artwork at this canvas point."""
        return artwork_at(self._canvas, self._mode, list(self._placements.items()),
                          scene_x, scene_y)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        super().mouseReleaseEvent(event)
        if event.button() != Qt.MouseButton.LeftButton:
            return
        point = self.mapToScene(event.position().toPoint())
        index = self.artwork_at(point.x(), point.y())
        if index is not None:
            self.artwork_clicked.emit(index, event.globalPosition().toPoint())

    def viewportEvent(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip:
            self._show_tooltip(event)
            return True
        return super().viewportEvent(event)

    def _show_tooltip(self, event: QHelpEvent) -> None:
        point = self.mapToScene(event.pos())
        index = self.artwork_at(point.x(), point.y())
        if index is None:
            QToolTip.hideText()
            return
        meta = self._records[index].metadata
        QToolTip.showText(event.globalPos(), f"{meta.emotion.display_name} · "
                                             f"{meta.created_at[11:19]} · seed {meta.seed}",
                          self.viewport())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.fit_whole_canvas()
        self.glyph.move(24, self.viewport().height() - self.glyph.height() - 24)

    def fit_whole_canvas(self) -> None:
        self.zoom = 1.0
        self.setSceneRect(self.scene().sceneRect())  # the drift may have moved it
        self.setDragMode(QGraphicsView.DragMode.NoDrag)
        self.fitInView(self.scene().sceneRect(), Qt.AspectRatioMode.KeepAspectRatio)

    # --- zoom and pan ----------------------------------------------------------------
    def wheelEvent(self, event: QWheelEvent) -> None:
        if self._drift.isActive():
            return
        steps = event.angleDelta().y() / 120
        target = min(MAX_ZOOM, max(1.0, self.zoom * WHEEL_STEP ** steps))
        if target == 1.0:
            self.fit_whole_canvas()
            return
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.scale(target / self.zoom, target / self.zoom)
        self.zoom = target
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        self.fit_whole_canvas()  # back to the whole canvas

    # --- installation mode -------------------------------------------------------------
    def set_borderless(self, enabled: bool) -> None:
        """The canvas's own colour all around it (installation mode): on a wide screen the
        painting then sits on one calm field rather than between dark bands."""
        self._borderless = enabled
        self.setBackgroundBrush(QBrush(QColor(self._canvas.background)) if enabled
                                else QBrush(Qt.BrushStyle.NoBrush))

    def set_drift(self, enabled: bool) -> None:
        if enabled:
            self._drift_started = time.monotonic()
            self._drift.start()
        else:
            self._drift.stop()
            self.fit_whole_canvas()

    def _drift_step(self) -> None:
        self.drift_to(time.monotonic() - self._drift_started)

    def drift_to(self, seconds: float) -> None:
        """Show the canvas as the drift has it `seconds` in."""
        canvas = self.scene().sceneRect()
        viewport = self.viewport().size()
        scale, dx, dy = drift_at(seconds, (canvas.width(), canvas.height()),
                                 (viewport.width(), viewport.height()))
        # The canvas is smaller than the view, which centres the rect it is given: moving
        # that rect the other way moves the canvas off centre by (dx, dy).
        self.setSceneRect(canvas.translated(-dx, -dy))
        self.setTransform(QTransform.fromScale(scale, scale))
        self.zoom = scale / min(viewport.width() / canvas.width(),
                                viewport.height() / canvas.height())

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
