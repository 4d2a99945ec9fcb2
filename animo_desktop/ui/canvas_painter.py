"""The canvas's image work, off the UI thread: fitting artworks to their placements,
painting them onto the canvas, reading originals back from the session folder.

The UI thread sends jobs through signals and gets `Painted` results back the same way.
Every layout has a generation number. Between artworks the painter takes in the jobs
queued to its thread meanwhile; a newer layout makes it drop the one in progress (latest
wins), so a burst of mode switches costs one relayout, not a queue of them. No state is
shared with the UI thread.
No original is kept here: each is read, fitted, painted and let go; one wholly hidden
under newer artworks is not read at all.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from PIL import Image
from PySide6.QtCore import QCoreApplication, QObject, QThread, QTimer, Signal, Slot
from PySide6.QtGui import QImage

from animo_desktop.composition import (CanvasSpec, CompositionMode, Painting, Placement,
                                       display_scale, scaled_for_display, visible_artworks)
from animo_desktop.session import read_artwork_image
from animo_desktop.ui.images import to_qimage
from animo_desktop.ui.worker_thread import crash_guarded

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ComposeJob:
    """Paint the whole canvas anew: every artwork, in painting order, from its file (or
    from memory, for an artwork that could not be saved)."""

    generation: int
    canvas: CanvasSpec
    mode: CompositionMode
    artworks: tuple[tuple[int, Placement, Path | Image.Image], ...]


@dataclass(frozen=True)
class AddJob:
    """Paint one new artwork on top of the canvas of its generation."""

    generation: int
    index: int
    placement: Placement
    image: Image.Image


@dataclass(frozen=True)
class Painted:
    generation: int
    sequence: int  # grows with every painting made: a later one always wins on screen
    mode: CompositionMode
    # The artworks on the canvas, in painting order: painted, or hidden under newer ones
    # (an unreadable file leaves its artwork out).
    indices: tuple[int, ...]
    newest: int | None  # the last artwork of the job, painted or found unreadable
    painting: Image.Image  # the canvas, full size (RGB): what an export writes
    display: QImage  # the canvas at display scale
    scale: float  # display pixels per canvas pixel
    fitted: QImage | None = None  # for an AddJob: the new artwork at display scale


class CanvasPainter(QObject):
    painted = Signal(object)  # Painted
    crashed = Signal(object)  # WorkerError: its thread runs `start` again (WorkerThread)
    unreadable = Signal(str)  # the path of an artwork file that could not be read back

    def __init__(self) -> None:
        super().__init__()
        self._sequence = 0  # of the paintings sent, across restarts too
        self._reset()

    def _reset(self) -> None:
        self._painting: Painting | None = None
        self._on_canvas: list[int] = []
        self._generation = -1  # of the painting held
        self._wanted = -1  # the newest layout received
        self._pending: ComposeJob | None = None  # that layout, if not being painted yet
        self._composing = False
        self._waiting_adds: list[AddJob] = []  # for the wanted layout, until it is painted

    @Slot()
    def start(self) -> None:
        """(Re)start: nothing painted yet; the next layout paints the canvas anew."""
        self._reset()
        # Image work yields to the UI thread and the generation worker.
        QThread.currentThread().setPriority(QThread.Priority.LowPriority)

    @Slot(object)
    def compose(self, job: ComposeJob) -> None:
        if self._pending is None and not self._composing:
            QTimer.singleShot(0, self._compose_pending)
        self._pending, self._wanted = job, job.generation  # an older layout is dropped
        self._waiting_adds.clear()  # the new layout includes their artworks

    @Slot(object)
    @crash_guarded("canvas")
    def add(self, job: AddJob) -> None:
        if job.generation != self._wanted:
            return  # made for a layout that has been replaced; the new one includes it
        if self._generation != self._wanted:
            self._waiting_adds.append(job)  # painted once its layout is
            return
        self._paint_added(job)

    @crash_guarded("canvas")
    def _compose_pending(self) -> None:
        job, self._pending = self._pending, None
        if job is None:
            return
        self._composing = True
        try:
            composed = self._compose(job)
        finally:
            self._composing = False
        if self._pending is not None:  # a newer layout came meanwhile
            QTimer.singleShot(0, self._compose_pending)
            return
        if composed:
            adds, self._waiting_adds = self._waiting_adds, []
            for add in adds:
                self._paint_added(add)

    def _compose(self, job: ComposeJob) -> bool:
        """Paint the job's canvas; False if a newer layout (or the end) stopped it."""
        painting, on_canvas = Painting(job.canvas, job.mode), []
        visible = visible_artworks(job.canvas, job.mode,
                                   [(index, placement) for index, placement, _ in job.artworks])
        for index, placement, source in job.artworks:
            # Deliver jobs queued meanwhile: a newer layout lands in self._pending.
            QCoreApplication.processEvents()
            if self._pending is not None or QThread.currentThread().isInterruptionRequested():
                log.debug("layout %d dropped for a newer one", job.generation)
                return False
            if index in visible:
                image = source if isinstance(source, Image.Image) else read_artwork_image(source)
                if image is None:
                    self.unreadable.emit(str(source))
                    continue
                painting.add(placement, image)
            else:
                painting.pass_hidden()
            on_canvas.append(index)
        self._painting, self._on_canvas, self._generation = painting, on_canvas, job.generation
        self._emit(job.artworks[-1][0] if job.artworks else None, None)
        return True

    def _paint_added(self, job: AddJob) -> None:
        fitted = self._painting.add(job.placement, job.image)
        self._on_canvas.append(job.index)
        self._emit(job.index, fitted)

    def _emit(self, newest: int | None, fitted: Image.Image | None) -> None:
        painting = self._painting
        scale = display_scale(painting.canvas)
        image = painting.image()
        self._sequence += 1
        self.painted.emit(Painted(
            self._generation, self._sequence, painting.mode, tuple(self._on_canvas), newest,
            image,
            to_qimage(scaled_for_display(image, scale)), scale,
            None if fitted is None else to_qimage(scaled_for_display(fitted, scale))))
