from animo_desktop.cadence import ArtworkCadence
from animo_desktop.emotions import Emotion


def test_first_emotion_is_due_at_once():
    assert ArtworkCadence(6).should_request(Emotion.JOY, now=100.0)


def test_a_held_emotion_is_due_every_interval():
    cadence = ArtworkCadence(6)
    times = [0.0, 1.0, 5.9, 6.0, 7.0, 12.0]
    due = [t for t in times if cadence.should_request(Emotion.JOY, t)]
    assert due == [0.0, 6.0, 12.0]


def test_a_change_of_emotion_is_due_at_once_and_restarts_the_interval():
    cadence = ArtworkCadence(6)
    assert cadence.should_request(Emotion.JOY, 0.0)
    assert cadence.should_request(Emotion.FEAR, 2.0)
    assert not cadence.should_request(Emotion.FEAR, 7.0)
    assert cadence.should_request(Emotion.FEAR, 8.0)


def test_reset_makes_the_next_request_due():
    cadence = ArtworkCadence(6)
    cadence.should_request(Emotion.JOY, 0.0)
    cadence.reset()
    assert cadence.should_request(Emotion.JOY, 1.0)
