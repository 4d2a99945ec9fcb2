from animo_desktop.emotions import ALL_EMOTIONS, Emotion
from animo_desktop.generation.lora_manifest import EmotionLora
from animo_desktop.generation.prompts import NEGATIVE_PROMPT, build_prompt, emotion_named_in


def test_prompt_joins_trigger_words_theme_catalogue_and_additions():
    lora = EmotionLora(Emotion.ANGER, trigger_words=("Angry", "Artstyle"),
                       prompt_additions=("thick impasto",))
    prompt = build_prompt(Emotion.ANGER, "  the sea ", lora)
    assert prompt.startswith("Angry, Artstyle, the sea, ")
    assert all(word in prompt for word in Emotion.ANGER.style.prompt_words)
    assert prompt.endswith("thick impasto")
    assert "Angry" not in build_prompt(Emotion.ANGER, "", lora, with_trigger_words=False)


def test_every_emotion_has_a_prompt_and_the_negative_prompt_keeps_it_abstract():
    for emotion in ALL_EMOTIONS:
        assert emotion.style.prompt_words[0] in build_prompt(emotion)
    for word in ("text", "face", "watermark", "nsfw"):
        assert word in NEGATIVE_PROMPT


def test_an_emotion_word_in_the_prompt_selects_that_emotion():
    assert emotion_named_in("an Angry sea at night") is Emotion.ANGER
    assert emotion_named_in("happy birds") is Emotion.JOY
    assert emotion_named_in("sadness, then joy") is Emotion.SADNESS
    assert emotion_named_in("the sea, 2024") is None
    assert emotion_named_in("") is None
