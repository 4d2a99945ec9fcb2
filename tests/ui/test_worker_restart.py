"""An exception inside a worker (generation, camera, canvas painter): the worker is started
again, the therapist is told, and the session goes on with nothing lost."""

import logging
from pathlib import Path

import pytest

from animo_desktop import composition
from animo_desktop.emotions import Emotion
from animo_desktop.generation.painter_backend import PainterBackend
from animo_desktop.ui import worker_thread
from animo_desktop.vision.analyzer import EmotionAnalyzer
from tests.ui.conftest import wait_for_artworks, wait_for_canvas
from tests.ui.test_main_window import rendered_from_files, shows_exactly

DATA = Path(__file__).parent.parent / "data"


class Messages:
    def __init__(self, controller):
        self.errors = []
        controller.message.connect(lambda level, text: level == "error"
                                   and self.errors.append(text))


def fail_once(monkeypatch, owner, name, on_call):
    """Make owner.name raise on its `on_call`-th call only; return the list of calls."""
    original = getattr(owner, name)
    calls = []

    def flaky(*args, **kwargs):
        calls.append(args)
        if len(calls) == on_call:
            raise RuntimeError(f"injected failure in {name}")
        return original(*args, **kwargs)

    monkeypatch.setattr(owner, name, flaky)
    return calls


@pytest.fixture(autouse=True)
def quick_restarts(monkeypatch):
    monkeypatch.setattr(worker_thread, "RESTART_DELAYS_MS", (20, 20, 20))


def test_a_crash_in_generation_restarts_the_worker_and_makes_the_artwork_anyway(
        launch, qtbot, monkeypatch, caplog):
    fail_once(monkeypatch, PainterBackend, "generate", on_call=2)
    window, controller = launch()
    messages = Messages(controller)
    restarts = []
    controller._generation.restarted.connect(restarts.append)
    controller.pause()
    controller.request_artwork(Emotion.JOY)
    wait_for_artworks(qtbot, controller, 1)
    controller.request_artwork(Emotion.FEAR)  # this one crashes the worker
    qtbot.waitUntil(lambda: restarts == [1], timeout=5000)
    wait_for_artworks(qtbot, controller, 2)
    controller.request_artwork(Emotion.ANGER)
    wait_for_artworks(qtbot, controller, 3)
    records = controller.session.artworks
    assert [r.metadata.emotion for r in records] == [Emotion.JOY, Emotion.FEAR, Emotion.ANGER]
    assert [r.index for r in records] == [1, 2, 3]  # the crashed job was made after all
    assert all((controller.folder.path / r.file).is_file() for r in records)
    assert any("Artwork generation stopped on an error (injected failure in generate)"
               in text and "restarting" in text for text in messages.errors)
    assert "generation worker crashed" in caplog.text
    wait_for_canvas(qtbot, controller)
    assert window.canvas_view.artwork_count == 3


def test_a_generation_backend_that_keeps_crashing_hands_over_to_the_painter(
        launch, qtbot, monkeypatch):
    from animo_desktop.generation import backend

    real_create_backend = backend.create_backend

    def broken_backend(choice, *args, **kwargs):
        if choice != "painter":  # the painter it falls back to is built by name
            raise RuntimeError("injected: the backend cannot be built")
        return real_create_backend(choice, *args, **kwargs)

    monkeypatch.setattr(backend, "create_backend", broken_backend)
    window, controller = launch()
    messages = Messages(controller)
    gave_up = []
    controller._generation.gave_up.connect(gave_up.append)
    qtbot.waitUntil(lambda: bool(gave_up), timeout=10000)
    wait_for_artworks(qtbot, controller, 1)
    assert controller.session.artworks[0].metadata.backend == "painter"
    assert any("keeps failing" in text and "built-in painter" in text
               for text in messages.errors)
    qtbot.waitUntil(lambda: "painter" in window.backend_label.text().lower(), timeout=5000)


def test_a_crash_in_the_camera_worker_restarts_it_and_the_face_is_read_again(
        launch, qtbot, monkeypatch, caplog):
    caplog.set_level(logging.WARNING)
    analyzers = []
    original_init = EmotionAnalyzer.__init__

    def counted_init(self, *args, **kwargs):
        analyzers.append(self)
        original_init(self, *args, **kwargs)

    monkeypatch.setattr(EmotionAnalyzer, "__init__", counted_init)
    fail_once(monkeypatch, EmotionAnalyzer, "analyze", on_call=5)
    window, controller = launch("--source", str(DATA / "0-f15-hao-ph.jpg"))
    messages = Messages(controller)
    restarts = []
    controller.camera.restarted.connect(restarts.append)
    qtbot.waitUntil(lambda: restarts == [1], timeout=30000)
    # A fresh analyzer reads the smiling face after the restart (the restarted worker makes
    # it in its own thread, and joy may already show from before the crash).
    qtbot.waitUntil(lambda: len(analyzers) == 2, timeout=30000)
    qtbot.waitUntil(lambda: controller.current.emotion is Emotion.JOY, timeout=30000)
    assert len(analyzers) == 2
    assert controller.camera.is_running
    assert any("Emotion sensing stopped on an error (injected failure in analyze)" in text
               for text in messages.errors)
    assert "camera worker crashed" in caplog.text


def test_a_crash_in_the_canvas_painter_restarts_it_and_repaints_every_artwork(
        launch, qtbot, monkeypatch):
    window, controller = launch()
    controller.pause()
    for count, emotion in enumerate((Emotion.JOY, Emotion.SADNESS, Emotion.SURPRISE), 1):
        controller.request_artwork(emotion)  # one by one: a newer request replaces a queued one
        wait_for_artworks(qtbot, controller, count)
    wait_for_canvas(qtbot, controller)
    messages = Messages(controller)
    restarts = []
    controller._painter.restarted.connect(restarts.append)
    fail_once(monkeypatch, composition.Painting, "add", on_call=1)
    controller.request_artwork(Emotion.ANGER)  # its painting crashes the painter
    qtbot.waitUntil(lambda: restarts == [1], timeout=5000)
    wait_for_artworks(qtbot, controller, 4)
    wait_for_canvas(qtbot, controller)
    qtbot.waitUntil(lambda: window.canvas_view.fading_count == 0, timeout=5000)
    assert window.canvas_view.artwork_count == 4
    assert shows_exactly(window.canvas_view, rendered_from_files(controller))
    assert any("The canvas painter stopped on an error" in text for text in messages.errors)


def test_a_worker_that_crashes_again_and_again_is_given_up_on(qtbot):
    from PySide6.QtCore import QObject, Signal, Slot
    from animo_desktop.messages import WorkerError

    class AlwaysCrashing(QObject):
        crashed = Signal(object)

        def __init__(self):
            super().__init__()
            self.starts = 0

        @Slot()
        def start(self):
            self.starts += 1
            self.crashed.emit(WorkerError("canvas", "injected", ""))

    worker = AlwaysCrashing()
    thread = worker_thread.WorkerThread(worker, worker.start, "test-crashing")
    restarts, gave_up = [], []
    thread.restarted.connect(restarts.append)
    thread.gave_up.connect(gave_up.append)
    thread.start()
    try:
        qtbot.waitUntil(lambda: bool(gave_up), timeout=5000)
        qtbot.wait(100)
    finally:
        thread.stop()
    assert restarts == [1, 2, 3] and worker.starts == 4
    assert gave_up[0].message == "injected"
