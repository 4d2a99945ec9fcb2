"""Neutral: calm, balanced, low contrast; a balanced, still composition.

The brief leaves neutral's palette open. It is the resting state, the first artwork of
every session and the fallback when no face is seen, so it must not suggest an emotion:
light, close values (low contrast, nothing dark like fear or sadness), warm sand and
clay balanced against cool mist and sage (no hue leading), little saturation. Its
forms are still: a level horizon, breathing fields of colour, stacked stones, rings on
calm water, overlapping discs, a pencil grid, each balanced about the centre.
"""

from __future__ import annotations

import numpy as np

from .canvas import Artwork
from .colour import RGB, luminance, pick
from .family import Family
from .geometry import blob, segment


def _turned(points: np.ndarray, upright: bool) -> np.ndarray:
    """The points mirrored about the diagonal when `upright`: rows become columns."""
    return points[..., ::-1] if upright else points


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
    pen.stroke(segment((0.5, horizon), 1.1, 0.0), sea, 0.003, 200, taper="even")
    for k in range(rng.integers(5, 9)):
        # Reflections centred under the sun, shorter as they come nearer.
        y = horizon + 0.025 + 0.04 * k
        length = rng.uniform(0.1, 0.28) / (1 + 0.1 * k)
        pen.stroke(segment((sun[0] + rng.normal(0, 0.01), y), length, 0.0), sun_colour, 0.008, 190)


def _fields(art: Artwork, rng: np.random.Generator, palette: list[RGB], background: list[RGB]) -> None:
    """Two or three broad fields of colour that breathe into each other, as in a colour-field
    painting: each laid in several thin, uneven veils; stacked, or standing side by side."""
    standing = rng.random() < 0.4
    art.wash(background, rng, mottling=0.15, angle=0.0 if standing else np.pi / 2)
    count = rng.integers(2, 4)
    cuts = np.sort(rng.dirichlet(np.full(count, 4.0)).cumsum()[:-1])
    tops, bottoms = np.r_[0.07, cuts + 0.02], np.r_[cuts - 0.02, 0.93]
    # Fields are the whole picture: in the three leading colours only (sand, mist, sage),
    # so that two cool accents together never make it read as sadness.
    colours = rng.permutation(3)[:count]
    # Blurred wide, like a colour-field painting: the fields breathe into the paper.
    with art.soft(blur=0.025) as pen:
        for top, bottom, colour in zip(tops, bottoms, colours):
            for _ in range(5):
                # Veils a little off one another, with uneven edges: brushed, not a bar.
                edge = np.linspace(0.07, 0.93, 12)
                upper = np.column_stack([edge, top + rng.normal(0, 0.008, 12)])
                lower = np.column_stack([edge[::-1], bottom + rng.normal(0, 0.008, 12)])
                veil = np.vstack([upper, lower]) + rng.normal(0, 0.01, 2)
                pen.polygon(_turned(veil, standing), palette[colour], 65)
    if rng.random() < 0.6:
        # A fine line in one of the gaps, the only crisp mark: it steadies the fields.
        gap = cuts[rng.integers(len(cuts))]
        line = segment((0.5, gap), 0.86, 0.0)
        art.crisp.stroke(_turned(line, standing), palette[rng.choice(colours)], 0.003, 150, taper="even")


def _stones(art: Artwork, rng: np.random.Generator, palette: list[RGB], background: list[RGB]) -> None:
    """Cairns of smooth stones balanced on one another above a quiet horizon: one in the
    middle, or a tall one and a small one weighed against each other."""
    art.wash(background, rng, mottling=0.1, angle=np.pi / 2)
    ground = rng.uniform(0.62, 0.82)
    if rng.random() < 0.5:
        cairns = [(rng.uniform(0.42, 0.58), rng.uniform(0.26, 0.34), rng.integers(4, 7))]
    else:
        side = rng.choice([-1, 1])
        cairns = [(0.5 + side * rng.uniform(0.12, 0.2), rng.uniform(0.24, 0.3), rng.integers(4, 7)),
                  (0.5 - side * rng.uniform(0.22, 0.3), rng.uniform(0.12, 0.16), rng.integers(2, 4))]
    with art.soft(blur=0.02) as pen:
        pen.polygon(np.array([[-0.05, ground], [1.05, ground], [1.05, 1.05], [-0.05, 1.05]]), palette[0], 90)
        for x, width, _ in cairns:
            pen.ellipse((x, ground + 0.01), (width * 0.7, 0.025), min(palette, key=luminance), 90)
    pen = art.crisp
    for x, width, count in cairns:
        y = ground
        for _ in range(count):
            height = width * rng.uniform(0.4, 0.6)
            y -= height
            stone = blob(rng, (x + rng.normal(0, 0.01), y + height / 2), height / 2, 0.08, aspect=width / height)
            pen.polygon(stone, pick(rng, palette), 210)
            width *= rng.uniform(0.7, 0.85)
    pen.stroke(np.array([[0.05, ground], [0.95, ground]]), max(palette, key=luminance), 0.003, 120, taper="even")


def _ripples(art: Artwork, rng: np.random.Generator, palette: list[RGB], background: list[RGB]) -> None:
    """Rings spreading slowly on still water from one drop, evenly spaced."""
    centre = rng.uniform(0.3, 0.7, 2)
    art.wash(background, rng, mottling=0.1, centre=centre)
    with art.soft(blur=0.03) as pen:
        pen.circle(centre, rng.uniform(0.1, 0.15), pick(rng, palette), 120)
    spacing = rng.uniform(0.05, 0.08)
    flatten = rng.uniform(0.45, 1.0)  # seen from above, or low across the water
    pen = art.crisp
    for k in range(1, rng.integers(5, 9)):
        radius = spacing * k
        pen.ellipse(centre, (radius, radius * flatten), pick(rng, palette), int(220 - 15 * k), ring=0.004)
    pen.circle(centre, 0.012, max(palette, key=luminance), 180)


def _overlaps(art: Artwork, rng: np.random.Generator, palette: list[RGB], background: list[RGB]) -> None:
    """Translucent discs in a row or a column, overlapping evenly and mirrored about the
    centre, a fine line beside them."""
    upright = rng.random() < 0.35
    art.wash(background, rng, mottling=0.1)
    count = rng.integers(2, 5)
    radius = rng.uniform(0.14, 0.22) * (3 / (count + 1)) ** 0.5
    step = radius * rng.uniform(1.0, 1.5)
    y = rng.uniform(0.32, 0.62)
    lightest = palette.index(max(palette, key=luminance))  # would vanish into the paper
    colours = [c for c in rng.permutation(len(palette)) if c != lightest][:count]
    with art.soft(blur=0.004) as pen:
        for k, colour in enumerate(colours):
            x = 0.5 + (k - (count - 1) / 2) * step
            pen.circle(_turned(np.array([x, y]), upright), radius, palette[colour], 130)
    pen = art.crisp
    for k, colour in enumerate(colours):
        x = 0.5 + (k - (count - 1) / 2) * step
        pen.circle(_turned(np.array([x, y]), upright), radius, palette[colour], 200, ring=0.003)
    line = np.array([[0.12, y + radius + 0.06], [0.88, y + radius + 0.06]])
    pen.stroke(_turned(line, upright), palette[0], 0.003, 130, taper="even")


def _grid(art: Artwork, rng: np.random.Generator, palette: list[RGB], background: list[RGB]) -> None:
    """A fine pencil grid over pale bands of close tones, in the manner of Agnes Martin:
    even, patient, quiet."""
    art.wash(background, rng, mottling=0.08, angle=np.pi / 2)
    margin = rng.uniform(0.06, 0.14)
    bands = rng.integers(3, 8)
    edges = np.linspace(margin, 1 - margin, bands + 1)
    colours = [palette[rng.integers(3)] for _ in range(2)]  # two tones, alternating
    with art.soft(blur=0.004) as pen:
        for k, (top, bottom) in enumerate(zip(edges[:-1], edges[1:])):
            band = np.array([[margin, top], [1 - margin, top], [1 - margin, bottom], [margin, bottom]])
            pen.polygon(band, colours[k % 2], 90)
    pen = art.crisp
    lines = rng.integers(8, 20)
    pencil = min(palette, key=luminance)
    across_every = 1 if lines < 12 else 2  # a dense grid is ruled across every other line
    for k, position in enumerate(np.linspace(margin, 1 - margin, lines + 1)):
        pen.stroke(segment((0.5, position), 1 - 2 * margin, 0.0), pencil, 0.0018, 110, taper="even")
        if k % across_every == 0 or k == lines:  # both edges ruled, whatever the count
            pen.stroke(segment((position, 0.5), 1 - 2 * margin, np.pi / 2), pencil, 0.0018, 90, taper="even")


FAMILIES = (Family("horizon", _horizon), Family("fields", _fields), Family("stones", _stones),
            Family("ripples", _ripples), Family("overlaps", _overlaps), Family("grid", _grid))
