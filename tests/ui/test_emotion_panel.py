"""The emotion panel cannot be misread: the header is the confirmed emotion with its
smoothed confidence, the bars the smoothed reading, the thin trace each frame alone."""

from animo_desktop.emotions import ALL_EMOTIONS, Emotion
from animo_desktop.messages import EmotionReading, FrameReading
from animo_desktop.ui.emotion_panel import EmotionPanel


def shares(**values):
    rest = (1 - sum(values.values())) / (len(ALL_EMOTIONS) - len(values))
    return {e: values.get(e.value, rest) for e in ALL_EMOTIONS}


def frame(t, raw, smoothed, confirmed, face=True):
    return FrameReading(raw, face, t, smoothed, confirmed)


def test_a_frame_that_disagrees_with_the_confirmed_emotion_moves_only_the_trace(qtbot):
    panel = EmotionPanel()
    qtbot.addWidget(panel)
    panel.show_reading(EmotionReading(Emotion.JOY, shares(joy=0.62), 1.0, "camera"))
    assert "Joy" in panel.current_label.text() and "62%" in panel.current_label.text()
    assert panel.source_label.text().startswith("confirmed by the camera")
    # This frame alone says neutral at 95 %; the smoother still believes joy at 70 %.
    panel.show_frame(frame(1.1, shares(neutral=0.95), shares(joy=0.7, neutral=0.2),
                           Emotion.JOY))
    assert "Joy" in panel.current_label.text() and "70%" in panel.current_label.text()
    assert panel.bars[Emotion.JOY].value() == 70 and panel.bars[Emotion.NEUTRAL].value() == 20
    assert panel.live_trace.frames == 1


def test_the_trace_keeps_the_last_seconds_and_marks_frames_without_a_face(qtbot):
    panel = EmotionPanel()
    qtbot.addWidget(panel)
    panel.show_reading(EmotionReading(Emotion.NEUTRAL, shares(neutral=1.0), 0.0, "camera"))
    for i in range(200):
        panel.show_frame(frame(i / 10, shares(anger=0.5), shares(anger=0.5), Emotion.NEUTRAL,
                               face=i % 7 != 0))
    assert 75 <= panel.live_trace.frames <= 82  # 8 s at 10 readings a second
    panel.live_trace.grab()  # paints without a warning


def test_while_pinned_frames_change_neither_the_bars_nor_the_header(qtbot):
    panel = EmotionPanel()
    qtbot.addWidget(panel)
    panel.show_reading(EmotionReading(Emotion.ANGER, shares(anger=1.0), 0.0, "pinned"))
    panel.show_frame(frame(0.1, shares(joy=0.9), shares(joy=0.9), Emotion.JOY))
    assert panel.bars[Emotion.ANGER].value() == 100 and panel.bars[Emotion.JOY].value() == 0
    assert panel.current_label.text().endswith("Anger")  # no confidence: the therapist chose
    assert panel.live_trace.frames == 1
