"""The temporal logic on scripted probability streams (30 frames per second)."""

import numpy as np
import pytest

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
    spike = round(SmoothingSettings().dwell_s * FPS * 0.6)
    stream = [frame(Emotion.NEUTRAL)] * FPS + [frame(Emotion.FEAR, 0.95)] * spike \
        + [frame(Emotion.NEUTRAL)] * (2 * FPS)
    assert confirmations(play(EmotionSmoother(), stream)) == []


HOLDS = (Emotion.NEUTRAL, Emotion.JOY, Emotion.SURPRISE, Emotion.ANGER, Emotion.SADNESS,
         Emotion.JOY, Emotion.DISGUST, Emotion.NEUTRAL)


def hold_session(confidence: float, noise: float, seed: int = 0, passing: Emotion | None = None):
    """The hold test as a scripted stream: 4 s of each of HOLDS at `confidence`, frame logits
    jittered by `noise`; `passing` shows for 0.3 s between holds, as a face changing shape
    passes through other expressions."""
    rng = np.random.default_rng(seed)
    frames, starts = [], []
    for emotion in HOLDS:
        starts.append(len(frames) / FPS)
        if passing is not None and frames:
            frames += [frame(passing, 0.7)] * round(0.3 * FPS)
        while len(frames) / FPS < starts[-1] + 4.0:
            p = np.array([frame(emotion, confidence)[e] for e in ALL_EMOTIONS])
            p = np.exp(np.log(p) + rng.normal(0, noise, len(p)))
            frames.append(dict(zip(ALL_EMOTIONS, (p / p.sum()).tolist())))
    return frames, starts


def hold_figures(frames, starts):
    states = play(EmotionSmoother(), frames)
    latencies, spurious = [], 0
    for index, (start, emotion) in enumerate(zip(starts, HOLDS)):
        end = starts[index + 1] if index + 1 < len(starts) else len(frames) / FPS
        during = [(t, s) for t, s in states if start <= t < end]
        if index == 0 or states[round(start * FPS) - 1][1].emotion is emotion:
            latencies.append(0.0)  # already the confirmed emotion when the hold starts
        else:
            hits = [t - start for t, s in during if s.changed and s.emotion is emotion]
            latencies.append(hits[0] if hits else None)
        spurious += sum(1 for _, s in during if s.changed and s.emotion is not emotion)
    return latencies, spurious


@pytest.mark.parametrize("confidence, noise", [(0.6, 0.3), (0.75, 0.5), (0.9, 0.3)])
def test_the_hold_test_confirms_every_hold_soon_and_nothing_else(confidence, noise):
    latencies, spurious = hold_figures(*hold_session(confidence, noise))
    assert None not in latencies and max(latencies) <= 2.5, latencies
    assert float(np.median(latencies[1:])) < 1.5, latencies
    assert spurious == 0


def test_an_expression_passed_through_between_holds_is_no_switch():
    latencies, spurious = hold_figures(*hold_session(0.75, 0.3, passing=Emotion.FEAR))
    assert spurious == 0 and None not in latencies and max(latencies) <= 2.5


def test_the_dwell_is_a_setting():
    for dwell in (0.5, 2.0):
        states = play(EmotionSmoother(SmoothingSettings(dwell_s=dwell)),
                      [frame(Emotion.JOY, 0.95)] * (4 * FPS))
        assert dwell <= confirmations(states)[0][0] <= dwell + 0.5


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
