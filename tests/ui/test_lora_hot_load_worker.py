"""A LoRA trained while the session runs reaches the generation worker as a LoraTrained
message: loaded between two artworks (never during one), said to the therapist; with the
built-in painter, told that Stable Diffusion will use it."""

from pathlib import Path

import pytest
from PySide6.QtCore import QObject, Signal

from animo_desktop.emotions import Emotion
from animo_desktop.generation.painter_backend import PainterBackend
from animo_desktop.messages import LoraTrained
from animo_desktop.ui.generation_worker import GenerationWorker
from animo_desktop.ui.worker_thread import WorkerThread
from tests.ui.test_generation_worker import SteppingBackend, request

TRAINED = LoraTrained(Emotion.JOY, Path("/loras/joy.safetensors"), Path("/loras/emotions.toml"))


class ReloadingBackend(SteppingBackend):
    """Records, for each LoRA it loads, whether an artwork was being made meanwhile."""

    def __init__(self):
        super().__init__()
        self.generating = False
        self.reloads: list[tuple[LoraTrained, bool]] = []

    def generate(self, request, on_progress):
        self.generating = True
        try:
            return super().generate(request, on_progress)
        finally:
            self.generating = False

    def reload_lora(self, trained):
        self.reloads.append((trained, self.generating))
        return []


class Relay(QObject):
    requested = Signal(object)
    lora_trained = Signal(object)


def started_worker(qtbot, backend):
    worker = GenerationWorker(lambda report: (backend, []))
    thread = WorkerThread(worker, worker.start, "test-generation")
    ready, notices = [], []
    worker.backend_ready.connect(ready.append)
    worker.notice.connect(notices.append)
    thread.start()
    qtbot.waitUntil(lambda: bool(ready))
    relay = Relay()
    relay.requested.connect(worker.submit)
    relay.lora_trained.connect(worker.reload_lora)
    return thread, relay, notices


@pytest.fixture
def stop_afterwards():
    threads = []
    yield threads.append
    for thread in threads:
        thread.stop()


def test_a_lora_trained_mid_artwork_is_loaded_once_it_is_done(qtbot, stop_afterwards):
    backend = ReloadingBackend()
    thread, relay, notices = started_worker(qtbot, backend)
    stop_afterwards(thread)
    finished = []
    thread.worker.artwork_ready.connect(lambda artwork: finished.append(artwork.job_id))
    relay.requested.emit(request(1))
    qtbot.waitUntil(lambda: backend.started_jobs == [1])
    relay.lora_trained.emit(TRAINED)
    qtbot.waitUntil(lambda: finished == [1] and bool(backend.reloads), timeout=5000)
    assert backend.reloads == [(TRAINED, False)]
    qtbot.waitUntil(lambda: bool(notices))
    assert notices == ["The new joy LoRA (joy.safetensors) is in use from the next joy "
                       "artwork."]


def test_the_painter_says_stable_diffusion_will_use_it(qtbot, stop_afterwards):
    thread, relay, notices = started_worker(qtbot, PainterBackend())
    stop_afterwards(thread)
    relay.lora_trained.emit(TRAINED)
    qtbot.waitUntil(lambda: bool(notices))
    assert notices[0].startswith("The joy LoRA is trained: it is used when Stable Diffusion "
                                 "makes the artworks")
