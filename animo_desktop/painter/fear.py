"""Fear: dark and intense (blacks, greys, deep purple, dark blue); angular pointed forms,
chaotic motifs, jagged broken lines."""

from __future__ import annotations

import math
from itertools import pairwise

import numpy as np

from .canvas import Artwork, Pen
from .colour import RGB, luminance, pick
from .family import Family
from .geometry import blob, jagged, spike


def _broken_line(pen: Pen, rng: np.random.Generator, line: np.ndarray, colour: RGB, width: float) -> None:
    """A jagged line with some segments missing: broken, not drawn in one breath."""
    for a, b in pairwise(line):
        if rng.random() < 0.75:
            pen.stroke(np.array([a, b]), colour, width * rng.uniform(0.6, 1.4), 200, taper="even")


def _murk(art: Artwork, rng: np.random.Generator, palette: list[RGB], background: list[RGB]) -> None:
    """The night behind every fear: a dark wash with vague shapes moving in it."""
    art.wash(background, rng, mottling=0.4)
    with art.soft(blur=0.05) as pen:
        for _ in range(4):
            pen.polygon(blob(rng, rng.uniform(0, 1, 2), rng.uniform(0.1, 0.25), 0.3), pick(rng, palette), 120)


def _shards(art: Artwork, rng: np.random.Generator, palette: list[RGB], background: list[RGB]) -> None:
    """Sharp shards stabbing at one point from everywhere, broken zig-zags, cracks of light."""
    lights = sorted(palette, key=luminance)[len(palette) // 2:]
    cold = lights[-1]
    focus = rng.uniform(0.25, 0.75, 2)
    _murk(art, rng, palette, background)
    with art.soft(blur=0.05) as pen:
        pen.circle(focus, rng.uniform(0.06, 0.12), cold, 80)
    pen = art.crisp
    for _ in range(rng.integers(14, 22)):
        base = rng.uniform(-0.1, 1.1, 2)
        angle = math.atan2(*(focus - base)[::-1]) + rng.normal(0, 0.35)
        length = rng.uniform(0.3, 0.8) * np.hypot(*(focus - base))
        pen.polygon(spike(base, angle, length, rng.uniform(0.02, 0.07)), pick(rng, palette), rng.integers(150, 230))
    for _ in range(rng.integers(4, 7)):
        line = jagged(rng, rng.uniform(-0.1, 1.1, 2), rng.uniform(-0.1, 1.1, 2), rng.integers(10, 22), 0.04)
        _broken_line(pen, rng, line, lights[rng.integers(len(lights))], 0.0055)
    for _ in range(rng.integers(2, 4)):
        pen.line(jagged(rng, focus, focus + rng.uniform(-0.35, 0.35, 2), 8, 0.025), cold, 0.003)


def _thorns(art: Artwork, rng: np.random.Generator, palette: list[RGB], background: list[RGB]) -> None:
    """Thorns closing in from two sides like jaws, a thin cold gap left between; the jaws
    shut from above and below or from the sides, askew."""
    lights = sorted(palette, key=luminance)[len(palette) // 2:]
    gap = rng.uniform(0.4, 0.6)
    tilt = rng.choice([0.0, np.pi / 2]) + rng.normal(0, 0.2)
    # Drawn level, then turned about the centre: margins wide enough to fill the corners.
    c, s = math.cos(tilt), math.sin(tilt)

    def turned(points: np.ndarray) -> np.ndarray:
        return 0.5 + (np.asarray(points) - 0.5) @ np.array([[c, s], [-s, c]])

    _murk(art, rng, palette, background)
    with art.soft(blur=0.04) as pen:
        pen.polygon(turned([[-0.3, gap - 0.04], [1.3, gap - 0.07], [1.3, gap + 0.04], [-0.3, gap + 0.06]]),
                    lights[-1], 70)
    pen = art.crisp
    for edge, reach in ((-0.12, gap - 0.03), (1.12, gap + 0.03)):
        pointing = np.pi / 2 if edge < 0 else -np.pi / 2
        for x in np.sort(rng.uniform(-0.3, 1.3, rng.integers(20, 32))):
            length = abs(reach - edge) * rng.uniform(0.4, 1.0)
            angle = pointing + rng.normal(0, 0.25)
            pen.polygon(turned(spike((x, edge), angle, length, rng.uniform(0.03, 0.09))), pick(rng, palette),
                        rng.integers(170, 240))
    for _ in range(rng.integers(3, 6)):
        start = np.array([-0.3, gap + rng.normal(0, 0.12)])
        line = jagged(rng, start, np.array([1.3, gap + rng.normal(0, 0.12)]), rng.integers(14, 28), 0.05)
        _broken_line(pen, rng, turned(line), lights[rng.integers(len(lights))], 0.005)


def _shatter(art: Artwork, rng: np.random.Generator, palette: list[RGB], background: list[RGB]) -> None:
    """Glass struck at one point: cracks running out, fragments each of their own dark tone."""
    lights = sorted(palette, key=luminance)[len(palette) // 2:]
    impact = rng.uniform(0.25, 0.75, 2)
    _murk(art, rng, palette, background)
    pen = art.crisp
    cracks = rng.integers(9, 15)
    angles = np.sort(rng.uniform(0, 2 * np.pi, cracks))
    rings = np.cumsum(rng.uniform(0.07, 0.2, 5))
    # Fragments between two neighbouring cracks and two rings, corners thrown a little.
    for a, b in zip(angles, np.roll(angles, -1) + np.r_[np.zeros(cracks - 1), 2 * np.pi]):
        for inner, outer in zip(np.r_[0.0, rings[:-1]], rings):
            if rng.random() < 0.35:
                continue  # some panes are already gone: the dark shows through
            corners = [(inner, a), (outer, a), (outer, b), (inner, b)]
            shard = np.array([impact + r * np.array([np.cos(t), np.sin(t)]) for r, t in corners])
            pen.polygon(shard + rng.normal(0, 0.01, shard.shape), pick(rng, palette), rng.integers(120, 220))
    for angle in angles:
        end = impact + 1.2 * np.array([np.cos(angle), np.sin(angle)])
        pen.line(jagged(rng, impact, end, rng.integers(6, 12), 0.02), lights[-1], rng.uniform(0.002, 0.005))
    for radius in rings[:3]:
        ring = np.array([impact + radius * np.array([np.cos(t), np.sin(t)])
                         for t in np.linspace(0, 2 * np.pi, 30)])
        _broken_line(pen, rng, ring + rng.normal(0, 0.008, ring.shape), lights[0], 0.004)
    pen.polygon(spike(impact, rng.uniform(0, 2 * np.pi), 0.05, 0.05), lights[-1], 230)


def _vortex(art: Artwork, rng: np.random.Generator, palette: list[RGB], background: list[RGB]) -> None:
    """A jagged whirl dragging angular splinters into a black centre."""
    lights = sorted(palette, key=luminance)[len(palette) // 2:]
    darkest = min(palette, key=luminance)
    centre = rng.uniform(0.3, 0.7, 2)
    _murk(art, rng, palette, background)
    with art.soft(blur=0.04) as pen:
        pen.circle(centre, rng.uniform(0.08, 0.14), darkest, 230)
    pen = art.crisp
    turn = rng.choice([-1, 1])
    for _ in range(rng.integers(26, 40)):
        radius = rng.uniform(0.08, 0.7)
        angle = rng.uniform(0, 2 * np.pi)
        base = centre + radius * np.array([np.cos(angle), np.sin(angle)])
        # Each splinter points along the whirl, leaning inwards.
        heading = angle + turn * (np.pi / 2 + 0.35)
        pen.polygon(spike(base, heading, rng.uniform(0.08, 0.25), rng.uniform(0.015, 0.05)),
                    pick(rng, palette), rng.integers(150, 230))
    for k in range(rng.integers(2, 4)):
        t = np.linspace(0, rng.uniform(2.0, 3.5) * np.pi, 40)
        radius = 0.05 + 0.1 * t / np.pi
        points = centre + radius[:, None] * np.column_stack([np.cos(turn * t + k * 2.1), np.sin(turn * t + k * 2.1)])
        points += rng.normal(0, 0.012, points.shape)  # jagged, not smooth
        _broken_line(pen, rng, points, lights[rng.integers(len(lights))], 0.005)


FAMILIES = (Family("shards", _shards), Family("thorns", _thorns), Family("shatter", _shatter),
            Family("vortex", _vortex))
