"""The camera worker in its thread, with the real landmarker and classifier on real media."""

import tempfile
from pathlib import Path

import pytest

from animo_desktop.ui.app import make_analyzer
from animo_desktop.ui.camera_worker import CameraWorker
from animo_desktop.ui.worker_thread import WorkerThread
from animo_desktop.vision.smoothing import SmoothingSettings

DATA = Path(__file__).parent.parent / "data"


class Recorder:
    """Collects what the worker emits (connected directly: appends from its thread)."""

    def __init__(self, worker):
        self.readings, self.confirmed, self.faces, self.errors, self.crashes, self.previews = (
            [], [], [], [], [], [])
        worker.frame_read.connect(self.readings.append)
        worker.emotion_confirmed.connect(self.confirmed.append)
        worker.face_event.connect(self.faces.append)
        worker.failed.connect(self.errors.append)
        worker.crashed.connect(self.crashes.append)
        worker.preview.connect(self.previews.append)


@pytest.fixture
def run_camera(qtbot, tmp_path, monkeypatch):
    """Run a camera worker on a file as fast as it reads; stop it at teardown."""
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setenv("TMPDIR", str(scratch))
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    threads = []

    def _run(source, preview=False):
        worker = CameraWorker(str(source), make_analyzer,
                              SmoothingSettings(face_lost_after_s=1.0), show_preview=preview,
                              realtime=False)
        recorder = Recorder(worker)
        thread = WorkerThread(worker, worker.run, "test-camera")
        thread.start()
        threads.append(thread)
        return thread, recorder

    yield _run
    for thread in threads:
        thread.stop()
    assert list(scratch.iterdir()) == []  # nothing from the camera ever reaches the disk


def test_a_face_video_gives_readings_and_previews_then_stops_cleanly(run_camera, qtbot,
                                                                      tmp_path):
    before = set(tmp_path.rglob("*"))
    thread, seen = run_camera(DATA / "single_face.mp4", preview=True)
    qtbot.waitUntil(lambda: len(seen.readings) >= 10, timeout=30000)
    assert any(reading.face_present for reading in seen.readings)
    assert abs(sum(seen.readings[-1].probabilities.values()) - 1) < 1e-3
    qtbot.waitUntil(lambda: len(seen.previews) >= 1, timeout=10000)
    assert seen.previews[0].width() == 320
    thread.stop()
    assert not seen.errors
    assert set(tmp_path.rglob("*")) == before  # no file appeared anywhere


def test_face_then_no_face_is_reported_lost(run_camera, qtbot):
    _, seen = run_camera(DATA / "face_noface.mov")
    qtbot.waitUntil(lambda: "lost" in seen.faces, timeout=60000)
    assert seen.faces.index("found") < seen.faces.index("lost")


def test_no_face_then_face_is_reported_found(run_camera, qtbot):
    _, seen = run_camera(DATA / "noface_face.mov")
    qtbot.waitUntil(lambda: "found" in seen.faces, timeout=60000)
    assert not any(r.face_present for r in seen.readings[:3])


def test_an_unreadable_source_is_reported_and_the_worker_ends(run_camera, qtbot, tmp_path):
    broken = tmp_path / "broken.mp4"
    broken.write_bytes(b"not a video")
    thread, seen = run_camera(broken)
    qtbot.waitUntil(lambda: bool(seen.errors), timeout=20000)
    assert "not a video" in seen.errors[0].message
    assert "pin emotions by hand" in seen.errors[0].message


def test_a_file_name_keeps_its_case_in_the_message(run_camera, qtbot, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("bomb.png").write_bytes(b"not an image")
    thread, seen = run_camera("bomb.png")
    qtbot.waitUntil(lambda: bool(seen.errors), timeout=20000)
    assert seen.errors[0].message == ("No camera: bomb.png is not an image OpenCV can read. "
                                      "The session goes on; pin emotions by hand.")


def test_a_unicode_digit_is_a_missing_file_not_a_crash(run_camera, qtbot):
    thread, seen = run_camera("²")
    qtbot.waitUntil(lambda: bool(seen.errors or seen.crashes), timeout=20000)
    qtbot.wait(500)
    assert not seen.crashes and len(seen.errors) == 1
    assert "² does not exist" in seen.errors[0].message


def test_a_missing_camera_is_told_once_and_retried(run_camera, qtbot):
    thread, seen = run_camera("7")  # no such camera here
    qtbot.waitUntil(lambda: bool(seen.errors), timeout=20000)
    qtbot.wait(1500)  # a retry or two later
    assert len(seen.errors) == 1 and "camera 7" in seen.errors[0].message


def test_the_session_video_confirms_its_schedule_in_time(run_camera, qtbot):
    """tests/data/session_holds.mp4 (tests/data/make_session_video.py): eight holds of 4 s
    of web photos; each hold's emotion is confirmed within 2.5 s of its start, and nothing
    else is ever confirmed."""
    from tests.data.make_session_video import HOLD_S, HOLDS

    thread, seen = run_camera(DATA / "session_holds.mp4")
    qtbot.waitUntil(lambda: bool(seen.readings) and seen.readings[-1].timestamp
                    >= len(HOLDS) * HOLD_S - 0.5, timeout=120000)
    thread.stop()
    schedule = [emotion for emotion, *_ in HOLDS]
    confirmed = [(reading.timestamp, reading.emotion.value) for reading in seen.confirmed
                 if reading.timestamp < len(HOLDS) * HOLD_S]  # the video loops
    expected = [emotion for before, emotion in zip(["neutral"] + schedule, schedule)
                if emotion != before]
    assert [emotion for _, emotion in confirmed] == expected, confirmed
    for timestamp, emotion in confirmed:
        hold = int(timestamp // HOLD_S)
        assert schedule[hold] == emotion and timestamp - hold * HOLD_S <= 2.5, confirmed
