"""The generation worker: owns the backend in its own thread, newest request wins.

Requests arrive through a queued signal. While an artwork is being made, newer requests
wait in the thread's event queue; at each step the worker delivers them, each replacing
the pending one, and only the last is generated next. With `interrupt_stale` on, a newer
request also stops the running job at that step. No state is shared with the UI thread.

A LoRA trained while the session runs (LoraTrained) is loaded between two artworks, never
during one: the slot can run inside a step, when the worker delivers queued requests.

An unexpected error while starting or generating is a crash: the WorkerThread runs
`start` again, which builds a fresh backend and goes on with the request that was being
made. If it keeps crashing, the session controller has it fall back to the painter.

A backend that holds a connection (ComfyUI: a websocket, a retry thread) is closed in
this thread whenever it is replaced (a rebuild, the therapist's choice of another
backend, the fall-back) and when the thread ends at quit (`close_backend`).
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Protocol, runtime_checkable

from PySide6.QtCore import QCoreApplication, QObject, QThread, QTimer, Signal, Slot

from animo_desktop.folder_deadline import DeadlinePassed, ReadingAbandoned, finish_within
from animo_desktop.generation.backend import (BackendFactory, GenerationBackend,
                                              GenerationInterrupted)
from animo_desktop.messages import GenerationProgress, GenerationRequest, LoraTrained, WorkerError
from animo_desktop.session import save_artwork_files
from animo_desktop.ui.worker_thread import crash_guarded

log = logging.getLogger(__name__)

# SD 1.5 loads in 5 to 30 s from a local disk, a few times that from a slow share.
MODEL_LOAD_DEADLINE_S = 180.0

@runtime_checkable
class ReloadsLoras(Protocol):
    """A backend with emotion LoRAs (Stable Diffusion) loads a newly trained one."""

    def reload_lora(self, trained: LoraTrained) -> list[str]:
        """Use it from the next artwork; returns warnings (none: it is in use)."""
        ...


@runtime_checkable
class Closable(Protocol):
    """A backend that holds a connection lets go of it (ComfyUI: stops retrying, closes
    its websocket)."""

    def close(self) -> None:
        ...


class GenerationWorker(QObject):
    backend_ready = Signal(object)  # BackendInfo
    artwork_ready = Signal(object)  # Artwork
    progress = Signal(object)  # GenerationProgress
    failed = Signal(object)  # WorkerError: an artwork could not be saved
    crashed = Signal(object)  # WorkerError: the backend is rebuilt (WorkerThread)
    warning = Signal(str)
    notice = Signal(str)  # done, for the therapist to know (a new LoRA is in use)
    loading = Signal(str)  # a step of loading the model, for the status bar

    interrupted = Signal(int)  # job id stopped for a newer request

    def __init__(self, backend_factory: BackendFactory, interrupt_stale: bool = False):
        super().__init__()
        self._backend_factory = backend_factory
        self._backend: GenerationBackend | None = None
        self._pending: GenerationRequest | None = None
        self._running: GenerationRequest | None = None
        self._interrupt_stale = interrupt_stale
        self._busy = False  # a job is running (events are processed during its steps)
        self._trained: list[LoraTrained] = []  # to load once no job is running
        self._rebuild_after_job = False  # another backend was chosen during a job

    @Slot()
    @crash_guarded("generation")
    def start(self) -> None:
        """Build the backend (again, after a crash) and go on with any pending request."""
        self.close_backend()
        self._rebuild_after_job = False
        if self._running is not None:  # the request a crash stopped, unless a newer one came
            self._pending = self._pending or self._running
            self._running = None
        self._backend, warnings = self._build_backend()
        if self._backend is None:
            return  # the app is quitting
        for text in warnings:
            log.warning(text)
            self.warning.emit(text)
        self.backend_ready.emit(self._backend.info)
        self._load_trained_loras()
        if self._pending is not None and not self._busy:
            QTimer.singleShot(0, self._generate_pending)

    def _build_backend(self) -> tuple[GenerationBackend | None, list[str]]:
        """The factory's backend and warnings; the painter, saying why, when loading has
        not finished within MODEL_LOAD_DEADLINE_S (a model on a share that stalled); None
        when the app quits meanwhile, so that quitting never waits for a stuck load."""
        from animo_desktop.generation.backend import create_backend

        steps = ["starting"]  # the step it got to, named when it stalls

        def report_loading(text: str) -> None:
            steps.append(text)
            self.loading.emit(text)

        try:
            return finish_within(lambda: self._backend_factory(report_loading),
                                 MODEL_LOAD_DEADLINE_S,
                                 abandon=QThread.currentThread().isInterruptionRequested)
        except ReadingAbandoned:
            return None, []
        except DeadlinePassed:
            log.error("the generator did not finish loading within %g s, at: %s",
                      MODEL_LOAD_DEADLINE_S, steps[-1])
            painter, _ = create_backend("painter")
            return painter, [f"The model did not finish loading within "
                             f"{MODEL_LOAD_DEADLINE_S:g} s (at: {steps[-1]}): a network "
                             "share that stalls? The built-in painter makes the artworks."]

    @Slot()
    def fall_back(self) -> None:
        """Use the built-in painter from now on (the backend kept crashing)."""
        from animo_desktop.generation.backend import create_backend
        self.use_backend(lambda report_loading: create_backend("painter"))

    @Slot(object)
    def use_backend(self, factory: BackendFactory) -> None:
        """Build the backend with this factory from now on, closing the one in use. A job
        delivers queued calls at each step: the backend making it is replaced after it."""
        self._backend_factory = factory
        if self._busy:
            self._rebuild_after_job = True
        else:
            self.start()

    @Slot()
    def close_backend(self) -> None:
        backend, self._backend = self._backend, None
        if isinstance(backend, Closable):
            backend.close()

    @Slot(object)
    def submit(self, request: GenerationRequest) -> None:
        if self._pending is None and not self._busy:
            QTimer.singleShot(0, self._generate_pending)
        elif self._pending is not None:
            log.debug("request %d replaced by %d", self._pending.job_id, request.job_id)
        self._pending = request

    @crash_guarded("generation")
    def _generate_pending(self) -> None:
        if self._backend is None:
            return  # not started yet: `start` takes the pending request up
        request, self._pending = self._pending, None
        if request is None:
            return
        self._busy, self._running = True, request  # kept if it crashes: made after restart
        try:
            self._generate(request)
        finally:
            self._busy = False
        self._running = None
        if self._rebuild_after_job:
            self.start()  # goes on with the pending request
            return
        self._load_trained_loras()
        if self._pending is not None:
            QTimer.singleShot(0, self._generate_pending)

    def _generate(self, request: GenerationRequest) -> None:
        try:
            artwork = self._backend.generate(request, self._on_step)
        except GenerationInterrupted:
            log.info("job %d interrupted for a newer request", request.job_id)
            self.interrupted.emit(request.job_id)
            return
        if request.save_as is not None:
            try:
                save_artwork_files(request.save_as, artwork.image, artwork.metadata)
                artwork = replace(artwork, saved_to=request.save_as)
            except OSError as error:  # logged by the controller, with the path
                self.failed.emit(WorkerError(
                    "session", f"The artwork could not be saved ({error.strerror or error}); "
                    "it stays on the canvas.", str(error)))
        self.artwork_ready.emit(artwork)

    def _on_step(self, progress: GenerationProgress) -> bool:
        self.progress.emit(progress)
        # Deliver requests queued to this thread meanwhile: they land in self._pending.
        QCoreApplication.processEvents()
        return not (self._interrupt_stale and self._pending is not None)

    @Slot(object)
    def reload_lora(self, trained: LoraTrained) -> None:
        self._trained.append(trained)
        if not self._busy:
            self._load_trained_loras()

    def _load_trained_loras(self) -> None:
        if self._backend is None:
            return  # `start` loads them once the backend is built
        trained_loras, self._trained = self._trained, []
        for trained in trained_loras:
            name = trained.emotion.value
            if not isinstance(self._backend, ReloadsLoras):
                self.notice.emit(f"The {name} LoRA is trained: it is used when Stable "
                                 "Diffusion makes the artworks (the "
                                 f"{self._backend.info.name} backend makes them now).")
                continue
            problems = self._backend.reload_lora(trained)
            for text in problems:
                log.warning(text)
                self.warning.emit(text)
            if not problems:
                self.notice.emit(f"The new {name} LoRA ({trained.lora.name}) is in use from "
                                 f"the next {name} artwork.")

    @Slot(bool)
    def set_interrupt_stale(self, enabled: bool) -> None:
        self._interrupt_stale = enabled
