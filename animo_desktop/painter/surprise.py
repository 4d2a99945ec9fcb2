"""Surprise: contrasted and dynamic, violet, orange and turquoise together; sudden
explosive forms, surprising motifs, expressive lines. Colours cycle through the palette
so that all three hue families are always there."""

from __future__ import annotations

import numpy as np

from .canvas import Artwork, Pen
from .colour import RGB, luminance, pick
from .family import Family
from .geometry import arc, quad, spike, spiral, star


def _confetti(pen: Pen, rng: np.random.Generator, palette: list[RGB], count: int) -> None:
    for i in range(count):
        piece = quad(rng.uniform(0, 1, 2), rng.uniform(0.01, 0.03), rng.uniform(0.006, 0.014), rng.uniform(0, np.pi))
        pen.polygon(piece, palette[i % len(palette)], 235)


def _glow(art: Artwork, rng: np.random.Generator, palette: list[RGB], background: list[RGB],
          centre: np.ndarray) -> None:
    """The violet night lit from where the surprise breaks out."""
    art.wash(background[::-1], rng, mottling=0.2, centre=centre)
    with art.soft(blur=0.05) as pen:
        pen.circle(centre, rng.uniform(0.12, 0.2), palette[1], 200)
        pen.circle(centre, rng.uniform(0.05, 0.09), max(palette, key=luminance), 220)


def _burst(art: Artwork, rng: np.random.Generator, palette: list[RGB], background: list[RGB]) -> None:
    """One explosive burst from an off-centre point: rays, rings, a star and spirals."""
    lightest = max(palette, key=luminance)
    centre = 0.5 + rng.choice([-1, 1], 2) * rng.uniform(0.1, 0.22, 2)
    _glow(art, rng, palette, background, centre)
    pen = art.crisp
    rays = rng.integers(26, 40)
    for i, angle in enumerate(np.linspace(0, 2 * np.pi, rays, endpoint=False) + rng.normal(0, 0.06, rays)):
        pen.polygon(spike(centre, angle, rng.uniform(0.25, 0.95), rng.uniform(0.03, 0.11)),
                    palette[i % len(palette)], rng.integers(170, 235))
    for k in range(rng.integers(2, 4)):
        pen.circle(centre, 0.12 + 0.09 * k + rng.uniform(0, 0.03), palette[(k + 1) % len(palette)], 200, ring=0.006)
    pen.polygon(star(centre, 0.03, rng.uniform(0.07, 0.15, 9), rng.uniform(0, np.pi)), lightest, 240)
    for _ in range(rng.integers(2, 4)):
        whirl = spiral(centre, 0.04, rng.uniform(0.3, 0.5), rng.uniform(0.75, 1.5), rng.uniform(0, 2 * np.pi), 80)
        pen.stroke(whirl, pick(rng, palette[1:]), rng.uniform(0.01, 0.022), 230)
    _confetti(pen, rng, palette, rng.integers(40, 70))


def _fireworks(art: Artwork, rng: np.random.Generator, palette: list[RGB], background: list[RGB]) -> None:
    """Several bursts going off at once, each a ring of sparks of its own colour."""
    centres = rng.uniform(0.15, 0.85, (rng.integers(3, 6), 2))
    _glow(art, rng, palette, background, centres[0])
    pen = art.crisp
    for k, centre in enumerate(centres):
        # The first three palette colours are violet, orange and turquoise: every burst
        # takes one and sparks in the next, so the three are always together.
        colour, spark = palette[(k + 2) % 3], palette[(k + 3) % 3]
        size = rng.uniform(0.12, 0.26) * (1.4 if k == 0 else 1.0)
        rays = rng.integers(14, 26)
        for angle in np.linspace(0, 2 * np.pi, rays, endpoint=False) + rng.uniform(0, np.pi):
            reach = size * rng.uniform(0.7, 1.1)
            tip = centre + reach * np.array([np.cos(angle), np.sin(angle)])
            pen.polygon(spike(centre + 0.2 * (tip - centre), angle, reach * 0.8, 0.022), colour, 225)
            pen.circle(tip, rng.uniform(0.008, 0.015), spark, 240)
        pen.polygon(star(centre, 0.01, rng.uniform(0.025, 0.05, 6), rng.uniform(0, np.pi)), spark, 240)
    for _ in range(rng.integers(2, 4)):
        # A rocket's trail: the expressive line that came before the bang.
        target = centres[rng.integers(len(centres))]
        trail = np.array([[rng.uniform(0.2, 0.8), 1.05], target + (0, 0.05)])
        pen.stroke(np.linspace(trail[0], trail[1], 24) + np.column_stack([0.02 * np.sin(np.linspace(0, 6, 24)), np.zeros(24)]),
                   palette[1], 0.008, 200, taper="drip")
    _confetti(pen, rng, palette, rng.integers(20, 40))


def _coil(art: Artwork, rng: np.random.Generator, palette: list[RGB], background: list[RGB]) -> None:
    """A spring let go: a great spiral flying out, banded in the three colours."""
    centre = rng.uniform(0.3, 0.7, 2)
    _glow(art, rng, palette, background, centre)
    pen = art.crisp
    whirl = spiral(centre, 0.02, rng.uniform(0.55, 0.75), rng.uniform(2.0, 3.2), rng.uniform(0, 2 * np.pi), 240)
    if rng.random() < 0.5:
        whirl = 2 * centre - whirl  # the other way round
    width = rng.uniform(0.03, 0.06)
    pieces = np.array_split(whirl, rng.integers(6, 10))
    for i, piece in enumerate(pieces):
        # Joined pieces of one spiral, each its own colour, thickening as it flies out.
        joined = np.vstack([piece, pieces[i + 1][:1]]) if i + 1 < len(pieces) else piece
        pen.stroke(joined, palette[i % 3], width * (0.5 + i / len(pieces)), 235, taper="even")
    for _ in range(rng.integers(3, 6)):
        point = whirl[rng.integers(120, len(whirl))]
        pen.polygon(star(point, 0.012, rng.uniform(0.03, 0.06, 5), rng.uniform(0, np.pi)), pick(rng, palette), 240)
    _confetti(pen, rng, palette, rng.integers(30, 50))


def _shockwave(art: Artwork, rng: np.random.Generator, palette: list[RGB], background: list[RGB]) -> None:
    """Rings breaking outwards from a sudden impact, drops splashing away from it."""
    centre = rng.uniform(0.2, 0.8, 2)
    _glow(art, rng, palette, background, centre)
    pen = art.crisp
    for k in range(rng.integers(5, 8)):
        radius = 0.07 + 0.085 * k + rng.uniform(0, 0.03)
        start = rng.uniform(0, 2 * np.pi)
        for piece in range(rng.integers(2, 4)):
            # Broken rings: arcs with gaps, as if the wave tore as it went.
            span = rng.uniform(0.8, 2.0)
            pen.stroke(arc(centre, radius, start, start + span), palette[(k + piece) % 3],
                       rng.uniform(0.012, 0.03), 225, taper="brush")
            start += span + rng.uniform(0.3, 0.9)
    for angle in rng.uniform(0, 2 * np.pi, rng.integers(8, 14)):
        # Splash: drops flying out along a line, smaller as they go.
        direction = np.array([np.cos(angle), np.sin(angle)])
        for step, reach in enumerate(np.cumsum(rng.uniform(0.04, 0.09, 4)) + 0.2):
            pen.circle(centre + direction * reach, 0.022 / (1 + 0.6 * step), palette[(step + 1) % 3], 235)
    pen.polygon(star(centre, 0.025, rng.uniform(0.06, 0.12, 8), rng.uniform(0, np.pi)),
                max(palette, key=luminance), 240)
    _confetti(pen, rng, palette, rng.integers(15, 30))


def _bolts(art: Artwork, rng: np.random.Generator, palette: list[RGB], background: list[RGB]) -> None:
    """Bolts out of the blue: broad zig-zag bands cracking across the picture at once,
    the night torn open along them."""
    angle = rng.uniform(0, np.pi)
    art.wash(background, rng, mottling=0.25, angle=angle + np.pi / 2)
    with art.soft(blur=0.06) as pen:
        for k in range(3):
            pen.circle(rng.uniform(0.1, 0.9, 2), rng.uniform(0.12, 0.22), palette[k], 110)
    pen = art.crisp
    direction = np.array([np.cos(angle), np.sin(angle)])
    across = np.array([-direction[1], direction[0]])
    for k in range(rng.integers(3, 6)):
        # Each bolt crosses the whole picture in sharp, uneven zig-zags.
        offset = rng.uniform(-0.4, 0.4)
        steps = rng.integers(5, 9)
        t = np.linspace(-0.75, 0.75, steps)
        points = 0.5 + t[:, None] * direction + (offset + rng.uniform(-0.08, 0.08, steps)
                                                 * np.where(np.arange(steps) % 2, 1, -1))[:, None] * across
        pen.stroke(points, palette[k % 3], rng.uniform(0.03, 0.07), 235, taper="even")
        pen.stroke(points, max(palette, key=luminance), 0.006, 230, taper="even")
    for _ in range(rng.integers(4, 8)):
        pen.polygon(star(rng.uniform(0.1, 0.9, 2), 0.012, rng.uniform(0.03, 0.07, 5), rng.uniform(0, np.pi)),
                    palette[rng.integers(3)], 240)
    _confetti(pen, rng, palette, rng.integers(20, 40))


FAMILIES = (Family("burst", _burst), Family("fireworks", _fireworks), Family("coil", _coil),
            Family("shockwave", _shockwave), Family("bolts", _bolts))
