"""Built-in procedural painter: an abstract artwork for an emotion and a seed.

Each emotion gets its palette from `emotions.py` and its own composition following the
artist's graphic language (shared/brief/emotion_art.md). Pure numpy + Pillow, so it runs
anywhere in well under 200 ms and is the fallback when no diffusion model is available.

Rendering has two stages. Soft layers (washes, glows, fog) are drawn at half the output
size and blurred; every blur also softens what lies beneath, which gives depth. Crisp
shapes are then drawn on a 2x canvas that is downscaled with LANCZOS (anti-aliasing),
and a fixed paper grain is added. All shape coordinates are in units of the picture
width (0..1), so the same code draws on either stage.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from typing import Literal

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from .emotions import Emotion

RGB = tuple[int, int, int]
Taper = Literal["brush", "drip", "even"]

_SUPERSAMPLE = 2      # crisp shapes are drawn at 2x and downscaled
_SOFT_SCALE = 0.5     # soft layers are drawn at half size: they are blurred anyway
_GRAIN_LEVELS = 4.0   # paper grain amplitude, in 0..255 levels


def paint(emotion: Emotion, seed: int, size: int = 512) -> Image.Image:
    """Render an RGB `size` x `size` artwork; identical for the same emotion, seed and size."""
    if size < 1:
        raise ValueError(f"size must be positive, got {size}")
    # Mix the emotion in so that one seed gives unrelated pictures across emotions.
    rng = np.random.default_rng([seed & 0xFFFF_FFFF_FFFF_FFFF, zlib.crc32(emotion.value.encode())])
    style = emotion.style
    palette = [_rgb(c) for c in style.palette]
    background = [_rgb(c) for c in style.background]
    art = _Artwork(size)
    _COMPOSITIONS[emotion](art, rng, palette, background)
    return art.finish()


# --- colour -------------------------------------------------------------------------

def _rgb(hex_colour: str) -> RGB:
    value = hex_colour.lstrip("#")
    return (int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16))


def _luminance(c: RGB) -> float:
    return 0.299 * c[0] + 0.587 * c[1] + 0.114 * c[2]


def _pick(rng: np.random.Generator, palette: Sequence[RGB]) -> RGB:
    """A palette colour, the dominant (first) one most often, accents as touches."""
    weights = 1.0 / np.arange(1, len(palette) + 1)
    return palette[rng.choice(len(palette), p=weights / weights.sum())]


# --- geometry (unit coordinates, arrays of shape (n, 2)) ----------------------------

def _bezier(control: np.ndarray, n: int = 96) -> np.ndarray:
    """Points on the Bezier curve of any degree with these control points (de Casteljau)."""
    t = np.linspace(0.0, 1.0, n)[:, None, None]
    points = np.broadcast_to(control, (n, *control.shape)).copy()
    while points.shape[1] > 1:
        points = points[:, :-1] * (1 - t) + points[:, 1:] * t
    return points[:, 0]


def _sweep(rng: np.random.Generator, controls: int = 5) -> np.ndarray:
    """A flowing curve that enters on one side of the picture and leaves on another."""
    start, end = rng.uniform(-0.1, 1.1, (2, 2))
    side = rng.integers(2)
    start[side], end[side] = -0.1, 1.1
    inner = rng.uniform(0.05, 0.95, (controls - 2, 2))
    return _bezier(np.vstack([start, inner, end]))


def _wave(y: float, amplitude: float, wavelength: float, phase: float, n: int = 96) -> np.ndarray:
    """A horizontal sine line across the whole picture."""
    x = np.linspace(-0.05, 1.05, n)
    return np.column_stack([x, y + amplitude * np.sin(2 * np.pi * x / wavelength + phase)])


def _jagged(rng: np.random.Generator, start: np.ndarray, end: np.ndarray,
            segments: int, jitter: float) -> np.ndarray:
    """A zig-zag from start to end: uneven steps, vertices thrown to alternate sides."""
    t = np.sort(np.concatenate([[0.0, 1.0], rng.random(segments - 1)]))[:, None]
    direction = end - start
    normal = np.array([-direction[1], direction[0]]) / (np.hypot(*direction) + 1e-9)
    sides = np.where(np.arange(segments + 1) % 2, 1.0, -1.0)[:, None]
    offsets = rng.uniform(0.3 * jitter, jitter, (segments + 1, 1)) * sides
    offsets[[0, -1]] = 0
    return start + direction * t + normal * offsets


def _twisted(rng: np.random.Generator, start: np.ndarray, steps: int, step: float,
             curl: float) -> np.ndarray:
    """A random walk whose heading drifts and curls: a tortuous, knotted line."""
    turn = np.cumsum(rng.normal(0.0, curl, steps))
    heading = rng.uniform(0, 2 * np.pi) + np.cumsum(turn * 0.15 + rng.normal(0.0, curl, steps))
    moves = step * np.column_stack([np.cos(heading), np.sin(heading)])
    return start + np.cumsum(moves, axis=0)


def _blob(rng: np.random.Generator, centre: Sequence[float], radius: float, lumpiness: float,
          aspect: float = 1.0, roughness: float = 0.0, n: int = 64) -> np.ndarray:
    """Closed outline whose radius wobbles by a few random harmonics (rounded to lumpy),
    plus per-vertex `roughness` for ragged, irregular edges."""
    angle = np.linspace(0.0, 2 * np.pi, n, endpoint=False)
    r = 1.0 + roughness * rng.uniform(-1.0, 1.0, n)
    for harmonic in range(2, 7):
        r += lumpiness / harmonic * rng.normal() * np.cos(harmonic * angle + rng.uniform(0, 2 * np.pi))
    r = radius * np.clip(r, 0.3, None)
    return np.column_stack([centre[0] + r * np.cos(angle) * aspect, centre[1] + r * np.sin(angle)])


def _star(centre: Sequence[float], inner: float, outer: np.ndarray, rotation: float) -> np.ndarray:
    """Star outline with one spike per entry of `outer` (spike lengths may differ)."""
    spikes = len(outer)
    angle = rotation + np.arange(2 * spikes) * np.pi / spikes
    r = np.empty(2 * spikes)
    r[0::2], r[1::2] = outer, inner
    return np.column_stack([centre[0] + r * np.cos(angle), centre[1] + r * np.sin(angle)])


def _axes(angle: float) -> tuple[np.ndarray, np.ndarray]:
    """Unit vector along `angle` and the one across it."""
    u = np.array([math.cos(angle), math.sin(angle)])
    return u, np.array([-u[1], u[0]])


def _quad(centre: Sequence[float], length: float, width: float, angle: float) -> np.ndarray:
    """Rotated rectangle: bold blocks and confetti."""
    u, v = _axes(angle)
    corners = np.array([(-1, -1), (1, -1), (1, 1), (-1, 1)]) * (length / 2, width / 2)
    return np.asarray(centre, dtype=float) + corners[:, :1] * u + corners[:, 1:] * v


def _segment(centre: Sequence[float], length: float, angle: float, n: int = 24) -> np.ndarray:
    """Straight line through `centre`, sampled finely so a tapered stroke can swell."""
    u, _ = _axes(angle)
    return np.asarray(centre, dtype=float) + np.linspace(-length / 2, length / 2, n)[:, None] * u


def _spike(base: Sequence[float], angle: float, length: float, width: float) -> np.ndarray:
    """Thin triangle from a base point towards `angle`: shards and burst rays."""
    u, v = _axes(angle)
    b = np.asarray(base, dtype=float)
    return np.array([b + v * width / 2, b - v * width / 2, b + u * length])


def _stroke_outline(points: np.ndarray, width: float, taper: Taper) -> np.ndarray:
    """Polygon around a polyline. "brush" swells in the middle like a brush mark, "drip"
    grows towards its end like a running drop, "even" keeps the width."""
    tangent = np.gradient(points, axis=0)
    normal = np.column_stack([-tangent[:, 1], tangent[:, 0]])
    normal /= np.linalg.norm(normal, axis=1, keepdims=True) + 1e-12
    half = np.full(len(points), width / 2)
    if taper == "brush":
        half *= 0.15 + 0.85 * np.sin(np.linspace(0.0, np.pi, len(points))) ** 0.7
    elif taper == "drip":
        half *= np.linspace(0.1, 1.0, len(points)) ** 1.5
    return np.vstack([points + normal * half[:, None], (points - normal * half[:, None])[::-1]])


# --- drawing ------------------------------------------------------------------------

class _Pen:
    """Translucent shapes on an RGB image, in unit coordinates."""

    def __init__(self, image: Image.Image) -> None:
        self.scale = image.width
        self._draw = ImageDraw.Draw(image, "RGBA")  # "RGBA" on an RGB image blends

    def _xy(self, points: np.ndarray) -> list[float]:
        return (np.asarray(points) * self.scale).ravel().tolist()

    def polygon(self, points: np.ndarray, colour: RGB, alpha: int = 255) -> None:
        self._draw.polygon(self._xy(points), fill=(*colour, int(alpha)))

    def circle(self, centre: Sequence[float], radius: float, colour: RGB, alpha: int = 255,
               ring: float = 0.0) -> None:
        """A disc, or a ring of width `ring` when it is non-zero."""
        box = self._xy([np.subtract(centre, radius), np.add(centre, radius)])
        if ring:
            self._draw.ellipse(box, outline=(*colour, int(alpha)), width=max(1, round(ring * self.scale)))
        else:
            self._draw.ellipse(box, fill=(*colour, int(alpha)))

    def stroke(self, points: np.ndarray, colour: RGB, width: float, alpha: int = 255,
               taper: Taper = "brush") -> None:
        """A line drawn as one polygon, so translucent strokes blend evenly."""
        self.polygon(_stroke_outline(points, width, taper), colour, alpha)

    def drip(self, top: Sequence[float], length: float, width: float, colour: RGB, alpha: int = 255) -> None:
        """A running drop: thin where it starts, swelling down into a round bead."""
        run = _segment(np.asarray(top, dtype=float) + (0, length / 2), length, np.pi / 2)
        self.stroke(run, colour, width, alpha, taper="drip")
        self.circle(run[-1], width / 2, colour, alpha)

    def line(self, points: np.ndarray, colour: RGB, width: float) -> None:
        """An opaque line with round joints; cheaper and safe where it crosses itself."""
        self._draw.line(self._xy(points), fill=colour, width=max(1, round(width * self.scale)), joint="curve")


@lru_cache(maxsize=4)
def _grain(size: int) -> np.ndarray:
    """Fixed paper grain: fine speckle plus faint fibres; the same for every artwork."""
    rng = np.random.default_rng(0)
    speckle = rng.normal(0.0, 1.0, (size, size))
    noise = Image.fromarray(rng.integers(0, 256, (size, size), dtype=np.uint8))
    fibres = np.asarray(noise.filter(ImageFilter.GaussianBlur(1.5)), dtype=np.float64)
    fibres = (fibres - fibres.mean()) / (fibres.std() + 1e-9)
    return (_GRAIN_LEVELS * (0.6 * speckle + 0.5 * fibres)).astype(np.float32)[..., None]


class _Artwork:
    """The picture being painted: soft layers first, then crisp shapes on top."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.soft_size = max(16, round(size * _SOFT_SCALE))
        self._base = Image.new("RGB", (self.soft_size, self.soft_size))
        self._canvas: Image.Image | None = None
        self._crisp: _Pen | None = None

    def wash(self, colours: Sequence[RGB], rng: np.random.Generator, mottling: float,
             angle: float | None = None, centre: Sequence[float] | None = None) -> None:
        """Background gradient through `colours`, mottled like a watercolour wash.

        Linear along `angle` (random when None), or radial from `centre`. It is smooth,
        so it is computed on a small grid and upscaled.
        """
        n = 48
        y, x = np.mgrid[0:n, 0:n] / (n - 1)
        if centre is None:
            angle = rng.uniform(0, 2 * np.pi) if angle is None else angle
            t = 0.5 + (x - 0.5) * math.cos(angle) + (y - 0.5) * math.sin(angle)
        else:
            t = np.hypot(x - centre[0], y - centre[1]) / 0.9
        coarse = Image.fromarray((rng.random((5, 5)) * 255).astype(np.uint8)).resize((n, n), Image.BICUBIC)
        t = np.clip(t + mottling * (np.asarray(coarse) / 255.0 - 0.5), 0.0, 1.0)
        stops = np.linspace(0.0, 1.0, len(colours))
        rgb = np.stack([np.interp(t, stops, [c[k] for c in colours]) for k in range(3)], axis=-1)
        vignette = 1.0 - 0.12 * (np.hypot(x - 0.5, y - 0.5) / 0.707) ** 2
        image = Image.fromarray(np.clip(rgb * vignette[..., None], 0, 255).astype(np.uint8))
        self._base = image.resize((self.soft_size, self.soft_size), Image.BICUBIC)

    @contextmanager
    def soft(self, blur: float) -> Iterator[_Pen]:
        """Draw on the soft layer, then blur it by `blur` (in picture widths)."""
        if self._canvas is not None:
            raise RuntimeError("soft layers must be painted before crisp shapes")
        yield _Pen(self._base)
        self._base = self._base.filter(ImageFilter.GaussianBlur(blur * self.soft_size))

    @property
    def crisp(self) -> _Pen:
        """Pen on the 2x canvas; its first use ends the soft stage."""
        if self._crisp is None:
            full = self.size * _SUPERSAMPLE
            self._canvas = self._base.resize((full, full), Image.BICUBIC)
            self._crisp = _Pen(self._canvas)
        return self._crisp

    def finish(self) -> Image.Image:
        source = self._base if self._canvas is None else self._canvas
        image = source.resize((self.size, self.size), Image.LANCZOS)
        pixels = np.asarray(image, dtype=np.float32) + _grain(self.size)
        return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))


# --- compositions: one per emotion, following the brief's graphic language ---------

Composition = Callable[[_Artwork, np.random.Generator, list[RGB], list[RGB]], None]


def _joy(art: _Artwork, rng: np.random.Generator, palette: list[RGB], background: list[RGB]) -> None:
    """Sunlit yellows; overlapping round forms and dynamic curved strokes."""
    lightest = max(palette, key=_luminance)
    art.wash(background, rng, mottling=0.3)
    with art.soft(blur=0.06) as pen:
        pen.circle(rng.uniform(0.2, 0.8, 2), rng.uniform(0.25, 0.35), lightest, 190)
        for _ in range(6):
            pen.circle(rng.uniform(0, 1, 2), rng.uniform(0.08, 0.2), _pick(rng, palette), 120)
    with art.soft(blur=0.012) as pen:
        for _ in range(4):
            pen.polygon(_blob(rng, rng.uniform(0.1, 0.9, 2), rng.uniform(0.08, 0.16), 0.25), _pick(rng, palette), 150)
    pen = art.crisp
    for _ in range(rng.integers(7, 11)):
        pen.circle(rng.uniform(0.05, 0.95, 2), rng.uniform(0.03, 0.13), _pick(rng, palette), rng.integers(140, 210))
    for _ in range(rng.integers(2, 5)):
        pen.circle(rng.uniform(0.15, 0.85, 2), rng.uniform(0.05, 0.18), _pick(rng, palette), 220, ring=0.008)
    for _ in range(rng.integers(3, 5)):
        pen.stroke(_sweep(rng), _pick(rng, palette[1:]), rng.uniform(0.025, 0.06), 225)
    for _ in range(rng.integers(12, 24)):
        pen.circle(rng.uniform(0, 1, 2), rng.uniform(0.005, 0.014), _pick(rng, palette), 230)


def _sadness(art: _Artwork, rng: np.random.Generator, palette: list[RGB], background: list[RGB]) -> None:
    """Misty cool greys and mauves; soft ellipses, sinking waves, flowing lines, slow drips."""
    by_light = sorted(palette, key=_luminance)
    art.wash(background, rng, mottling=0.25, angle=np.pi / 2 + rng.normal(0, 0.15))
    with art.soft(blur=0.05) as pen:
        for i in range(4):
            centre = rng.uniform(0.15, 0.85, 2)
            pen.polygon(_blob(rng, centre, rng.uniform(0.08, 0.15), 0.1, aspect=rng.uniform(1.8, 3.0)),
                        by_light[-1 - i] if i % 2 else by_light[i], 150)
    with art.soft(blur=0.01) as pen:
        # Layers sink and darken towards the bottom, like a slow tide.
        levels = np.sort(rng.uniform(0.35, 0.85, 4))
        for level, colour in zip(levels, by_light[::-1][1:]):
            band = _wave(level, rng.uniform(0.01, 0.04), rng.uniform(0.5, 1.2), rng.uniform(0, 2 * np.pi))
            pen.polygon(np.vstack([band, [[1.05, 1.05], [-0.05, 1.05]]]), colour, 110)
        for _ in range(rng.integers(3, 7)):
            # Watercolour runs: soft vertical drips.
            pen.drip(rng.uniform((0.05, 0.05), (0.95, 0.5)), rng.uniform(0.1, 0.35), rng.uniform(0.012, 0.025),
                     by_light[rng.integers(len(palette) // 2)], 110)
    pen = art.crisp
    lights = by_light[len(palette) // 2:]
    for _ in range(rng.integers(2, 4)):
        # A bundle of near-parallel gentle lines that slowly fan out, like drifting silk.
        x = np.linspace(-0.05, 1.05, 4)
        spine = _bezier(np.column_stack([x, rng.uniform(0.15, 0.8) + rng.normal(0, 0.06, 4)]))
        fan = np.linspace(0.0, 1.0, len(spine)) * rng.uniform(0.5, 1.5)
        for k in range(rng.integers(3, 6)):
            offset = np.column_stack([np.zeros(len(spine)), 0.012 * k * (1 + fan)])
            pen.stroke(spine + offset, lights[rng.integers(len(lights))], rng.uniform(0.004, 0.009), 170)


def _fear(art: _Artwork, rng: np.random.Generator, palette: list[RGB], background: list[RGB]) -> None:
    """Near-black night; sharp shards, broken zig-zags and a few cold cracks of light."""
    lights = sorted(palette, key=_luminance)[len(palette) // 2:]
    cold = lights[-1]
    focus = rng.uniform(0.25, 0.75, 2)
    art.wash(background, rng, mottling=0.4)
    with art.soft(blur=0.05) as pen:
        for _ in range(4):
            pen.polygon(_blob(rng, rng.uniform(0, 1, 2), rng.uniform(0.1, 0.25), 0.3), _pick(rng, palette), 120)
        pen.circle(focus, rng.uniform(0.06, 0.12), cold, 80)
    pen = art.crisp
    for _ in range(rng.integers(14, 22)):
        # Shards point at the focus from everywhere, some stabbing in from the edges.
        base = rng.uniform(-0.1, 1.1, 2)
        angle = math.atan2(*(focus - base)[::-1]) + rng.normal(0, 0.35)
        length = rng.uniform(0.3, 0.8) * np.hypot(*(focus - base))
        pen.polygon(_spike(base, angle, length, rng.uniform(0.02, 0.07)), _pick(rng, palette), rng.integers(150, 230))
    for _ in range(rng.integers(4, 7)):
        line = _jagged(rng, rng.uniform(-0.1, 1.1, 2), rng.uniform(-0.1, 1.1, 2), rng.integers(10, 22), 0.04)
        colour = lights[rng.integers(len(lights))]
        for a, b in zip(line[:-1], line[1:]):
            if rng.random() < 0.75:  # broken: some segments are missing
                pen.stroke(np.array([a, b]), colour, rng.uniform(0.003, 0.008), 200, taper="even")
    for _ in range(rng.integers(2, 4)):
        end = focus + rng.uniform(-0.35, 0.35, 2)
        pen.line(_jagged(rng, focus, end, 8, 0.025), cold, 0.003)


def _anger(art: _Artwork, rng: np.random.Generator, palette: list[RGB], background: list[RGB]) -> None:
    """Dominant hot reds with black accents; bold blocks and violent diagonal slashes."""
    black = min(palette, key=_luminance)
    reds = [c for c in palette if c != black]
    hottest = max(reds, key=lambda c: c[0] + c[1])  # the orange-red glow behind the fight
    art.wash(background, rng, mottling=0.3)
    with art.soft(blur=0.05) as pen:
        pen.circle(rng.uniform(0.25, 0.75, 2), rng.uniform(0.2, 0.3), hottest, 130)
        for _ in range(3):
            pen.circle(rng.uniform(0, 1, 2), rng.uniform(0.1, 0.2), black, 90)
    pen = art.crisp
    for _ in range(rng.integers(4, 7)):
        block = _quad(rng.uniform(0.1, 0.9, 2), rng.uniform(0.15, 0.45), rng.uniform(0.06, 0.25),
                      rng.choice([0.0, np.pi / 4, -np.pi / 4]) + rng.normal(0, 0.15))
        pen.polygon(block, _pick(rng, reds), rng.integers(190, 245))
    for _ in range(rng.integers(2, 4)):
        corner = rng.uniform(0.1, 0.9, 2)
        pen.polygon(np.vstack([corner, corner + rng.uniform(-0.35, 0.35, (2, 2))]), _pick(rng, reds), 220)
    slant = rng.choice([-1, 1]) * np.pi / 4
    for i in range(rng.integers(4, 8)):
        # Mostly along one diagonal, a few across it: the slashes clash.
        angle = slant + rng.normal(0, 0.2) + (np.pi / 2 if rng.random() < 0.25 else 0.0)
        slash = _segment(rng.uniform(0.15, 0.85, 2), rng.uniform(0.6, 1.4), angle)
        pen.stroke(slash, black if i % 2 == 0 else _pick(rng, reds), rng.uniform(0.02, 0.06), 240)
    for _ in range(rng.integers(2, 4)):
        pen.line(_segment(rng.uniform(0.2, 0.8, 2), rng.uniform(0.5, 1.0), slant + rng.normal(0, 0.3), 2),
                 black, 0.004)


def _surprise(art: _Artwork, rng: np.random.Generator, palette: list[RGB], background: list[RGB]) -> None:
    """Violet, orange and turquoise together; an explosive burst from an off-centre point."""
    lightest = max(palette, key=_luminance)
    centre = 0.5 + rng.choice([-1, 1], 2) * rng.uniform(0.1, 0.22, 2)
    art.wash(background[::-1], rng, mottling=0.2, centre=centre)
    with art.soft(blur=0.05) as pen:
        pen.circle(centre, rng.uniform(0.12, 0.2), palette[1], 200)
        pen.circle(centre, rng.uniform(0.05, 0.09), lightest, 220)
    pen = art.crisp
    rays = rng.integers(26, 40)
    for i, angle in enumerate(np.linspace(0, 2 * np.pi, rays, endpoint=False) + rng.normal(0, 0.06, rays)):
        # Cycling through the palette keeps all three hue families in the burst.
        pen.polygon(_spike(centre, angle, rng.uniform(0.25, 0.95), rng.uniform(0.03, 0.11)),
                    palette[i % len(palette)], rng.integers(170, 235))
    for k in range(rng.integers(2, 4)):
        pen.circle(centre, 0.12 + 0.09 * k + rng.uniform(0, 0.03), palette[(k + 1) % len(palette)], 200, ring=0.006)
    pen.polygon(_star(centre, 0.03, rng.uniform(0.07, 0.15, 9), rng.uniform(0, np.pi)), lightest, 240)
    for _ in range(rng.integers(2, 4)):
        turns = np.linspace(0, rng.uniform(1.5, 3.0) * np.pi, 80)
        radius = 0.04 + 0.12 * turns / np.pi
        spiral = centre + radius[:, None] * np.column_stack([np.cos(turns), np.sin(turns)]) * rng.choice([-1, 1])
        pen.stroke(spiral, _pick(rng, palette[1:]), rng.uniform(0.01, 0.022), 230)
    for i in range(rng.integers(40, 70)):
        spot = rng.uniform(0, 1, 2)
        confetti = _quad(spot, rng.uniform(0.01, 0.03), rng.uniform(0.006, 0.014), rng.uniform(0, np.pi))
        pen.polygon(confetti, palette[i % len(palette)], 235)


def _disgust(art: _Artwork, rng: np.random.Generator, palette: list[RGB], background: list[RGB]) -> None:
    """Murky greens and browns; oozing lumpy masses, twisted lines and clusters of froth."""
    light = max(palette, key=_luminance)
    art.wash(background, rng, mottling=0.7)
    with art.soft(blur=0.04) as pen:
        for _ in range(6):
            pen.polygon(_blob(rng, rng.uniform(0, 1, 2), rng.uniform(0.08, 0.2), 0.6), _pick(rng, palette), 120)
    pen = art.crisp
    for _ in range(rng.integers(5, 8)):
        radius = rng.uniform(0.05, 0.13)
        mass = _blob(rng, rng.uniform(0.05, 0.95, 2), radius, 0.45, aspect=rng.uniform(0.7, 1.5), roughness=0.05)
        colour = _pick(rng, palette)
        pen.polygon(mass, colour, rng.integers(150, 210))
        # The masses sag: drops ooze from their lower edge.
        lowest = mass[np.argsort(mass[:, 1])[-12:]]
        for point in lowest[rng.choice(12, rng.integers(1, 4), replace=False)]:
            pen.drip(point - (0, 0.01), rng.uniform(0.03, 0.12), rng.uniform(0.01, 0.022), colour, 190)
    for _ in range(rng.integers(4, 7)):
        walk = _twisted(rng, rng.uniform(0.2, 0.8, 2), rng.integers(150, 260), 0.006, 0.18)
        pen.line(walk, _pick(rng, palette[1:]), rng.uniform(0.004, 0.009))
    for _ in range(rng.integers(2, 4)):
        colony = rng.uniform(0.1, 0.9, 2)
        for spot in colony + rng.normal(0, 0.045, (rng.integers(15, 30), 2)):
            pen.circle(spot, rng.uniform(0.004, 0.018), light, 170, ring=0.003)


def _neutral(art: _Artwork, rng: np.random.Generator, palette: list[RGB], background: list[RGB]) -> None:
    """Calm, balanced and low-contrast: horizontal bands and a few evenly spaced circles."""
    art.wash(background, rng, mottling=0.12)
    with art.soft(blur=0.012) as pen:
        edges = np.sort(rng.uniform(0.1, 0.9, 4))
        for top, bottom in zip(edges[:-1:2], edges[1::2]):
            band = np.array([[0.08, top], [0.92, top], [0.92, bottom], [0.08, bottom]])
            pen.polygon(band, _pick(rng, palette), 140)
    pen = art.crisp
    count = rng.integers(2, 4)
    y = rng.uniform(0.35, 0.65)
    radius = rng.uniform(0.05, 0.1)
    for x in np.linspace(0.5 - 0.15 * (count - 1), 0.5 + 0.15 * (count - 1), count):
        pen.circle((x, y), radius, _pick(rng, palette), 150)
    for y_line in rng.uniform(0.15, 0.85, rng.integers(1, 3)):
        pen.stroke(np.array([[0.1, y_line], [0.9, y_line]]), _pick(rng, palette), 0.004, 150, taper="even")


_COMPOSITIONS: dict[Emotion, Composition] = {
    Emotion.JOY: _joy,
    Emotion.SADNESS: _sadness,
    Emotion.FEAR: _fear,
    Emotion.ANGER: _anger,
    Emotion.SURPRISE: _surprise,
    Emotion.DISGUST: _disgust,
    Emotion.NEUTRAL: _neutral,
}
