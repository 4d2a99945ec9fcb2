from animo_desktop.emotions import Emotion
from animo_desktop.timeline import EmotionTimeline, Segment

FRAME = 1 / 30


def scripted(timeline, script):
    """Apply (frame number, emotion) marks on a 30 fps scripted clock."""
    for frame, emotion in script:
        timeline.mark(emotion, frame * FRAME)


def test_bands_match_a_scripted_emotion_sequence_to_the_frame():
    timeline = EmotionTimeline()
    scripted(timeline, [(0, Emotion.NEUTRAL), (45, Emotion.JOY), (46, Emotion.JOY),
                        (300, Emotion.SADNESS), (301, None), (400, Emotion.SADNESS)])
    segments = timeline.segments(now=450 * FRAME)
    assert [(s.emotion, round(s.start / FRAME), round(s.end / FRAME)) for s in segments] == [
        (Emotion.NEUTRAL, 0, 45), (Emotion.JOY, 45, 300), (Emotion.SADNESS, 300, 301),
        (None, 301, 400), (Emotion.SADNESS, 400, 450)]
    totals = timeline.time_per_emotion(now=450 * FRAME)
    assert abs(totals[Emotion.JOY] - 255 * FRAME) < 1e-9
    assert abs(totals[Emotion.SADNESS] - 51 * FRAME) < 1e-9
    assert None not in totals


def test_close_ends_the_open_band_and_round_trips():
    timeline = EmotionTimeline()
    timeline.mark(Emotion.FEAR, 1.0)
    timeline.mark(Emotion.ANGER, 4.5)
    timeline.close(10.0)
    assert timeline.segments(now=99.0) == [Segment(Emotion.FEAR, 1.0, 4.5),
                                           Segment(Emotion.ANGER, 4.5, 10.0)]
    restored = EmotionTimeline.from_list(timeline.to_list())
    assert restored.segments() == timeline.segments()
    assert timeline.to_list()[1] == {"emotion": "anger", "start": 4.5, "end": 10.0,
                                     "duration": 5.5}


def test_a_restored_timeline_goes_on_from_where_it_was():
    timeline = EmotionTimeline.from_list([{"emotion": "joy", "start": 0, "end": 12}])
    timeline.mark(Emotion.SURPRISE, 12.0)
    assert timeline.time_per_emotion(now=20.0) == {Emotion.JOY: 12.0, Emotion.SURPRISE: 8.0}
