"""Joy: dominant bright yellows with touches of orange and luminous green; rounded forms,
dynamic motifs, curved lines."""

from __future__ import annotations

import numpy as np

from .canvas import Artwork
from .colour import RGB, luminance, pick
from .family import Family
from .geometry import bezier, blob, spiral, sweep


def _bubbles(art: Artwork, rng: np.random.Generator, palette: list[RGB], background: list[RGB]) -> None:
    """Overlapping round forms in sunlight, dynamic curved strokes and sparkles."""
    lightest = max(palette, key=luminance)
    art.wash(background, rng, mottling=0.3)
    with art.soft(blur=0.06) as pen:
        pen.circle(rng.uniform(0.2, 0.8, 2), rng.uniform(0.25, 0.35), lightest, 190)
        for _ in range(6):
            pen.circle(rng.uniform(0, 1, 2), rng.uniform(0.08, 0.2), pick(rng, palette), 120)
    with art.soft(blur=0.012) as pen:
        for _ in range(4):
            pen.polygon(blob(rng, rng.uniform(0.1, 0.9, 2), rng.uniform(0.08, 0.16), 0.25), pick(rng, palette), 150)
    pen = art.crisp
    for _ in range(rng.integers(7, 11)):
        pen.circle(rng.uniform(0.05, 0.95, 2), rng.uniform(0.03, 0.13), pick(rng, palette), rng.integers(140, 210))
    for _ in range(rng.integers(2, 5)):
        pen.circle(rng.uniform(0.15, 0.85, 2), rng.uniform(0.05, 0.18), pick(rng, palette), 220, ring=0.008)
    for _ in range(rng.integers(3, 5)):
        pen.stroke(sweep(rng), pick(rng, palette[1:]), rng.uniform(0.025, 0.06), 225)
    for _ in range(rng.integers(12, 24)):
        pen.circle(rng.uniform(0, 1, 2), rng.uniform(0.005, 0.014), pick(rng, palette), 230)


def _sun(art: Artwork, rng: np.random.Generator, palette: list[RGB], background: list[RGB]) -> None:
    """A big sun whose rays curl outwards like petals, in a radiant wash."""
    lightest = max(palette, key=luminance)
    centre = rng.uniform(0.3, 0.7, 2)
    radius = rng.uniform(0.13, 0.2)
    art.wash(background[::-1], rng, mottling=0.2, centre=centre)
    with art.soft(blur=0.07) as pen:
        pen.circle(centre, radius * 2.2, lightest, 170)
    pen = art.crisp
    rays = rng.integers(9, 15)
    curl = rng.choice([-1, 1]) * rng.uniform(0.4, 0.9)
    for i, angle in enumerate(np.linspace(0, 2 * np.pi, rays, endpoint=False) + rng.uniform(0, np.pi)):
        # Each ray is a curved brush mark bending the same way: the sun turns.
        reach = radius * rng.uniform(1.9, 3.4)
        control = np.array([centre + radius * 0.9 * np.array([np.cos(angle), np.sin(angle)]),
                            centre + reach * 0.6 * np.array([np.cos(angle + curl * 0.4), np.sin(angle + curl * 0.4)]),
                            centre + reach * np.array([np.cos(angle + curl), np.sin(angle + curl)])])
        pen.stroke(bezier(control, 40), palette[(i % 3) * 2 % len(palette)] if i % 2 else palette[0],
                   rng.uniform(0.05, 0.09), 215)
    for k in range(rng.integers(2, 4)):
        pen.circle(centre, radius * (1.15 + 0.22 * k), pick(rng, palette[1:]), 200, ring=0.01)
    pen.circle(centre, radius, palette[0], 245)
    pen.circle(centre, radius * 0.6, lightest, 230)
    for _ in range(rng.integers(10, 18)):
        pen.circle(rng.uniform(0, 1, 2), rng.uniform(0.01, 0.03), pick(rng, palette), 220)


def _ribbons(art: Artwork, rng: np.random.Generator, palette: list[RGB], background: list[RGB]) -> None:
    """Broad ribbons dancing across the picture in one rhythm, beaded with dots."""
    art.wash(background, rng, mottling=0.25)
    with art.soft(blur=0.05) as pen:
        for _ in range(5):
            pen.circle(rng.uniform(0, 1, 2), rng.uniform(0.1, 0.25), pick(rng, palette), 110)
    pen = art.crisp
    x = np.linspace(-0.1, 1.1, 5)
    heights = rng.uniform(0.2, 0.8, 5)
    for k in range(rng.integers(4, 7)):
        # The same swing for every ribbon, shifted and swelling: they move together.
        spine = bezier(np.column_stack([x, heights + 0.11 * (k - 2) + rng.normal(0, 0.03, 5)]))
        pen.stroke(spine, pick(rng, palette), rng.uniform(0.04, 0.1), 225)
        for point in spine[rng.integers(0, len(spine), rng.integers(2, 5))]:
            pen.circle(point, rng.uniform(0.015, 0.035), pick(rng, palette[1:]), 235)
    for _ in range(rng.integers(1, 3)):
        pen.stroke(spiral(rng.uniform(0.2, 0.8, 2), 0.01, rng.uniform(0.08, 0.14), rng.uniform(1.2, 2.2),
                          rng.uniform(0, 2 * np.pi)), palette[2], 0.018, 230)


def _blossoms(art: Artwork, rng: np.random.Generator, palette: list[RGB], background: list[RGB]) -> None:
    """Round flowers in full bloom, tendrils curling between them."""
    art.wash(background, rng, mottling=0.3)
    green = max(palette, key=lambda c: c[1] - c[0])
    with art.soft(blur=0.03) as pen:
        for _ in range(6):
            pen.polygon(blob(rng, rng.uniform(0, 1, 2), rng.uniform(0.05, 0.12), 0.3, aspect=1.8), green, 90)
    pen = art.crisp
    for _ in range(rng.integers(2, 4)):
        pen.stroke(spiral(rng.uniform(0.1, 0.9, 2), 0.005, rng.uniform(0.06, 0.12), rng.uniform(1.0, 2.0),
                          rng.uniform(0, 2 * np.pi)), green, 0.012, 220)
    flowers = rng.integers(5, 9)
    for _ in range(flowers):
        centre, size = rng.uniform(0.08, 0.92, 2), rng.uniform(0.05, 0.13)
        petals, petal_colour = rng.integers(5, 9), pick(rng, palette)
        turn = rng.uniform(0, 2 * np.pi)
        for angle in np.linspace(0, 2 * np.pi, petals, endpoint=False) + turn:
            pen.circle(centre + size * 0.8 * np.array([np.cos(angle), np.sin(angle)]), size * 0.55, petal_colour, 215)
        pen.circle(centre, size * 0.5, palette[2] if petal_colour != palette[2] else palette[0], 240)
    for _ in range(rng.integers(14, 24)):
        pen.circle(rng.uniform(0, 1, 2), rng.uniform(0.005, 0.015), pick(rng, palette), 230)


FAMILIES = (Family("bubbles", _bubbles), Family("sun", _sun), Family("ribbons", _ribbons),
            Family("blossoms", _blossoms))
