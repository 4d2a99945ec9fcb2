"""Disgust: dark and dull (dark greens, browns, touches of grey); disordered irregular
forms, repellent motifs, twisted tortuous lines."""

from __future__ import annotations

import numpy as np

from .canvas import Artwork, Pen
from .colour import RGB, luminance, pick
from .family import Family
from .geometry import blob, twisted, wave


def _murk(art: Artwork, rng: np.random.Generator, palette: list[RGB], background: list[RGB]) -> None:
    """A heavily mottled dark wash with lumpy stains floating in it."""
    art.wash(background, rng, mottling=0.7)
    with art.soft(blur=0.04) as pen:
        for _ in range(6):
            pen.polygon(blob(rng, rng.uniform(0, 1, 2), rng.uniform(0.08, 0.2), 0.6), pick(rng, palette), 120)


def _froth(pen: Pen, rng: np.random.Generator, colour: RGB, centre: np.ndarray, spread: float,
           count: int) -> None:
    """A cluster of small bubbles, as on something gone bad."""
    for spot in centre + rng.normal(0, spread, (count, 2)):
        pen.circle(spot, rng.uniform(0.004, 0.018), colour, 170, ring=0.003)


def _tangles(pen: Pen, rng: np.random.Generator, palette: list[RGB], count: int, width: float) -> None:
    for _ in range(count):
        walk = twisted(rng, rng.uniform(0.2, 0.8, 2), rng.integers(150, 260), 0.006, 0.18)
        pen.line(walk, pick(rng, palette[1:]), rng.uniform(0.5, 1.0) * width)


def _ooze(art: Artwork, rng: np.random.Generator, palette: list[RGB], background: list[RGB]) -> None:
    """Lumpy masses sagging into drips, twisted lines crawling over them, froth."""
    light = max(palette, key=luminance)
    _murk(art, rng, palette, background)
    pen = art.crisp
    for _ in range(rng.integers(5, 8)):
        radius = rng.uniform(0.05, 0.13)
        mass = blob(rng, rng.uniform(0.05, 0.95, 2), radius, 0.45, aspect=rng.uniform(0.7, 1.5), roughness=0.05)
        colour = pick(rng, palette)
        pen.polygon(mass, colour, rng.integers(150, 210))
        lowest = mass[np.argsort(mass[:, 1])[-12:]]
        for point in lowest[rng.choice(12, rng.integers(1, 4), replace=False)]:
            pen.drip(point - (0, 0.01), rng.uniform(0.03, 0.12), rng.uniform(0.01, 0.022), colour, 190)
    _tangles(pen, rng, palette, rng.integers(4, 7), 0.009)
    for _ in range(rng.integers(2, 4)):
        _froth(pen, rng, light, rng.uniform(0.1, 0.9, 2), 0.045, rng.integers(15, 30))


def _knot(art: Artwork, rng: np.random.Generator, palette: list[RGB], background: list[RGB]) -> None:
    """A writhing knot of tortuous lines, thick and thin, like roots or worms."""
    _murk(art, rng, palette, background)
    pen = art.crisp
    centre = rng.uniform(0.35, 0.65, 2)
    for _ in range(rng.integers(10, 16)):
        walk = twisted(rng, centre + rng.normal(0, 0.08, 2), rng.integers(200, 320), 0.006, 0.22)
        # Pulled back towards the knot: the walk's drift is bent inwards.
        walk = centre + (walk - centre) * 0.75
        # Every other vertex: the same knot for half the round joints (the slow part).
        pen.line(walk[::2], pick(rng, palette), rng.uniform(0.005, 0.022))
    _tangles(pen, rng, palette, rng.integers(3, 6), 0.006)
    _froth(pen, rng, max(palette, key=luminance), centre, 0.12, rng.integers(10, 25))


def _mould(art: Artwork, rng: np.random.Generator, palette: list[RGB], background: list[RGB]) -> None:
    """Colonies of mould spreading in ragged rings, spores and hairs around them."""
    light = max(palette, key=luminance)
    _murk(art, rng, palette, background)
    pen = art.crisp
    for _ in range(rng.integers(6, 11)):
        centre = rng.uniform(0.05, 0.95, 2)
        radius = rng.uniform(0.06, 0.18)
        colours = [pick(rng, palette) for _ in range(3)]
        for k, colour in enumerate(colours):
            # Ragged concentric growth, darker at the core.
            pen.polygon(blob(rng, centre, radius * (1 - 0.3 * k), 0.35, roughness=0.12, n=80), colour, 190)
        for angle in rng.uniform(0, 2 * np.pi, rng.integers(8, 16)):
            hair = twisted(rng, centre + radius * np.array([np.cos(angle), np.sin(angle)]), 14, 0.004, 0.3)
            pen.line(hair, colours[0], 0.003)
        _froth(pen, rng, light, centre, radius * 0.4, rng.integers(5, 12))
    for spot in rng.uniform(0, 1, (rng.integers(30, 60), 2)):
        pen.circle(spot, rng.uniform(0.003, 0.008), pick(rng, palette[1:]), 200)


def _swamp(art: Artwork, rng: np.random.Generator, palette: list[RGB], background: list[RGB]) -> None:
    """Sagging layers of sludge, dripping into each other, bubbles rising through them."""
    light = max(palette, key=luminance)
    art.wash(background, rng, mottling=0.6, angle=np.pi / 2)
    murky = sorted(palette, key=luminance)[:-2]  # the light greys would lift the sludge
    pen = art.crisp
    for level in np.sort(rng.uniform(0.1, 0.8, rng.integers(4, 7))):
        edge = wave(level, rng.uniform(0.02, 0.05), rng.uniform(0.3, 0.7), rng.uniform(0, 2 * np.pi))
        edge[:, 1] += rng.normal(0, 0.006, len(edge)).cumsum() * 0.5  # uneven, not a clean wave
        edge[:, 1] += 0.025 * np.sin(edge[:, 0] * rng.uniform(8, 14) + rng.uniform(0, 6)) ** 3  # lumps
        colour = murky[rng.integers(len(murky))]
        pen.polygon(np.vstack([edge, [[1.05, 1.05], [-0.05, 1.05]]]), colour, rng.integers(150, 200))
        for point in edge[rng.integers(5, len(edge) - 5, rng.integers(3, 7))]:
            pen.drip(point - (0, 0.005), rng.uniform(0.04, 0.16), rng.uniform(0.014, 0.03), colour, 210)
    for _ in range(rng.integers(3, 5)):
        column = rng.uniform(0.1, 0.9, 2)
        _froth(pen, rng, light, column, 0.03, rng.integers(6, 14))
    _tangles(pen, rng, palette, rng.integers(2, 4), 0.007)


def _seep(art: Artwork, rng: np.random.Generator, palette: list[RGB], background: list[RGB]) -> None:
    """Sludge seeping down from above in a ragged curtain of runs, pooling in lumps below."""
    murky = sorted(palette, key=luminance)[:-2]  # dark runs: pale ones would read as wax
    art.wash(background[::-1], rng, mottling=0.6, angle=np.pi / 2 + rng.normal(0, 0.2))
    pen = art.crisp
    for layer in range(2):
        edge = rng.uniform(0.05, 0.25) + 0.1 * layer
        colour = murky[rng.integers(len(murky))]
        hem = np.column_stack([np.linspace(-0.05, 1.05, 40), edge + rng.normal(0, 0.02, 40).cumsum() * 0.3])
        pen.polygon(np.vstack([[[1.05, -0.05], [-0.05, -0.05]], hem]), colour, 200)
        for x in np.sort(rng.uniform(0, 1, rng.integers(8, 15))):
            # Runs of uneven length and width, hanging from the ragged hem.
            top = hem[np.searchsorted(hem[:, 0], x) - 1]
            pen.drip((x, top[1] - 0.01), rng.uniform(0.08, 0.6), rng.uniform(0.015, 0.045), colour, 215)
    for _ in range(rng.integers(3, 6)):
        pool = blob(rng, (rng.uniform(0.1, 0.9), rng.uniform(0.8, 0.98)), rng.uniform(0.06, 0.14), 0.5,
                    aspect=rng.uniform(1.5, 2.5), roughness=0.06)
        pen.polygon(pool, murky[rng.integers(len(murky))], 200)
    _froth(pen, rng, max(palette, key=luminance), np.array([rng.uniform(0.2, 0.8), 0.85]), 0.08,
           rng.integers(10, 20))


FAMILIES = (Family("ooze", _ooze), Family("knot", _knot), Family("mould", _mould),
            Family("swamp", _swamp), Family("seep", _seep))
