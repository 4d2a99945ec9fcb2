"""The generation worker: owns the backend in its own thread, newest request wins.

Requests arrive through a queued signal. While an artwork is being made, newer requests
wait in the thread's event queue; when it is done, they are all delivered, each replacing
the pending one, and only the last is generated. No state is shared with the UI thread.
"""

from __future__ import annotations

import logging
import traceback
from dataclasses import replace
from typing import Callable

from PySide6.QtCore import QObject, QThread, QTimer, Signal, Slot

from animo_desktop.generation.backend import GenerationBackend
from animo_desktop.messages import GenerationRequest, WorkerError
from animo_desktop.session import save_artwork_files

log = logging.getLogger(__name__)

BackendFactory = Callable[[], tuple[GenerationBackend, list[str]]]


class GenerationWorker(QObject):
    backend_ready = Signal(object)  # BackendInfo
    artwork_ready = Signal(object)  # Artwork
    progress = Signal(object)  # GenerationProgress
    failed = Signal(object)  # WorkerError
    warning = Signal(str)

    def __init__(self, backend_factory: BackendFactory):
        super().__init__()
        self._backend_factory = backend_factory
        self._backend: GenerationBackend | None = None
        self._pending: GenerationRequest | None = None

    @Slot()
    def start(self) -> None:
        try:
            self._backend, warnings = self._backend_factory()
        except Exception as error:  # a broken model must not take the session down
            log.exception("generation backend failed to start")
            self.failed.emit(WorkerError("generation", f"The generation backend failed to "
                                         f"start: {error}", traceback.format_exc()))
            return
        for text in warnings:
            log.warning(text)
            self.warning.emit(text)
        self.backend_ready.emit(self._backend.info)

    @Slot(object)
    def submit(self, request: GenerationRequest) -> None:
        if self._pending is None:
            QTimer.singleShot(0, self._generate_pending)
        else:
            log.debug("request %d replaced by %d", self._pending.job_id, request.job_id)
        self._pending = request

    def _generate_pending(self) -> None:
        request, self._pending = self._pending, None
        if request is None or self._backend is None:
            return
        try:
            artwork = self._backend.generate(request, self.progress.emit)
        except Exception as error:
            log.exception("generation of job %d failed", request.job_id)
            self.failed.emit(WorkerError("generation", f"An artwork could not be made: {error}",
                                         traceback.format_exc()))
            return
        if request.save_as is not None:
            try:
                save_artwork_files(request.save_as, artwork.image, artwork.metadata)
                artwork = replace(artwork, saved_to=request.save_as)
            except OSError as error:
                log.error("artwork %s could not be saved: %s", request.save_as, error)
                self.failed.emit(WorkerError(
                    "session", f"The artwork could not be saved ({error.strerror or error}); "
                    "it stays on the canvas.", str(error)))
        self.artwork_ready.emit(artwork)


class GenerationThread(QObject):
    """Starts a GenerationWorker in its own QThread and stops it cleanly."""

    def __init__(self, backend_factory: BackendFactory, parent: QObject | None = None):
        super().__init__(parent)
        self.worker = GenerationWorker(backend_factory)
        self._thread = QThread(self)
        self._thread.setObjectName("animo-generation")
        self.worker.moveToThread(self._thread)
        self._thread.started.connect(self.worker.start)
        self._thread.finished.connect(self.worker.deleteLater)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._thread.quit()
        self._thread.wait()
