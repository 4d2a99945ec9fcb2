"""Palette adherence: how close an artwork's colours are to each emotion's palette.

An artwork is described by three distributions over its (downscaled) pixels, in HSV:
a saturation-weighted hue histogram of HUE_BINS bins on the hue circle (grey pixels
carry no hue), and histograms of saturation and value of TONE_BINS bins each.

Each emotion's reference descriptor is built from the catalogue alone (emotions.py: the
palette, dominant colour first, and the background tones), never from the painter's
output, so the score is not circular. Every catalogue colour is spread a little in hue,
saturation and value (a painted colour is blended, blurred and grained), the palette
colours weighted by rank (the first is dominant), the background tones as the large
areas they are.

The distance between two descriptors is the sum of an earth mover's distance on the hue
circle and earth mover's distances on saturation and value (all in units of the whole
range), so a hue a little off costs a little and one across the circle costs much.
The nearest emotion wins. Qt-free: numpy and Pillow only.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
from PIL import Image

from animo_desktop.emotions import ALL_EMOTIONS, Emotion, EmotionStyle

HUE_BINS = 12
TONE_BINS = 8
DESCRIBE_SIDE = 96        # artworks are downscaled to at most this side before counting

# How much of a reference lies in the background tones (the large washes) and how the
# palette colours share the rest: by rank, the first (dominant) most.
_BACKGROUND_SHARE = 0.45
# How far a catalogue colour spreads: hue in degrees, saturation and value in 0..1.
_HUE_SPREAD = 12.0
_TONE_SPREAD = 0.06
_HUE_WEIGHT = 1.0
_SATURATION_WEIGHT = 1.0
_VALUE_WEIGHT = 1.0


@dataclass(frozen=True)
class PaletteDescriptor:
    """Normalised distributions: `hue` sums to the mean saturation-weight (0 for a grey
    picture), `saturation` and `value` sum to 1."""

    hue: np.ndarray
    saturation: np.ndarray
    value: np.ndarray

    def as_dict(self) -> dict[str, list[float]]:
        return {name: [round(float(x), 4) for x in getattr(self, name)]
                for name in ("hue", "saturation", "value")}


def _hsv(rgb: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Hue in degrees [0, 360), saturation and value in [0, 1], for (..., 3) uint8/float RGB."""
    rgb = np.asarray(rgb, dtype=np.float64) / 255.0
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    high, low = rgb.max(axis=-1), rgb.min(axis=-1)
    chroma = high - low
    safe = np.where(chroma > 0, chroma, 1.0)
    hue = np.where(high == r, ((g - b) / safe) % 6,
                   np.where(high == g, (b - r) / safe + 2, (r - g) / safe + 4)) * 60.0
    hue = np.where(chroma > 0, hue % 360.0, 0.0)
    saturation = np.where(high > 0, chroma / np.where(high > 0, high, 1.0), 0.0)
    return hue, saturation, high


def _soft_hue_histogram(hue: np.ndarray, weight: np.ndarray, spread: float) -> np.ndarray:
    """Hue histogram on the circle; each sample is a wrapped Gaussian of `spread` degrees
    (0: plain binning)."""
    width = 360.0 / HUE_BINS
    if spread <= 0:
        index = np.floor(hue / width).astype(int) % HUE_BINS
        return np.bincount(index.ravel(), weights=weight.ravel(), minlength=HUE_BINS)
    centres = (np.arange(HUE_BINS) + 0.5) * width
    delta = (centres[None, :] - hue.ravel()[:, None] + 180.0) % 360.0 - 180.0
    kernel = np.exp(-0.5 * (delta / spread) ** 2)
    kernel /= kernel.sum(axis=1, keepdims=True)
    return (kernel * weight.ravel()[:, None]).sum(axis=0)


def _soft_tone_histogram(values: np.ndarray, weight: np.ndarray, spread: float) -> np.ndarray:
    if spread <= 0:
        index = np.clip((values * TONE_BINS).astype(int), 0, TONE_BINS - 1)
        return np.bincount(index.ravel(), weights=weight.ravel(), minlength=TONE_BINS)
    centres = (np.arange(TONE_BINS) + 0.5) / TONE_BINS
    kernel = np.exp(-0.5 * ((centres[None, :] - values.ravel()[:, None]) / spread) ** 2)
    kernel /= kernel.sum(axis=1, keepdims=True)
    return (kernel * weight.ravel()[:, None]).sum(axis=0)


def _descriptor(rgb: np.ndarray, weight: np.ndarray, hue_spread: float,
                tone_spread: float) -> PaletteDescriptor:
    hue, saturation, value = _hsv(rgb)
    weight = np.asarray(weight, dtype=np.float64)
    total = weight.sum()
    if total <= 0:
        raise ValueError("a descriptor needs at least one pixel or colour")
    weight = weight / total
    return PaletteDescriptor(
        hue=_soft_hue_histogram(hue, weight * saturation, hue_spread),
        saturation=_soft_tone_histogram(saturation, weight, tone_spread),
        value=_soft_tone_histogram(value, weight, tone_spread))


def describe(image: Image.Image) -> PaletteDescriptor:
    """The artwork's hue, saturation and value distributions (downscaled first)."""
    picture = image.convert("RGB")
    if max(picture.size) > DESCRIBE_SIDE:
        picture = picture.copy()
        picture.thumbnail((DESCRIBE_SIDE, DESCRIBE_SIDE), Image.Resampling.BOX)
    pixels = np.asarray(picture).reshape(-1, 3)
    return _descriptor(pixels, np.ones(len(pixels)), 0.0, 0.0)


def _hex_rgb(colour: str) -> tuple[int, int, int]:
    value = colour.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def reference_for_style(style: EmotionStyle) -> PaletteDescriptor:
    """An emotion's reference descriptor, from its catalogue palette and background."""
    palette = [_hex_rgb(c) for c in style.palette]
    background = [_hex_rgb(c) for c in style.background]
    rank = 1.0 / np.arange(1, len(palette) + 1)
    weights = np.concatenate([
        (1 - _BACKGROUND_SHARE) * rank / rank.sum(),
        np.full(len(background), _BACKGROUND_SHARE / max(1, len(background)))])
    colours = np.array(palette + background, dtype=np.float64)
    return _descriptor(colours, weights, _HUE_SPREAD, _TONE_SPREAD)


def references(styles: Mapping[Emotion, EmotionStyle] | None = None) -> dict[Emotion, PaletteDescriptor]:
    """Every emotion's reference descriptor (the catalogue's, unless `styles` says)."""
    styles = styles or {emotion: emotion.style for emotion in ALL_EMOTIONS}
    return {emotion: reference_for_style(style) for emotion, style in styles.items()}


def _emd_line(a: np.ndarray, b: np.ndarray) -> float:
    """Earth mover's distance between two histograms on [0, 1] (of equal mass)."""
    return float(np.abs(np.cumsum(a - b)).sum() / len(a))


def _emd_circle(a: np.ndarray, b: np.ndarray) -> float:
    """Earth mover's distance on the circle (in units of the circumference) between the
    shapes of two hue histograms, scaled by how colourful both are (the hue of a grey
    picture says little; the saturation histogram tells greyness)."""
    ma, mb = float(a.sum()), float(b.sum())
    if ma <= 0 or mb <= 0:
        return 0.0
    cumulative = np.cumsum(a / ma - b / mb)
    shape = float(np.abs(cumulative - np.median(cumulative)).sum() / len(a))
    return 2.0 * shape * float(np.sqrt(ma * mb))


def distance(artwork: PaletteDescriptor, reference: PaletteDescriptor) -> float:
    return (_HUE_WEIGHT * _emd_circle(artwork.hue, reference.hue)
            + _SATURATION_WEIGHT * _emd_line(artwork.saturation, reference.saturation)
            + _VALUE_WEIGHT * _emd_line(artwork.value, reference.value))


def score(image: Image.Image | PaletteDescriptor,
          refs: Mapping[Emotion, PaletteDescriptor] | None = None) -> dict[Emotion, float]:
    """The distance from the artwork to every emotion's reference (smaller is closer)."""
    descriptor = image if isinstance(image, PaletteDescriptor) else describe(image)
    refs = refs if refs is not None else references()
    return {emotion: distance(descriptor, ref) for emotion, ref in refs.items()}


def nearest(image: Image.Image | PaletteDescriptor,
            refs: Mapping[Emotion, PaletteDescriptor] | None = None) -> Emotion:
    """The emotion whose palette is nearest to the artwork's colours."""
    distances = score(image, refs)
    return min(distances, key=distances.__getitem__)


def own_share(results: Iterable[tuple[Emotion, Emotion]]) -> dict[Emotion, float]:
    """Per true emotion, the share of (true, nearest) pairs whose nearest is their own."""
    counts: dict[Emotion, list[int]] = {}
    for truth, found in results:
        hit_total = counts.setdefault(truth, [0, 0])
        hit_total[0] += truth is found
        hit_total[1] += 1
    return {emotion: hits / total for emotion, (hits, total) in counts.items()}
