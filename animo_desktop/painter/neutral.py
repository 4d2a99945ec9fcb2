"""Neutral: calm, balanced, low contrast; a balanced, still composition.

The brief leaves neutral's palette open. It is the resting state, the first artwork of
every session and the fallback when no face is seen, so it must not suggest an emotion:
light, close values (low contrast, nothing dark like fear or sadness), warm sand and
clay balanced against cool mist and sage (no hue leading), little saturation. Its
forms are still: a level horizon, breathing fields of colour, stacked stones, rings on
calm water, overlapping discs in a row, each balanced about the centre.
"""

from __future__ import annotations

import numpy as np

from .canvas import Artwork
from .colour import RGB, luminance, pick
from .family import Family
from .geometry import blob, segment


def _horizon(art: Artwork, rng: np.random.Generator, palette: list[RGB], background: list[RGB]) -> None:
    """A still sea at dawn: a pale sun over a level horizon, its reflection in calm lines."""
    # Large areas in the leading colours (sand for the sky, mist and sage for the water),
    # the later accents only in small touches.
    sea, shallows = (palette[1], palette[2]) if rng.random() < 0.5 else (palette[2], palette[1])
    sun_colour = palette[rng.choice([4, 5])]  # clay or slate: a sun that shows on the sky
    sky = [background[0], palette[0], background[1]]
    art.wash(sky if rng.random() < 0.5 else sky[::-1], rng, mottling=0.1, angle=np.pi / 2)
    horizon = rng.uniform(0.38, 0.75)
    radius = rng.uniform(0.06, 0.12)
    # High in the sky, or resting on the horizon (the sea then hides its lower half).
    rise = rng.choice([rng.uniform(0.12, 0.25), 0.0])
    sun = np.array([rng.uniform(0.3, 0.7), horizon - rise])
    with art.soft(blur=0.05) as pen:
        pen.circle(sun, radius * 2.2, sun_colour, 80)
    with art.soft(blur=0.004) as pen:
        pen.circle(sun, radius, sun_colour, 220)
        pen.polygon(np.array([[-0.05, horizon], [1.05, horizon], [1.05, 1.05], [-0.05, 1.05]]), sea, 200)
        near = horizon + rng.uniform(0.3, 0.7) * (1 - horizon)
        pen.polygon(np.array([[-0.05, near], [1.05, near], [1.05, 1.05], [-0.05, 1.05]]), shallows, 90)
        land = horizon - rng.uniform(0.015, 0.03)
        side = rng.choice([-1, 1])
        pen.polygon(np.array([[0.5 + side * 0.55, land], [0.5 + side * rng.uniform(0.1, 0.3), horizon],
                              [0.5 + side * 0.55, horizon]]), palette[5], 170)
    pen = art.crisp
    for k in range(rng.integers(5, 9)):
        # Reflections centred under the sun, shorter as they come nearer.
        y = horizon + 0.025 + 0.04 * k
        length = rng.uniform(0.1, 0.28) / (1 + 0.1 * k)
        pen.stroke(segment((sun[0] + rng.normal(0, 0.01), y), length, 0.0), sun_colour, 0.008, 190)


def _fields(art: Artwork, rng: np.random.Generator, palette: list[RGB], background: list[RGB]) -> None:
    """Two or three broad fields of colour that breathe into each other, as in a colour-field
    painting: each laid in several thin, uneven veils."""
    art.wash(background, rng, mottling=0.15, angle=np.pi / 2)
    count = rng.integers(2, 4)
    cuts = np.sort(rng.dirichlet(np.full(count, 4.0)).cumsum()[:-1])
    tops, bottoms = np.r_[0.07, cuts + 0.02], np.r_[cuts - 0.02, 0.93]
    colours = rng.permutation(len(palette))[:count]
    # Blurred wide, like a colour-field painting: the fields breathe into the paper.
    with art.soft(blur=0.025) as pen:
        for top, bottom, colour in zip(tops, bottoms, colours):
            for _ in range(5):
                # Veils a little off one another, with uneven edges: brushed, not a bar.
                edge = np.linspace(0.07, 0.93, 12)
                upper = np.column_stack([edge, top + rng.normal(0, 0.008, 12)])
                lower = np.column_stack([edge[::-1], bottom + rng.normal(0, 0.008, 12)])
                pen.polygon(np.vstack([upper, lower]) + rng.normal(0, 0.01, 2), palette[colour], 65)


def _stones(art: Artwork, rng: np.random.Generator, palette: list[RGB], background: list[RGB]) -> None:
    """A cairn of smooth stones balanced on one another above a quiet horizon."""
    art.wash(background, rng, mottling=0.1, angle=np.pi / 2)
    ground = rng.uniform(0.7, 0.8)
    x = rng.uniform(0.4, 0.6)
    with art.soft(blur=0.02) as pen:
        pen.polygon(np.array([[-0.05, ground], [1.05, ground], [1.05, 1.05], [-0.05, 1.05]]), palette[0], 90)
        pen.ellipse((x, ground + 0.01), (0.2, 0.025), min(palette, key=luminance), 90)
    pen = art.crisp
    y, width = ground, rng.uniform(0.26, 0.34)
    for _ in range(rng.integers(4, 7)):
        height = width * rng.uniform(0.4, 0.6)
        y -= height
        stone = blob(rng, (x + rng.normal(0, 0.01), y + height / 2), height / 2, 0.08, aspect=width / height)
        pen.polygon(stone, pick(rng, palette), 210)
        width *= rng.uniform(0.7, 0.85)
    pen.stroke(np.array([[0.05, ground], [0.95, ground]]), max(palette, key=luminance), 0.003, 120, taper="even")


def _ripples(art: Artwork, rng: np.random.Generator, palette: list[RGB], background: list[RGB]) -> None:
    """Rings spreading slowly on still water from one drop, evenly spaced."""
    centre = np.array([rng.uniform(0.4, 0.6), rng.uniform(0.4, 0.6)])
    art.wash(background, rng, mottling=0.1, centre=centre)
    with art.soft(blur=0.03) as pen:
        pen.circle(centre, rng.uniform(0.1, 0.15), pick(rng, palette), 120)
    spacing = rng.uniform(0.05, 0.08)
    flatten = rng.uniform(0.45, 1.0)  # seen from above, or low across the water
    with art.soft(blur=0.004) as pen:
        for k in range(1, rng.integers(5, 9)):
            radius = spacing * k
            pen.ellipse(centre, (radius, radius * flatten), pick(rng, palette), int(200 - 12 * k), ring=0.007)
    pen = art.crisp
    pen.circle(centre, 0.012, max(palette, key=luminance), 180)


def _overlaps(art: Artwork, rng: np.random.Generator, palette: list[RGB], background: list[RGB]) -> None:
    """Translucent discs in a row, overlapping evenly and mirrored about the centre."""
    art.wash(background, rng, mottling=0.1)
    count = rng.integers(2, 5)
    radius = rng.uniform(0.14, 0.22) * (3 / (count + 1)) ** 0.5
    step = radius * rng.uniform(1.0, 1.5)
    y = rng.uniform(0.42, 0.58)
    colours = rng.permutation(len(palette))[:count]
    with art.soft(blur=0.004) as pen:
        for k, colour in enumerate(colours):
            x = 0.5 + (k - (count - 1) / 2) * step
            pen.circle((x, y), radius, palette[colour], 130)
    pen = art.crisp
    pen.stroke(np.array([[0.12, y + radius + 0.06], [0.88, y + radius + 0.06]]), palette[0], 0.003, 130,
               taper="even")


FAMILIES = (Family("horizon", _horizon), Family("fields", _fields), Family("stones", _stones),
            Family("ripples", _ripples), Family("overlaps", _overlaps))
