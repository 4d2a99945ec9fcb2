"""The generation worker: owns the backend in its own thread, newest request wins.

Requests arrive through a queued signal. While an artwork is being made, newer requests
wait in the thread's event queue; at each step the worker delivers them, each replacing
the pending one, and only the last is generated next. With `interrupt_stale` on, a newer
request also stops the running job at that step. No state is shared with the UI thread.
"""

from __future__ import annotations

import logging
import traceback
from dataclasses import replace
from typing import Callable

from PySide6.QtCore import QCoreApplication, QObject, QTimer, Signal, Slot

from animo_desktop.generation.backend import GenerationBackend, GenerationInterrupted
from animo_desktop.messages import GenerationProgress, GenerationRequest, WorkerError
from animo_desktop.session import save_artwork_files

log = logging.getLogger(__name__)

# Builds the backend in the worker's thread; reports loading steps through its argument.
BackendFactory = Callable[[Callable[[str], None]], tuple[GenerationBackend, list[str]]]


class GenerationWorker(QObject):
    backend_ready = Signal(object)  # BackendInfo
    artwork_ready = Signal(object)  # Artwork
    progress = Signal(object)  # GenerationProgress
    failed = Signal(object)  # WorkerError
    warning = Signal(str)
    loading = Signal(str)  # a step of loading the model, for the status bar

    interrupted = Signal(int)  # job id stopped for a newer request

    def __init__(self, backend_factory: BackendFactory, interrupt_stale: bool = False):
        super().__init__()
        self._backend_factory = backend_factory
        self._backend: GenerationBackend | None = None
        self._pending: GenerationRequest | None = None
        self._interrupt_stale = interrupt_stale
        self._busy = False  # a job is running (events are processed during its steps)

    @Slot()
    def start(self) -> None:
        try:
            self._backend, warnings = self._backend_factory(self.loading.emit)
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
        if self._pending is None and not self._busy:
            QTimer.singleShot(0, self._generate_pending)
        elif self._pending is not None:
            log.debug("request %d replaced by %d", self._pending.job_id, request.job_id)
        self._pending = request

    def _generate_pending(self) -> None:
        request, self._pending = self._pending, None
        if request is None or self._backend is None:
            return
        self._busy = True
        try:
            self._generate(request)
        finally:
            self._busy = False
            if self._pending is not None:
                QTimer.singleShot(0, self._generate_pending)

    def _generate(self, request: GenerationRequest) -> None:
        try:
            artwork = self._backend.generate(request, self._on_step)
        except GenerationInterrupted:
            log.info("job %d interrupted for a newer request", request.job_id)
            self.interrupted.emit(request.job_id)
            return
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

    def _on_step(self, progress: GenerationProgress) -> bool:
        self.progress.emit(progress)
        # Deliver requests queued to this thread meanwhile: they land in self._pending.
        QCoreApplication.processEvents()
        return not (self._interrupt_stale and self._pending is not None)

    @Slot(bool)
    def set_interrupt_stale(self, enabled: bool) -> None:
        self._interrupt_stale = enabled
