import re

import pytest

from animo_desktop.emotions import ALL_EMOTIONS, Emotion


def test_the_seven_emotions_of_the_brief():
    assert [e.value for e in ALL_EMOTIONS] == [
        "joy", "sadness", "fear", "anger", "surprise", "disgust", "neutral"]


@pytest.mark.parametrize("text, expected", [
    ("joy", Emotion.JOY), ("Happy", Emotion.JOY), (" ANGRY ", Emotion.ANGER),
    ("surprised", Emotion.SURPRISE), ("neutral", Emotion.NEUTRAL)])
def test_parse_accepts_names_and_synonyms(text, expected):
    assert Emotion.parse(text) is expected


def test_parse_rejects_unknown_words_with_the_list():
    with pytest.raises(ValueError, match="joy, sadness"):
        Emotion.parse("bored")


def test_every_emotion_has_a_complete_style():
    hex_colour = re.compile(r"^#[0-9a-f]{6}$")
    for emotion in ALL_EMOTIONS:
        style = emotion.style
        assert style.display_name
        assert len(style.palette) >= 4 and len(style.background) >= 2
        assert all(hex_colour.match(c) for c in (*style.palette, *style.background,
                                                 style.ui_colour))
        assert style.prompt_words and style.graphic_language
    digits = [emotion.style.shortcut_digit for emotion in ALL_EMOTIONS]
    assert sorted(digits) == list(range(1, 8))
