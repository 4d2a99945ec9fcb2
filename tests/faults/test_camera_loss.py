"""The camera disappears mid-session and comes back: the therapist is told once, the
emotion rests at neutral, the worker retries with back-off, readings resume, and every
artwork stays on the canvas."""

import logging
import threading
import time
from pathlib import Path

import pytest

from animo_desktop.emotions import Emotion
from animo_desktop.ui import camera_worker
from animo_desktop.vision import sources
from animo_desktop.vision.sources import DEFAULT_FRAME_SIZE, SourceError, VideoFileSource
from tests.faults.conftest import logged, told
from tests.ui.conftest import wait_for_canvas

FACE_VIDEO = Path(__file__).parent.parent / "data" / "single_face.mp4"  # reads as joy
RETRY_SECONDS = (0.3, 0.6, 1.2)


class UnpluggableCamera:
    """Camera "0" as the camera worker opens it: a real face video played as a camera.
    Unplugged, it stops delivering images, then refuses to open `refusals` times, then
    works again. `events` says what happened when: "opened", "lost", "refused"."""

    def __init__(self, refusals: int):
        self.refusals = refusals
        self.unplugged = threading.Event()
        self.events: list[tuple[str, float]] = []

    def unplug(self) -> None:
        self.unplugged.set()

    def open(self, source, **options):
        assert str(source) == "0"  # only the camera is faked
        refused = sum(1 for event, _ in self.events if event == "refused")
        if self.unplugged.is_set() and refused < self.refusals:
            self.events.append(("refused", time.monotonic()))
            raise SourceError("camera 0 cannot be opened (in use or unplugged?)")
        self.unplugged.clear()
        self.events.append(("opened", time.monotonic()))
        return _VideoCamera(self, options.get("realtime", True))

    def history(self) -> list[str]:
        return [event for event, _ in self.events]


class _VideoCamera(VideoFileSource):
    is_camera = True  # the worker's loop treats it as a camera: no pacing, retried

    def __init__(self, camera: UnpluggableCamera, realtime: bool):
        super().__init__(FACE_VIDEO, DEFAULT_FRAME_SIZE, realtime, loop=True)
        self.description = "camera 0"
        self._camera = camera

    def _next_image(self):
        if self._camera.unplugged.is_set():
            self._camera.events.append(("lost", time.monotonic()))
            raise SourceError("camera 0 stopped delivering images")
        return super()._next_image()


@pytest.fixture
def camera(monkeypatch):
    """Requested before `launch`, so the real camera is never opened, even at teardown."""
    fake = UnpluggableCamera(refusals=2)
    monkeypatch.setattr(sources, "open_source", fake.open)
    monkeypatch.setattr(camera_worker, "RETRY_SECONDS", RETRY_SECONDS)
    return fake


def test_a_camera_that_disappears_and_comes_back_is_told_once_retried_and_followed_again(
        camera, launch, qtbot, shown, caplog):
    window, controller = launch("--source", "0")
    statuses = []
    controller.camera.worker.status.connect(statuses.append)
    qtbot.waitUntil(lambda: controller.current.emotion is Emotion.JOY, timeout=60000)
    qtbot.waitUntil(lambda: any(r.metadata.emotion is Emotion.JOY
                                for r in controller.session.artworks), timeout=10000)
    made_before = [(r.index, r.file) for r in controller.session.artworks]

    camera.unplug()
    # Nothing is guessed while the camera is away: the emotion rests at neutral.
    qtbot.waitUntil(lambda: "No camera" in window.camera_panel.status_label.text()
                    and controller.current.emotion is Emotion.NEUTRAL, timeout=10000)
    assert "Neutral" in window.emotion_panel.current_label.text()  # with its confidence
    assert told(shown, "error",
                "No camera: camera 0 stopped delivering images. The session goes on")
    qtbot.waitUntil(lambda: camera.history()[-1:] == ["opened"] and len(camera.events) > 1,
                    timeout=10000)
    assert camera.history() == ["opened", "lost", "refused", "refused", "opened"]
    times = [at for _, at in camera.events[1:]]
    waits = [later - earlier for earlier, later in zip(times, times[1:])]
    assert all(waited >= planned for waited, planned in zip(waits, RETRY_SECONDS)), waits

    # The face is read again and its emotion leads the session again.
    qtbot.waitUntil(lambda: controller.current.emotion is Emotion.JOY, timeout=60000)
    assert "Joy" in window.emotion_panel.current_label.text()
    back = max(index for index, _ in made_before)
    qtbot.waitUntil(lambda: any(r.index > back and r.metadata.emotion is Emotion.JOY
                                for r in controller.session.artworks), timeout=10000)
    assert any(r.index > back and r.metadata.emotion is Emotion.NEUTRAL
               for r in controller.session.artworks)  # made while the camera was away
    assert controller.camera.is_running
    assert "No camera: camera 0 cannot be opened (in use or unplugged?)" in statuses
    assert statuses[-1].startswith("camera 0 · classifier on")
    # Told once, not at every retry: in the window and in the log.
    assert len(told(shown, "error", "stopped delivering images")) == 1
    assert not told(shown, "error", "cannot be opened")
    assert_logged_once(caplog, "stopped delivering images")
    assert not told(shown, "error", "Emotion sensing")  # the worker never crashed

    controller.pause()
    wait_for_canvas(qtbot, controller)
    kept = {r.index: r.file for r in controller.session.artworks}
    assert all(kept.get(index) == file for index, file in made_before)
    assert all((controller.folder.path / file).is_file() for file in kept.values())
    assert window.canvas_view.artwork_count == len(kept)


def test_a_missing_camera_is_logged_once_in_one_sentence(launch, qtbot, shown, caplog):
    launch("--source", "7")  # no such camera here
    qtbot.waitUntil(lambda: bool(told(shown, "error", "is no camera 7")), timeout=30000)
    assert_logged_once(caplog, "is no camera 7")


def assert_logged_once(caplog, reason):
    """One record, one sentence: not a warning, then an error repeating its text."""
    (record,) = logged(caplog, logging.ERROR, reason)
    assert record.getMessage().count(reason) == 1, record.getMessage()
    assert not logged(caplog, logging.WARNING, reason)
