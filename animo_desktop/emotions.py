"""The emotion catalogue: the single source of truth for the seven emotions.

Names, display names, palettes, prompt vocabulary and graphic language follow the
artist's brief (shared/brief/emotion_art.md). Every other module asks this one; nothing
else hard-codes an emotion list.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


@dataclass(frozen=True)
class EmotionStyle:
    display_name: str
    # Palette colours as hex strings: the first is dominant, then accents, then the
    # background tones the painter lays first.
    palette: tuple[str, ...]
    background: tuple[str, ...]
    # Prompt vocabulary: what the artwork shows, in words Stable Diffusion understands.
    prompt_words: tuple[str, ...]
    graphic_language: str
    # The colour the UI uses for this emotion (buttons, bars, timeline bands).
    ui_colour: str
    # Keyboard digit used to pin the emotion in the UI.
    shortcut_digit: int


class Emotion(str, Enum):
    JOY = "joy"
    SADNESS = "sadness"
    FEAR = "fear"
    ANGER = "anger"
    SURPRISE = "surprise"
    DISGUST = "disgust"
    NEUTRAL = "neutral"

    @property
    def style(self) -> EmotionStyle:
        return _STYLES[self]

    @property
    def display_name(self) -> str:
        return self.style.display_name

    @property
    def synonyms(self) -> tuple[str, ...]:
        """The other words `parse` accepts for this emotion ("happy" for joy, ...)."""
        return tuple(word for word, emotion in _SYNONYMS.items() if emotion is self)

    @classmethod
    def parse(cls, text: str) -> "Emotion":
        """Accept a name in any case, or a common synonym ("happy", "angry", ...)."""
        key = text.strip().lower()
        if key in cls._value2member_map_:
            return cls(key)
        if key in _SYNONYMS:
            return _SYNONYMS[key]
        names = ", ".join(e.value for e in cls)
        raise ValueError(f"unknown emotion {text!r}; expected one of: {names}")


_STYLES: dict[Emotion, EmotionStyle] = {
    Emotion.JOY: EmotionStyle(
        display_name="Joy",
        palette=("#ffd400", "#ffe14d", "#ff9f1c", "#ffb703", "#9ef01a", "#fff3b0"),
        background=("#fff1a8", "#ffd23f"),
        prompt_words=("bright vivid yellows", "touches of orange and luminous green",
                      "rounded forms", "dynamic curved lines", "positive energy", "vitality"),
        graphic_language="rounded forms, dynamic motifs, curved lines",
        ui_colour="#f2c230",
        shortcut_digit=1,
    ),
    Emotion.SADNESS: EmotionStyle(
        display_name="Sadness",
        palette=("#8d99ae", "#9a8fb0", "#6c8aa8", "#b8c0cc", "#7d7f9a", "#c9c3d6"),
        background=("#b7bfcc", "#7f8ea3"),
        prompt_words=("cold neutral tones", "greys, mauve and soft desaturated blues",
                      "delicate soft forms", "fluid motifs", "gentle lines", "melancholy, quiet"),
        graphic_language="delicate, soft forms, fluid motifs, gentle lines",
        ui_colour="#7f93b0",
        shortcut_digit=2,
    ),
    Emotion.FEAR: EmotionStyle(
        display_name="Fear",
        palette=("#3c1a5b", "#1b1f4b", "#5a2a82", "#6b6b7b", "#0d0d14", "#8a7fa8"),
        background=("#0b0b12", "#241338"),
        prompt_words=("dark intense palette", "blacks, greys, deep purple and dark blue",
                      "angular pointed forms", "chaotic motifs", "jagged broken lines",
                      "anxiety and tension"),
        graphic_language="angular, pointed forms, chaotic motifs, jagged broken lines",
        ui_colour="#6a4c93",
        shortcut_digit=3,
    ),
    Emotion.ANGER: EmotionStyle(
        display_name="Anger",
        palette=("#d00000", "#ff1e1e", "#9d0208", "#111111", "#e85d04", "#6a040f"),
        background=("#b00000", "#3a0000"),
        prompt_words=("dominant vivid passionate reds", "black accents",
                      "bold strong geometric forms", "aggressive motifs", "striking lines",
                      "force and power"),
        graphic_language="bold strong geometric forms, aggressive motifs, striking lines",
        ui_colour="#d62828",
        shortcut_digit=4,
    ),
    Emotion.SURPRISE: EmotionStyle(
        display_name="Surprise",
        palette=("#8f2cd6", "#ff8c1a", "#1ad1c4", "#c77dff", "#ffb347", "#40e0d0"),
        background=("#2b1050", "#5b21b6"),
        prompt_words=("contrasted dynamic palette", "violet, orange and turquoise together",
                      "sudden explosive forms", "surprising motifs", "expressive lines",
                      "wonder"),
        graphic_language="sudden explosive forms, surprising motifs, expressive lines",
        ui_colour="#ff8c1a",
        shortcut_digit=5,
    ),
    Emotion.DISGUST: EmotionStyle(
        display_name="Disgust",
        palette=("#3a5a40", "#5c4033", "#2f3e1f", "#6b705c", "#4a3b2a", "#7a7d6a"),
        background=("#2a3320", "#3d2f22"),
        prompt_words=("dark dull palette", "dark greens and browns with touches of grey",
                      "disordered irregular forms", "repellent motifs",
                      "twisted tortuous lines", "aversion"),
        graphic_language="disordered irregular forms, repellent motifs, twisted tortuous lines",
        ui_colour="#5f7a3a",
        shortcut_digit=6,
    ),
    Emotion.NEUTRAL: EmotionStyle(
        display_name="Neutral",
        # Not defined by the artist. Neutral is the resting state and the first thing a
        # session shows, so it must not suggest an emotion: warm sand and clay balanced
        # against cool mist and sage (no hue leads), light and close values (low
        # contrast, nothing as dark as sadness or fear), little saturation.
        palette=("#c9bea9", "#a9b9c0", "#b9c1a9", "#ddd6c9", "#c7b4a3", "#a2afb9"),
        background=("#ebe6dc", "#d6cfc2"),
        prompt_words=("calm balanced low-contrast palette", "warm sand and cool mist, sage and clay",
                      "balanced still composition", "quiet horizontal forms"),
        graphic_language="balanced, still composition",
        ui_colour="#a39e93",
        shortcut_digit=7,
    ),
}

_SYNONYMS: dict[str, Emotion] = {
    "happy": Emotion.JOY, "happiness": Emotion.JOY, "joyful": Emotion.JOY,
    "sad": Emotion.SADNESS,
    "afraid": Emotion.FEAR, "scared": Emotion.FEAR, "fearful": Emotion.FEAR,
    "angry": Emotion.ANGER, "rage": Emotion.ANGER,
    "surprised": Emotion.SURPRISE,
    "disgusted": Emotion.DISGUST,
    "calm": Emotion.NEUTRAL,
}

ALL_EMOTIONS: tuple[Emotion, ...] = tuple(Emotion)


def accepted_emotion_words() -> str:
    """Every word `Emotion.parse` accepts, for help texts: "joy (happy, ...), sadness
    (sad), ..., neutral (calm)"."""
    return ", ".join(f"{emotion.value} ({', '.join(emotion.synonyms)})" if emotion.synonyms
                     else emotion.value for emotion in ALL_EMOTIONS)
