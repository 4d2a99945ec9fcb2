"""The canvas's image work, off the UI thread: fitting artworks to their placements,
painting them onto the canvas, reading originals back from the session folder.

The UI thread sends jobs through signals and gets `Painted` results back the same way.
Every layout has a generation number; a newer one makes the painter drop the older job at
once (latest wins), so a burst of mode switches costs one relayout, not a queue of them.
No original is kept here: each is read, fitted, painted and let go; one wholly hidden
under newer artworks is not read at all.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from PIL import Image
from PySide6.QtCore import QObject, QThread, Signal, Slot
from PySide6.QtGui import QImage

from animo_desktop.composition import (CanvasSpec, CompositionMode, Painting, Placement,
                                       display_scale, scaled_for_display, visible_artworks)
from animo_desktop.session import read_artwork_image
from animo_desktop.ui.images import to_qimage

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

    def __init__(self) -> None:
        super().__init__()
        # Written by the UI thread (a plain int: atomic), read here between artworks.
        self.wanted_generation = 0
        self._painting: Painting | None = None
        self._on_canvas: list[int] = []
        self._generation = -1
        self._sequence = 0

    @Slot()
    def start(self) -> None:
        # Image work yields to the UI thread and the generation worker.
        QThread.currentThread().setPriority(QThread.Priority.LowPriority)

    def _superseded(self, generation: int) -> bool:
        return (generation != self.wanted_generation
                or QThread.currentThread().isInterruptionRequested())

    @Slot(object)
    def compose(self, job: ComposeJob) -> None:
        if self._superseded(job.generation):
            return
        painting, on_canvas = Painting(job.canvas, job.mode), []
        visible = visible_artworks(job.canvas, job.mode,
                                   [(index, placement) for index, placement, _ in job.artworks])
        for index, placement, source in job.artworks:
            if self._superseded(job.generation):
                log.debug("layout %d dropped for a newer one", job.generation)
                return
            if index in visible:
                image = source if isinstance(source, Image.Image) else read_artwork_image(source)
                if image is None:
                    continue
                painting.add(placement, image)
            on_canvas.append(index)
        self._painting, self._on_canvas, self._generation = painting, on_canvas, job.generation
        self._emit(job.artworks[-1][0] if job.artworks else None, None)

    @Slot(object)
    def add(self, job: AddJob) -> None:
        if job.generation != self._generation or self._superseded(job.generation):
            return  # made for a layout that has been replaced; the new one includes it
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
