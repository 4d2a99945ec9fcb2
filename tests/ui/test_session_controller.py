"""The session controller on a scripted clock: timeline bands exact to the frame."""

import pytest

from animo_desktop.emotions import Emotion
from animo_desktop.generation.backend import create_backend
from animo_desktop.settings import Settings
from animo_desktop.ui.session_controller import SessionController, SessionState
from tests.ui.conftest import wait_for_saved

FRAME = 1 / 30


class ScriptedClock:
    def __init__(self):
        self.frame = 0

    def __call__(self):
        return 1000.0 + self.frame * FRAME


@pytest.fixture
def scripted(tmp_path):
    clock = ScriptedClock()
    controller = SessionController(Settings(), tmp_path / "sessions",
                                   lambda report: create_backend("painter"), clock=clock)
    controller.new_session()
    yield controller, clock
    controller.shutdown()


def bands(controller, now_frame):
    return [(s.emotion, round(s.start / FRAME), round(s.end / FRAME))
            for s in controller.session.timeline.segments(now_frame * FRAME)]


def test_timeline_bands_follow_pins_pauses_and_the_end(scripted):
    controller, clock = scripted
    for frame, action in [(90, lambda: controller.pin(Emotion.JOY)),
                          (300, lambda: controller.pin(Emotion.FEAR)),
                          (360, controller.pause),
                          (420, controller.resume),
                          (450, lambda: controller.pin(None)),
                          (600, controller.end_session)]:
        clock.frame = frame
        action()
    assert bands(controller, 600) == [
        (Emotion.NEUTRAL, 0, 90), (Emotion.JOY, 90, 300), (Emotion.FEAR, 300, 360),
        (None, 360, 420), (Emotion.FEAR, 420, 450), (Emotion.NEUTRAL, 450, 600)]
    assert controller.state is SessionState.ENDED
    totals = controller.session.timeline.time_per_emotion()
    assert totals[Emotion.JOY] == pytest.approx(210 * FRAME)


def test_the_timeline_is_saved_and_a_restore_goes_on_from_it(scripted, qtbot, tmp_path):
    controller, clock = scripted
    clock.frame = 150
    controller.pin(Emotion.SADNESS)
    clock.frame = 240
    controller.save_state()  # what every artwork's autosave does
    wait_for_saved(qtbot, controller)
    saved = controller.folder.load()
    assert [(s.emotion, round(s.start / FRAME), round(s.end / FRAME))
            for s in saved.timeline.segments()] == [(Emotion.NEUTRAL, 0, 150),
                                                    (Emotion.SADNESS, 150, 240)]
    assert saved.elapsed == pytest.approx(240 * FRAME, abs=1e-3)


def test_with_detection_off_an_emotion_named_in_the_theme_chooses(scripted):
    controller, clock = scripted
    controller.set_theme("a stormy, angry sea")
    assert controller.current.emotion is Emotion.ANGER
    assert controller.current.source == "theme"
    controller.pin(Emotion.JOY)  # the therapist's pin still wins
    assert controller.current.emotion is Emotion.JOY
    controller.pin(None)
    controller.set_theme("a quiet garden")
    assert controller.current.emotion is Emotion.NEUTRAL
