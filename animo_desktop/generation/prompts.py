"""Prompts for Stable Diffusion: built from the emotion catalogue, the LoRA's trigger
words and the therapist's theme; the negative prompt keeps the images abstract and safe."""

from __future__ import annotations

import re

from animo_desktop.emotions import Emotion
from animo_desktop.generation.lora_manifest import EmotionLora

STYLE_WORDS = ("abstract expressive painting", "non-figurative artwork")
NEGATIVE_PROMPT = ", ".join((
    "text", "letters", "words", "watermark", "signature", "logo",
    "face", "person", "people", "body", "hands", "eyes", "portrait",
    "nsfw", "nudity", "gore", "blood", "violence", "weapon",
    "photograph", "realistic", "lowres", "blurry", "jpeg artifacts",
))


def build_prompt(emotion: Emotion, theme: str = "", lora: EmotionLora | None = None,
                 with_trigger_words: bool = True) -> str:
    """The positive prompt: trigger words first (LoRAs are trained with them leading),
    then the theme, the emotion's vocabulary and the manifest's additions.

    Trigger words only help when the emotion's LoRA is loaded; pass
    with_trigger_words=False when it is not.
    """
    parts: list[str] = []
    if lora is not None and with_trigger_words:
        parts += lora.trigger_words
    if theme.strip():
        parts.append(theme.strip())
    parts += STYLE_WORDS
    parts += emotion.style.prompt_words
    if lora is not None:
        parts += lora.prompt_additions
    return ", ".join(parts)


def emotion_named_in(text: str) -> Emotion | None:
    """The first emotion a prompt names ("an angry sea" -> anger), or None.

    As in the original system: when detection is off, an emotion word in the therapist's
    prompt selects that emotion's LoRA. Names and synonyms come from the catalogue.
    """
    for word in re.findall(r"[^\W\d_]+", text.lower()):
        try:
            return Emotion.parse(word)
        except ValueError:
            continue
    return None
