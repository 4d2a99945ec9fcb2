"""Built-in procedural painter: an abstract artwork for an emotion and a seed.

Each emotion has its palette in the catalogue (`emotions.py`) and several composition
families in its own module here, all in the artist's graphic language for it
(shared/brief/emotion_art.md); the seed picks the family and then everything in it, so
one emotion's artworks do not repeat one template. Pure numpy + Pillow, well under
200 ms an artwork: it is the fallback when no diffusion model is available.
"""

from __future__ import annotations

import zlib

import numpy as np
from PIL import Image

from animo_desktop.emotions import Emotion

from . import anger, disgust, fear, joy, neutral, sadness, surprise
from .canvas import Artwork
from .colour import rgb
from .family import Family

_FAMILIES: dict[Emotion, tuple[Family, ...]] = {
    Emotion.JOY: joy.FAMILIES,
    Emotion.SADNESS: sadness.FAMILIES,
    Emotion.FEAR: fear.FAMILIES,
    Emotion.ANGER: anger.FAMILIES,
    Emotion.SURPRISE: surprise.FAMILIES,
    Emotion.DISGUST: disgust.FAMILIES,
    Emotion.NEUTRAL: neutral.FAMILIES,
}


def family_names(emotion: Emotion) -> tuple[str, ...]:
    """The names of the emotion's composition families."""
    return tuple(family.name for family in _FAMILIES[emotion])


def composition_family(emotion: Emotion, seed: int) -> str:
    """The name of the family `paint(emotion, seed)` composes with."""
    return _choose(emotion, seed)[0].name


def paint(emotion: Emotion, seed: int, size: int = 512) -> Image.Image:
    """Render an RGB `size` x `size` artwork; identical for the same emotion, seed and size."""
    if size < 1:
        raise ValueError(f"size must be positive, got {size}")
    family, rng = _choose(emotion, seed)
    style = emotion.style
    art = Artwork(size)
    family.draw(art, rng, [rgb(c) for c in style.palette], [rgb(c) for c in style.background])
    return art.finish()


def _choose(emotion: Emotion, seed: int) -> tuple[Family, np.random.Generator]:
    """The family for this seed, and the generator, past that choice, that draws it."""
    # Mix the emotion in so that one seed gives unrelated pictures across emotions.
    rng = np.random.default_rng([seed & 0xFFFF_FFFF_FFFF_FFFF, zlib.crc32(emotion.value.encode())])
    families = _FAMILIES[emotion]
    return families[rng.integers(len(families))], rng
