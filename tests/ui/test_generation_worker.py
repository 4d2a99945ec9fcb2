"""The generation worker's queue: newest request wins, stale jobs are dropped or stopped;
another backend chosen takes over between two jobs, and the one it replaces is closed."""

import time

import pytest
from PIL import Image
from PySide6.QtCore import QObject, QThread, Signal

from animo_desktop.emotions import Emotion
from animo_desktop.generation.backend import GenerationInterrupted
from animo_desktop.messages import (Artwork, ArtworkMetadata, BackendInfo, GenerationProgress,
                                    GenerationRequest)
from animo_desktop.ui.generation_worker import GenerationWorker
from animo_desktop.ui.worker_thread import WorkerThread

STEPS = 10
STEP_SECONDS = 0.03


class SteppingBackend:
    """A backend with real steps, slow enough for requests to arrive mid-job."""

    def __init__(self, name="stepping"):
        self.info = BackendInfo(name, "CPU")
        self.started_jobs = []
        self.closed_in: list[str] = []  # the threads close() ran in

    def generate(self, request, on_progress):
        self.started_jobs.append(request.job_id)
        for step in range(1, STEPS + 1):
            time.sleep(STEP_SECONDS)
            if not on_progress(GenerationProgress(request.job_id, step, STEPS)):
                raise GenerationInterrupted
        metadata = ArtworkMetadata("2026-11-22T10:00:00+00:00", request.emotion,
                                   self.info.name, request.seed, "",
                                   STEP_SECONDS * STEPS * 1000)
        return Artwork(request.job_id, Image.new("RGB", (8, 8)), metadata)

    def close(self):
        self.closed_in.append(QThread.currentThread().objectName())


class Relay(QObject):
    """Sends requests from the test's (UI) thread, as the session controller does."""

    requested = Signal(object)
    backend_chosen = Signal(object)  # BackendFactory


@pytest.fixture
def worker_thread(qtbot):
    backend = SteppingBackend()
    worker = GenerationWorker(lambda report: (backend, []))
    thread = WorkerThread(worker, worker.start, "test-generation",
                          finish=worker.close_backend)
    ready = []
    # Not qtbot.waitSignal: its timer would be stopped from the worker's thread.
    thread.worker.backend_ready.connect(ready.append)
    thread.start()
    try:
        qtbot.waitUntil(lambda: bool(ready))
        relay = Relay()
        relay.requested.connect(thread.worker.submit)
        relay.backend_chosen.connect(thread.worker.use_backend)
        yield thread, backend, relay
    finally:
        thread.stop()


def request(job_id):
    return GenerationRequest(job_id=job_id, emotion=Emotion.JOY, seed=job_id)


def test_requests_arriving_mid_job_collapse_to_the_newest(worker_thread, qtbot):
    thread, backend, relay = worker_thread
    finished = []
    thread.worker.artwork_ready.connect(lambda artwork: finished.append(artwork.job_id))
    relay.requested.emit(request(1))
    qtbot.waitUntil(lambda: backend.started_jobs == [1])
    for job_id in (2, 3, 4):
        relay.requested.emit(request(job_id))
    qtbot.waitUntil(lambda: finished == [1, 4], timeout=5000)
    qtbot.wait(3 * STEP_SECONDS * 1000)
    assert backend.started_jobs == [1, 4]


def test_with_interrupt_on_a_newer_request_stops_the_running_job(worker_thread, qtbot):
    thread, backend, relay = worker_thread
    thread.worker.set_interrupt_stale(True)
    finished, interrupted = [], []
    thread.worker.artwork_ready.connect(lambda artwork: finished.append(artwork.job_id))
    thread.worker.interrupted.connect(interrupted.append)
    relay.requested.emit(request(1))
    qtbot.waitUntil(lambda: backend.started_jobs == [1])
    relay.requested.emit(request(2))
    qtbot.waitUntil(lambda: finished == [2], timeout=5000)
    assert interrupted == [1]


def test_a_backend_chosen_mid_job_takes_over_after_it_and_the_old_one_is_closed(
        worker_thread, qtbot):
    thread, backend, relay = worker_thread
    chosen = SteppingBackend("chosen")
    ready, finished = [], []
    thread.worker.backend_ready.connect(ready.append)
    thread.worker.artwork_ready.connect(
        lambda artwork: finished.append((artwork.job_id, artwork.metadata.backend)))
    relay.requested.emit(request(1))
    qtbot.waitUntil(lambda: backend.started_jobs == [1])
    relay.backend_chosen.emit(lambda report: (chosen, []))
    relay.requested.emit(request(2))
    qtbot.waitUntil(lambda: len(finished) == 2, timeout=5000)
    # The job under way ends with the backend it began with; the next is the chosen one's.
    assert finished == [(1, "stepping"), (2, "chosen")]
    assert ready == [chosen.info]
    assert backend.closed_in == ["test-generation"] and chosen.closed_in == []


def test_the_backend_is_closed_in_its_thread_when_the_thread_ends(worker_thread):
    thread, backend, relay = worker_thread
    thread.stop()
    assert backend.closed_in == ["test-generation"]
