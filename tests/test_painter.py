"""The built-in painter: determinism, output format, composition families reachable by
seed, and palettes that follow the brief.

Palette checks average a few seeds and compare emotions with each other, so they fail if
two emotions' palettes or compositions were swapped, not just if a number drifts.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from itertools import combinations

import numpy as np
import pytest

from animo_desktop import painter
from animo_desktop.emotions import ALL_EMOTIONS, Emotion
from animo_desktop.painter import composition_family, family_names, paint
from animo_desktop.painter.family import Family

SEEDS = (0, 1, 2)
MIN_FAMILIES = 4


def first_seed_of_each_family(emotion: Emotion, search: int = 400) -> dict[str, int]:
    seeds: dict[str, int] = {}
    for seed in range(search):
        seeds.setdefault(composition_family(emotion, seed), seed)
    return seeds


@dataclass(frozen=True)
class Stats:
    hue: np.ndarray         # degrees, 0..360
    saturation: np.ndarray  # 0..1
    value: np.ndarray       # 0..1
    mean_rgb: np.ndarray    # 0..255
    sharp_edges: float      # fraction of neighbouring pixels with a strong luminance step

    def share(self, low: float, high: float, min_saturation: float = 0.3) -> float:
        """Fraction of pixels that are clearly coloured with a hue in [low, high)."""
        return float(np.mean((self.saturation > min_saturation) & (self.hue >= low) & (self.hue < high)))

    @property
    def red_share(self) -> float:
        strong = self.saturation > 0.5
        return float(np.mean(strong & ((self.hue < 15) | (self.hue >= 345))))


@lru_cache(maxsize=None)
def stats(emotion: Emotion) -> Stats:
    images = [paint(emotion, seed) for seed in SEEDS]
    hsv = np.stack([np.asarray(image.convert("HSV"), dtype=np.float64) / 255.0 for image in images])
    rgb = np.stack([np.asarray(image, dtype=np.float64) for image in images])
    edges = []
    for image in images:
        luminance = np.asarray(image.convert("L"), dtype=np.float64)
        edges.append(np.mean(np.abs(np.diff(luminance, axis=0)) > 25) + np.mean(np.abs(np.diff(luminance, axis=1)) > 25))
    return Stats(hue=hsv[..., 0] * 360.0, saturation=hsv[..., 1], value=hsv[..., 2],
                 mean_rgb=rgb.reshape(-1, 3).mean(axis=0), sharp_edges=float(np.mean(edges)))


# --- determinism and format ---------------------------------------------------------

@pytest.mark.parametrize("emotion", ALL_EMOTIONS)
def test_same_emotion_and_seed_give_identical_pixels(emotion: Emotion) -> None:
    assert paint(emotion, 42).tobytes() == paint(emotion, 42).tobytes()


@pytest.mark.parametrize("emotion", ALL_EMOTIONS)
def test_different_seeds_give_different_compositions(emotion: Emotion) -> None:
    a = np.asarray(paint(emotion, 1), dtype=np.int16)
    b = np.asarray(paint(emotion, 2), dtype=np.int16)
    # Not just grain: a sizeable part of the picture changes visibly. Neutral is
    # low-contrast by design (its values spread less than 0.08, tested below), so a
    # visible step there is smaller.
    visible_step = 12 if emotion is Emotion.NEUTRAL else 20
    assert np.mean(np.abs(a - b).max(axis=-1) > visible_step) > 0.05


# --- composition families -----------------------------------------------------------

@pytest.mark.parametrize("emotion", ALL_EMOTIONS)
def test_every_family_of_every_emotion_is_reachable_by_seed(emotion: Emotion) -> None:
    names = family_names(emotion)
    assert len(names) >= MIN_FAMILIES
    assert len(set(names)) == len(names)
    assert set(first_seed_of_each_family(emotion, search=200)) == set(names)


@pytest.mark.parametrize("emotion", ALL_EMOTIONS)
def test_the_family_named_for_a_seed_is_the_one_paint_draws(emotion: Emotion, monkeypatch) -> None:
    drawn: list[str] = []

    def recorder(name: str) -> Family:
        return Family(name, lambda art, rng, palette, background: drawn.append(name))

    monkeypatch.setitem(painter._FAMILIES, emotion, tuple(recorder(name) for name in family_names(emotion)))
    for seed in range(30):
        paint(emotion, seed, 32)
        assert drawn[-1] == composition_family(emotion, seed)
    assert len(set(drawn)) > 1


@pytest.mark.parametrize("emotion", ALL_EMOTIONS)
def test_every_family_gives_identical_pixels_for_the_same_seed(emotion: Emotion) -> None:
    for seed in first_seed_of_each_family(emotion).values():
        assert paint(emotion, seed, 128).tobytes() == paint(emotion, seed, 128).tobytes()


@pytest.mark.parametrize("emotion", ALL_EMOTIONS)
def test_the_families_of_one_emotion_are_different_pictures(emotion: Emotion) -> None:
    from animo_desktop.artwork_diversity import descriptor

    vectors = {name: descriptor(paint(emotion, seed, 128))
               for name, seed in first_seed_of_each_family(emotion).items()}
    for (a, va), (b, vb) in combinations(vectors.items(), 2):
        assert np.linalg.norm(va - vb) > 0.1, (a, b)


def test_one_seed_gives_different_pictures_for_different_emotions() -> None:
    pictures = {emotion: paint(emotion, 7).tobytes() for emotion in ALL_EMOTIONS}
    assert len(set(pictures.values())) == len(ALL_EMOTIONS)


def test_global_random_state_is_left_alone() -> None:
    np.random.seed(123)
    expected = np.random.random()
    np.random.seed(123)
    paint(Emotion.SURPRISE, 5)
    assert np.random.random() == expected


@pytest.mark.parametrize("emotion", ALL_EMOTIONS)
def test_default_output_is_rgb_512(emotion: Emotion) -> None:
    image = paint(emotion, 0)
    assert image.mode == "RGB"
    assert image.size == (512, 512)


@pytest.mark.parametrize("size", [64, 300, 768])
def test_other_sizes(size: int) -> None:
    image = paint(Emotion.JOY, 3, size=size)
    assert image.mode == "RGB"
    assert image.size == (size, size)


def test_negative_and_huge_seeds_work_and_differ() -> None:
    a, b = paint(Emotion.FEAR, -1, 128), paint(Emotion.FEAR, 2**70, 128)
    assert a.size == b.size == (128, 128)
    assert a.tobytes() != b.tobytes()


# --- palettes follow the brief ------------------------------------------------------

def test_joy_is_bright_and_yellow() -> None:
    joy, fear = stats(Emotion.JOY), stats(Emotion.FEAR)
    assert joy.value.mean() > fear.value.mean() + 0.4
    assert joy.value.mean() > 0.8
    assert 40 <= joy.hue.mean() <= 65
    # Dominant yellows, with touches of orange and luminous green.
    assert joy.share(40, 65) > 0.5
    assert joy.share(15, 40) > 0.02
    assert joy.share(70, 110) > 0.01


def test_joy_is_yellower_than_fear() -> None:
    assert stats(Emotion.JOY).share(40, 65) > stats(Emotion.FEAR).share(40, 65) + 0.4


def test_anger_is_dominantly_red() -> None:
    anger = stats(Emotion.ANGER)
    assert anger.red_share > 0.5
    for other in ALL_EMOTIONS:
        if other is not Emotion.ANGER:
            assert anger.red_share > stats(other).red_share + 0.3, other
    # Black accents: some clearly dark pixels.
    assert np.mean(anger.value < 0.2) > 0.02


def test_fear_is_dark_and_purple_blue() -> None:
    fear = stats(Emotion.FEAR)
    assert fear.value.mean() < 0.3
    assert fear.value.mean() < stats(Emotion.JOY).value.mean() - 0.4
    assert fear.value.mean() < stats(Emotion.NEUTRAL).value.mean() - 0.4
    assert fear.share(220, 300) > 0.5


def test_sadness_is_cool_and_desaturated() -> None:
    sadness = stats(Emotion.SADNESS)
    assert sadness.saturation.mean() < 0.25
    assert sadness.saturation.mean() < stats(Emotion.JOY).saturation.mean() - 0.25
    assert sadness.saturation.mean() < stats(Emotion.ANGER).saturation.mean() - 0.25
    # Cold: the mean colour leans blue.
    red, _, blue = sadness.mean_rgb
    assert blue > red + 10


def test_surprise_has_violet_orange_and_turquoise_together() -> None:
    surprise = stats(Emotion.SURPRISE)
    assert surprise.share(255, 300) > 0.2
    assert surprise.share(15, 45) > 0.04
    assert surprise.share(160, 200) > 0.04
    # No other emotion mixes the three.
    for other in ALL_EMOTIONS:
        if other is not Emotion.SURPRISE:
            s = stats(other)
            assert min(s.share(255, 300), s.share(15, 45), s.share(160, 200)) < 0.01, other


def test_disgust_is_dark_green_and_brown() -> None:
    disgust = stats(Emotion.DISGUST)
    assert disgust.value.mean() < 0.35
    assert disgust.value.mean() < stats(Emotion.JOY).value.mean() - 0.4
    assert disgust.share(70, 160, min_saturation=0.2) > 0.1   # greens
    assert disgust.share(15, 45, min_saturation=0.2) > 0.1    # browns
    assert disgust.share(200, 345, min_saturation=0.2) < 0.01  # no blues, violets or reds


def test_neutral_is_calm_low_saturation_low_contrast() -> None:
    neutral = stats(Emotion.NEUTRAL)
    assert neutral.saturation.mean() < 0.12
    assert neutral.value.std() < 0.08
    for other in ALL_EMOTIONS:
        if other is not Emotion.NEUTRAL:
            assert neutral.saturation.mean() < stats(other).saturation.mean(), other
    for loud in (Emotion.FEAR, Emotion.ANGER, Emotion.SURPRISE):
        assert neutral.value.std() < stats(loud).value.std() / 2, loud


def test_soft_emotions_have_far_fewer_hard_edges_than_sharp_ones() -> None:
    # Sadness and neutral are soft and still; fear, anger and surprise are angular.
    for soft in (Emotion.SADNESS, Emotion.NEUTRAL):
        for sharp in (Emotion.FEAR, Emotion.ANGER, Emotion.SURPRISE):
            assert stats(sharp).sharp_edges > 3 * stats(soft).sharp_edges + 0.005, (soft, sharp)


@pytest.mark.parametrize("a, b", list(combinations(ALL_EMOTIONS, 2)))
def test_every_emotion_has_its_own_mean_colour(a: Emotion, b: Emotion) -> None:
    assert np.linalg.norm(stats(a).mean_rgb - stats(b).mean_rgb) > 30
