"""The temporal logic on scripted probability streams (30 frames per second)."""

from animo_desktop.emotions import ALL_EMOTIONS, Emotion
from animo_desktop.vision.smoothing import EmotionSmoother, SmoothingSettings

FPS = 30


def frame(leader: Emotion | None, confidence=0.8):
    """Probabilities with `leader` at `confidence`, the rest shared evenly."""
    if leader is None:
        return None
    rest = (1 - confidence) / (len(ALL_EMOTIONS) - 1)
    return {e: confidence if e is leader else rest for e in ALL_EMOTIONS}


def play(smoother, frames, start=0.0):
    """Feed frames at 30 fps; return (time, state) for each."""
    return [(start + i / FPS, smoother.update(f, start + i / FPS)) for i, f in enumerate(frames)]


def confirmations(states):
    return [(round(t, 3), s.emotion) for t, s in states if s.changed]


def test_a_steady_emotion_is_confirmed_once_after_the_dwell_time():
    settings = SmoothingSettings()
    states = play(EmotionSmoother(settings), [frame(Emotion.JOY)] * (3 * FPS))
    changes = confirmations(states)
    assert [emotion for _, emotion in changes] == [Emotion.JOY]
    assert settings.dwell_s <= changes[0][0] <= settings.dwell_s + 0.5


def test_frame_to_frame_flicker_confirms_nothing():
    flicker = [frame(Emotion.JOY) if i % 2 else frame(Emotion.ANGER) for i in range(5 * FPS)]
    states = play(EmotionSmoother(), flicker)
    assert confirmations(states) == []
    assert states[-1][1].emotion is Emotion.NEUTRAL


def test_a_spike_shorter_than_the_dwell_is_ignored():
    stream = [frame(Emotion.NEUTRAL)] * FPS + [frame(Emotion.FEAR, 0.95)] * FPS \
        + [frame(Emotion.NEUTRAL)] * (2 * FPS)
    assert confirmations(play(EmotionSmoother(), stream)) == []


def test_low_confidence_means_stay():
    unsure = [frame(Emotion.SADNESS, 0.3)] * (4 * FPS)
    assert confirmations(play(EmotionSmoother(), unsure)) == []


def test_hysteresis_needs_a_clear_lead_to_switch_back_and_forth():
    smoother = EmotionSmoother()
    play(smoother, [frame(Emotion.JOY)] * (3 * FPS))
    assert smoother.emotion is Emotion.JOY
    # Surprise edges ahead of joy by less than the margin: joy holds.
    close_call = {e: 0.0 for e in ALL_EMOTIONS} | {Emotion.SURPRISE: 0.47, Emotion.JOY: 0.43,
                                                   Emotion.NEUTRAL: 0.10}
    states = play(smoother, [close_call] * (4 * FPS), start=3.0)
    assert confirmations(states) == [] and smoother.emotion is Emotion.JOY
    # A clear lead switches.
    states = play(smoother, [frame(Emotion.SURPRISE)] * (3 * FPS), start=7.0)
    assert [e for _, e in confirmations(states)] == [Emotion.SURPRISE]


def test_the_same_stream_at_another_frame_rate_confirms_at_the_same_time():
    at_30 = play(EmotionSmoother(), [frame(Emotion.ANGER)] * (3 * FPS))
    smoother = EmotionSmoother()
    at_10 = [(i / 10, smoother.update(frame(Emotion.ANGER), i / 10)) for i in range(30)]
    assert abs(confirmations(at_30)[0][0] - confirmations(at_10)[0][0]) <= 0.1


def test_face_lost_for_a_while_returns_to_neutral_and_found_again():
    settings = SmoothingSettings()
    smoother = EmotionSmoother(settings)
    states = play(smoother, [frame(Emotion.ANGER)] * (3 * FPS))
    assert states[0][1].face_event == "found" and smoother.emotion is Emotion.ANGER
    gone = play(smoother, [None] * (5 * FPS), start=3.0)
    lost = [(t, s) for t, s in gone if s.face_event == "lost"]
    assert len(lost) == 1
    assert abs(lost[0][0] - (3.0 + settings.face_lost_after_s)) <= 0.1
    assert lost[0][1].changed and lost[0][1].emotion is Emotion.NEUTRAL
    assert all(s.face_present for t, s in gone if t < lost[0][0])
    back = play(smoother, [frame(Emotion.JOY)] * FPS, start=8.0)
    assert back[0][1].face_event == "found"
    assert [s.face_event for _, s in back[1:]] == [None] * (FPS - 1)


def test_a_face_missing_for_a_moment_changes_nothing():
    smoother = EmotionSmoother()
    play(smoother, [frame(Emotion.JOY)] * (3 * FPS))
    blink = play(smoother, [None] * FPS, start=3.0)
    assert not any(s.changed or s.face_event for _, s in blink)
    assert smoother.emotion is Emotion.JOY
