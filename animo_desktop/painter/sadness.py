"""Sadness: cold, neutral tones (greys, mauve, soft desaturated blues); delicate soft
forms, fluid motifs, gentle lines. Mostly painted on the soft layers, so that even its
lines stay gentle, and in several veils, so that it is quiet without being thin."""

from __future__ import annotations

import numpy as np

from .canvas import Artwork, Pen
from .colour import RGB, luminance
from .family import Family
from .geometry import bezier, blob, wave


def _silk(pen: Pen, rng: np.random.Generator, colours: list[RGB], alpha: int) -> None:
    """A bundle of near-parallel gentle lines that slowly fan out, like drifting silk."""
    x = np.linspace(-0.05, 1.05, 4)
    spine = bezier(np.column_stack([x, rng.uniform(0.15, 0.8) + rng.normal(0, 0.06, 4)]))
    fan = np.linspace(0.0, 1.0, len(spine)) * rng.uniform(0.5, 1.5)
    for k in range(rng.integers(3, 6)):
        offset = np.column_stack([np.zeros(len(spine)), 0.012 * k * (1 + fan)])
        pen.stroke(spine + offset, colours[rng.integers(len(colours))], rng.uniform(0.004, 0.009), alpha)


def _tide(art: Artwork, rng: np.random.Generator, palette: list[RGB], background: list[RGB]) -> None:
    """Soft ellipses over layers that sink and darken like a slow tide; runs and silk."""
    by_light = sorted(palette, key=luminance)
    art.wash(background, rng, mottling=0.25, angle=np.pi / 2 + rng.normal(0, 0.15))
    with art.soft(blur=0.03) as pen:
        for i in range(6):
            centre = rng.uniform(0.15, 0.85, 2)
            pen.polygon(blob(rng, centre, rng.uniform(0.1, 0.18), 0.1, aspect=rng.uniform(1.8, 3.0)),
                        by_light[-1 - i] if i % 2 else by_light[i], 190)
    with art.soft(blur=0.01) as pen:
        levels = np.sort(rng.uniform(0.35, 0.85, 4))
        for level, colour in zip(levels, by_light[::-1][1:]):
            band = wave(level, rng.uniform(0.01, 0.04), rng.uniform(0.5, 1.2), rng.uniform(0, 2 * np.pi))
            pen.polygon(np.vstack([band, [[1.05, 1.05], [-0.05, 1.05]]]), colour, 140)
        for _ in range(rng.integers(4, 8)):
            # Watercolour runs: soft vertical drips.
            pen.drip(rng.uniform((0.05, 0.05), (0.95, 0.5)), rng.uniform(0.1, 0.35), rng.uniform(0.012, 0.025),
                     by_light[rng.integers(len(palette) // 2)], 150)
        for _ in range(rng.integers(2, 4)):
            # Light on the water: long, thin, faint strokes along the tide.
            y = rng.uniform(levels[0], 0.95)
            pen.stroke(wave(y, 0.01, rng.uniform(0.6, 1.2), rng.uniform(0, 6)), by_light[-1], 0.012, 110)
    pen = art.crisp
    for _ in range(rng.integers(2, 4)):
        _silk(pen, rng, by_light[len(palette) // 2:], 170)


def _rain(art: Artwork, rng: np.random.Generator, palette: list[RGB], background: list[RGB]) -> None:
    """Low clouds, a slanting veil of rain, and rings widening on still water below."""
    by_light = sorted(palette, key=luminance)
    art.wash(background[::-1], rng, mottling=0.3, angle=np.pi / 2 + rng.normal(0, 0.1))
    slant = rng.normal(0.12, 0.05)
    with art.soft(blur=0.045) as pen:
        for _ in range(rng.integers(5, 8)):
            pen.polygon(blob(rng, (rng.uniform(0, 1), rng.uniform(0.0, 0.3)), rng.uniform(0.12, 0.22), 0.2,
                             aspect=rng.uniform(1.5, 2.5)), by_light[rng.integers(3)], 190)
        water = rng.uniform(0.62, 0.75)
        pen.polygon(np.array([[-0.05, water], [1.05, water], [1.05, 1.05], [-0.05, 1.05]]), by_light[0], 170)
    with art.soft(blur=0.004) as pen:
        for x in rng.uniform(-0.2, 1.1, rng.integers(60, 90)):
            top = rng.uniform(0.1, water - 0.1)
            length = rng.uniform(0.06, 0.2)
            streak = np.linspace((x, top), (x + slant * length, top + length), 8)
            pen.stroke(streak, by_light[-1 - rng.integers(2)], rng.uniform(0.002, 0.004), 130)
        for _ in range(rng.integers(4, 8)):
            centre = (rng.uniform(0.1, 0.9), rng.uniform(water + 0.05, 0.95))
            radius = rng.uniform(0.03, 0.09)
            for k in range(rng.integers(2, 4)):
                r = radius * (1 + 0.6 * k)
                pen.ellipse(centre, (r, r * 0.28), by_light[-1], 190 - 40 * k, ring=0.005)
    pen = art.crisp
    _silk(pen, rng, by_light[-2:], 120)


def _willow(art: Artwork, rng: np.random.Generator, palette: list[RGB], background: list[RGB]) -> None:
    """Branches drooping from the top like a weeping willow, leaves drifting down."""
    by_light = sorted(palette, key=luminance)
    art.wash(background, rng, mottling=0.25, angle=np.pi / 2 + rng.normal(0, 0.2))
    with art.soft(blur=0.06) as pen:
        pen.circle((rng.uniform(0.2, 0.8), rng.uniform(0.2, 0.45)), rng.uniform(0.12, 0.2), by_light[-1], 200)
        for _ in range(4):
            pen.polygon(blob(rng, (rng.uniform(0, 1), rng.uniform(0.6, 1.0)), rng.uniform(0.1, 0.2), 0.15,
                             aspect=2.5), by_light[rng.integers(3)], 130)
    with art.soft(blur=0.003) as pen:
        for _ in range(rng.integers(22, 32)):
            # Out from the top edge, then giving way and hanging down.
            start = np.array([rng.uniform(-0.1, 1.1), -0.05])
            drift = rng.normal(0, 0.2)
            fall = rng.uniform(0.45, 1.0)
            branch = bezier(np.array([start, start + (drift, 0.15), start + (1.4 * drift, fall * 0.6),
                                      start + (1.5 * drift, fall)]), 60)
            colour = by_light[rng.integers(3)]
            pen.stroke(branch, colour, rng.uniform(0.004, 0.009), 190, taper="drip")
            for point in branch[rng.integers(15, 60, rng.integers(5, 10))]:
                pen.ellipse(point + (0.006, 0.014), (0.006, 0.013), colour, 170)  # a hanging leaf
    pen = art.crisp
    for _ in range(rng.integers(5, 10)):
        pen.polygon(blob(rng, rng.uniform(0.05, 0.95, 2), rng.uniform(0.007, 0.012), 0.1, aspect=0.5),
                    by_light[-2], 150)


def _hills(art: Artwork, rng: np.random.Generator, palette: list[RGB], background: list[RGB]) -> None:
    """A pale moon in the mist over soft hills that recede, a veil of mist over each
    farther one."""
    by_light = sorted(palette, key=luminance)
    art.wash(background, rng, mottling=0.2, angle=np.pi / 2)
    with art.soft(blur=0.03) as pen:
        moon = (rng.uniform(0.2, 0.8), rng.uniform(0.12, 0.3))
        pen.circle(moon, rng.uniform(0.14, 0.2), by_light[-1], 110)
        pen.circle(moon, rng.uniform(0.06, 0.1), by_light[-1], 230)
    ridges = rng.integers(4, 7)
    with art.soft(blur=0.006) as pen:
        for k, level in enumerate(np.linspace(rng.uniform(0.3, 0.45), 0.85, ridges)):
            ridge = wave(level, rng.uniform(0.03, 0.09), rng.uniform(0.6, 1.6), rng.uniform(0, 2 * np.pi))
            ridge[:, 1] += 0.03 * np.sin(ridge[:, 0] * rng.uniform(5, 9) + rng.uniform(0, 6))
            # Far ridges light, near ones darker: depth by mist, as in ink-wash landscapes.
            colour = by_light[round((len(by_light) - 2) * (1 - k / (ridges - 1)))]
            pen.polygon(np.vstack([ridge, [[1.05, 1.05], [-0.05, 1.05]]]), colour, 215)
            pen.stroke(ridge - (0, 0.008), by_light[-1], 0.005, 110)
            mist = wave(level + rng.uniform(0.04, 0.08), 0.01, 1.5, rng.uniform(0, 6))
            pen.stroke(mist, by_light[-1], rng.uniform(0.02, 0.05), 70)
    pen = art.crisp
    _silk(pen, rng, by_light[-3:], 110)


FAMILIES = (Family("tide", _tide), Family("rain", _rain), Family("willow", _willow),
            Family("hills", _hills))
