"""Anger: dominant vivid, passionate reds with black accents; bold strong geometric forms,
aggressive motifs, striking lines."""

from __future__ import annotations

import numpy as np

from .canvas import Artwork, Pen
from .colour import RGB, luminance, pick
from .family import Family
from .geometry import axes, quad, segment


def _heat(art: Artwork, rng: np.random.Generator, palette: list[RGB], background: list[RGB],
          ) -> tuple[RGB, list[RGB]]:
    """The red wash with a hot glow and dark smoke; gives back black and the reds."""
    black = min(palette, key=luminance)
    reds = [c for c in palette if c != black]
    hottest = max(reds, key=lambda c: c[0] + c[1])
    art.wash(background, rng, mottling=0.3)
    with art.soft(blur=0.05) as pen:
        pen.circle(rng.uniform(0.25, 0.75, 2), rng.uniform(0.2, 0.3), hottest, 130)
        for _ in range(3):
            pen.circle(rng.uniform(0, 1, 2), rng.uniform(0.1, 0.2), black, 90)
    return black, reds


def _striking_lines(pen: Pen, rng: np.random.Generator, black: RGB, angle: float) -> None:
    for _ in range(rng.integers(2, 4)):
        pen.line(segment(rng.uniform(0.2, 0.8, 2), rng.uniform(0.5, 1.0), angle + rng.normal(0, 0.3), 2),
                 black, 0.004)


def _blocks(art: Artwork, rng: np.random.Generator, palette: list[RGB], background: list[RGB]) -> None:
    """Bold blocks and wedges, violent diagonal slashes clashing across them."""
    black, reds = _heat(art, rng, palette, background)
    pen = art.crisp
    for _ in range(rng.integers(4, 7)):
        block = quad(rng.uniform(0.1, 0.9, 2), rng.uniform(0.15, 0.45), rng.uniform(0.06, 0.25),
                     rng.choice([0.0, np.pi / 4, -np.pi / 4]) + rng.normal(0, 0.15))
        pen.polygon(block, pick(rng, reds), rng.integers(190, 245))
    for _ in range(rng.integers(2, 4)):
        corner = rng.uniform(0.1, 0.9, 2)
        pen.polygon(np.vstack([corner, corner + rng.uniform(-0.35, 0.35, (2, 2))]), pick(rng, reds), 220)
    slant = rng.choice([-1, 1]) * np.pi / 4
    for i in range(rng.integers(4, 8)):
        # Mostly along one diagonal, a few across it: the slashes clash.
        angle = slant + rng.normal(0, 0.2) + (np.pi / 2 if rng.random() < 0.25 else 0.0)
        slash = segment(rng.uniform(0.15, 0.85, 2), rng.uniform(0.6, 1.4), angle)
        pen.stroke(slash, black if i % 2 == 0 else pick(rng, reds), rng.uniform(0.02, 0.06), 240)
    _striking_lines(pen, rng, black, slant)


def _wedge(art: Artwork, rng: np.random.Generator, palette: list[RGB], background: list[RGB]) -> None:
    """A constructivist clash: a sharp red wedge driven into a great circle, black bars."""
    black, reds = _heat(art, rng, palette, background)
    pen = art.crisp
    centre = rng.uniform(0.35, 0.65, 2)
    radius = rng.uniform(0.22, 0.32)
    pen.circle(centre, radius, black if rng.random() < 0.25 else reds[-1], 235)
    angle = rng.uniform(0, 2 * np.pi)
    u, v = axes(angle)
    tip = centre + u * radius * rng.uniform(-0.3, 0.3)
    base = centre - u * rng.uniform(0.6, 0.9)
    width = rng.uniform(0.12, 0.22)
    pen.polygon(np.array([base + v * width, base - v * width, tip]), reds[1], 245)
    bar_angle = angle + rng.choice([-1, 1]) * rng.uniform(0.6, 1.0)
    pen.polygon(quad(centre + rng.normal(0, 0.1, 2), rng.uniform(0.9, 1.3), rng.uniform(0.05, 0.1), bar_angle),
                black, 240)
    for _ in range(rng.integers(3, 6)):
        pen.polygon(quad(rng.uniform(0.1, 0.9, 2), *rng.uniform(0.04, 0.12, 2), bar_angle + rng.choice([0, np.pi / 2])),
                    pick(rng, reds + [black]), 240)
    for _ in range(rng.integers(1, 3)):
        small_tip = rng.uniform(0.1, 0.9, 2)
        su, sv = axes(angle + rng.normal(0, 0.4))
        pen.polygon(np.array([small_tip - su * 0.25 + sv * 0.04, small_tip - su * 0.25 - sv * 0.04, small_tip]),
                    black, 235)
    _striking_lines(pen, rng, black, bar_angle)


def _chevrons(art: Artwork, rng: np.random.Generator, palette: list[RGB], background: list[RGB]) -> None:
    """Stacked bold chevrons charging in one direction, black ones among the red."""
    black, reds = _heat(art, rng, palette, background)
    pen = art.crisp
    angle = rng.uniform(0, 2 * np.pi)
    u, v = axes(angle)
    start = np.array([0.5, 0.5]) - u * 0.6 + v * rng.normal(0, 0.1)
    arm, thickness = rng.uniform(0.25, 0.45), rng.uniform(0.05, 0.1)
    steps = rng.integers(5, 9)
    for k in range(steps):
        tip = start + u * (0.15 + k * 1.2 / steps)
        back = tip - u * arm * 0.7
        outline = np.array([back + v * arm, tip, back - v * arm, back - v * arm - u * thickness * 1.5,
                            tip - u * thickness * 1.5, back + v * arm - u * thickness * 1.5])
        pen.polygon(outline, black if k % 3 == 2 else pick(rng, reds), rng.integers(200, 250))
    for _ in range(rng.integers(2, 5)):
        pen.stroke(segment(rng.uniform(0.1, 0.9, 2), rng.uniform(0.5, 1.2), angle + rng.normal(0, 0.1)),
                   black, rng.uniform(0.01, 0.03), 235)
    _striking_lines(pen, rng, black, angle + np.pi / 2)


def _flames(art: Artwork, rng: np.random.Generator, palette: list[RGB], background: list[RGB]) -> None:
    """Flames of hard triangles leaping from below, black slashes through the smoke."""
    black, reds = _heat(art, rng, palette, background)
    pen = art.crisp
    for layer, count in enumerate((14, 18, 12)):
        # Back to front: tall dark tongues, then brighter, shorter ones.
        for x in rng.uniform(-0.05, 1.05, count):
            height = rng.uniform(0.35, 0.95) * (1.0 - 0.25 * layer)
            half = rng.uniform(0.04, 0.1)
            lean = rng.normal(0, 0.08)
            tongue = np.array([[x - half, 1.05], [x + half, 1.05], [x + lean, 1.05 - height]])
            colour = black if layer == 0 and rng.random() < 0.3 else reds[(layer + rng.integers(2)) % len(reds)]
            pen.polygon(tongue, colour, rng.integers(200, 245))
    slant = rng.choice([-1, 1]) * rng.uniform(0.5, 0.9)
    for _ in range(rng.integers(3, 5)):
        pen.stroke(segment(rng.uniform((0.1, 0.1), (0.9, 0.6)), rng.uniform(0.5, 1.0), slant + rng.normal(0, 0.15)),
                   black, rng.uniform(0.015, 0.04), 240)
    _striking_lines(pen, rng, black, -slant)


def _target(art: Artwork, rng: np.random.Generator, palette: list[RGB], background: list[RGB]) -> None:
    """Heavy squares nested round a point, as a target, struck through by a black cross."""
    black, reds = _heat(art, rng, palette, background)
    pen = art.crisp
    centre = rng.uniform(0.3, 0.7, 2)
    turn = rng.choice([0.0, np.pi / 4]) + rng.normal(0, 0.08)
    sides = np.sort(rng.uniform(0.12, 0.95, rng.integers(4, 7)))[::-1]
    for k, side in enumerate(sides):
        # Red and black alternate, but a large square stays a dark red: black is the accent.
        dark = black if side < 0.45 else reds[-1]
        pen.polygon(quad(centre, side, side, turn), dark if k % 2 else reds[k % len(reds)], 240)
    for sign in (-1, 1):
        pen.stroke(segment(centre + rng.normal(0, 0.03, 2), rng.uniform(1.0, 1.5), turn + sign * np.pi / 4 + np.pi / 4
                           + rng.normal(0, 0.1)), reds[1] if sign > 0 else black, rng.uniform(0.04, 0.08), 240)
    _striking_lines(pen, rng, black, turn)


FAMILIES = (Family("blocks", _blocks), Family("wedge", _wedge), Family("chevrons", _chevrons),
            Family("flames", _flames), Family("target", _target))
