"""Shapes in unit coordinates (the picture is 0..1 wide), as arrays of shape (n, 2)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Literal

import numpy as np

Taper = Literal["brush", "drip", "even"]


def bezier(control: np.ndarray, n: int = 96) -> np.ndarray:
    """Points on the Bezier curve of any degree with these control points (de Casteljau)."""
    t = np.linspace(0.0, 1.0, n)[:, None, None]
    points = np.broadcast_to(control, (n, *control.shape)).copy()
    while points.shape[1] > 1:
        points = points[:, :-1] * (1 - t) + points[:, 1:] * t
    return points[:, 0]


def sweep(rng: np.random.Generator, controls: int = 5) -> np.ndarray:
    """A flowing curve that enters on one side of the picture and leaves on another."""
    start, end = rng.uniform(-0.1, 1.1, (2, 2))
    side = rng.integers(2)
    start[side], end[side] = -0.1, 1.1
    inner = rng.uniform(0.05, 0.95, (controls - 2, 2))
    return bezier(np.vstack([start, inner, end]))


def wave(y: float, amplitude: float, wavelength: float, phase: float, n: int = 96) -> np.ndarray:
    """A horizontal sine line across the whole picture."""
    x = np.linspace(-0.05, 1.05, n)
    return np.column_stack([x, y + amplitude * np.sin(2 * np.pi * x / wavelength + phase)])


def jagged(rng: np.random.Generator, start: np.ndarray, end: np.ndarray,
            segments: int, jitter: float) -> np.ndarray:
    """A zig-zag from start to end: uneven steps, vertices thrown to alternate sides."""
    t = np.sort(np.concatenate([[0.0, 1.0], rng.random(segments - 1)]))[:, None]
    direction = end - start
    normal = np.array([-direction[1], direction[0]]) / (np.hypot(*direction) + 1e-9)
    sides = np.where(np.arange(segments + 1) % 2, 1.0, -1.0)[:, None]
    offsets = rng.uniform(0.3 * jitter, jitter, (segments + 1, 1)) * sides
    offsets[[0, -1]] = 0
    return start + direction * t + normal * offsets


def twisted(rng: np.random.Generator, start: np.ndarray, steps: int, step: float,
             curl: float) -> np.ndarray:
    """A random walk whose heading drifts and curls: a tortuous, knotted line."""
    turn = np.cumsum(rng.normal(0.0, curl, steps))
    heading = rng.uniform(0, 2 * np.pi) + np.cumsum(turn * 0.15 + rng.normal(0.0, curl, steps))
    moves = step * np.column_stack([np.cos(heading), np.sin(heading)])
    return start + np.cumsum(moves, axis=0)


def blob(rng: np.random.Generator, centre: Sequence[float], radius: float, lumpiness: float,
          aspect: float = 1.0, roughness: float = 0.0, n: int = 64) -> np.ndarray:
    """Closed outline whose radius wobbles by a few random harmonics (rounded to lumpy),
    plus per-vertex `roughness` for ragged, irregular edges."""
    angle = np.linspace(0.0, 2 * np.pi, n, endpoint=False)
    r = 1.0 + roughness * rng.uniform(-1.0, 1.0, n)
    for harmonic in range(2, 7):
        r += lumpiness / harmonic * rng.normal() * np.cos(harmonic * angle + rng.uniform(0, 2 * np.pi))
    r = radius * np.clip(r, 0.3, None)
    return np.column_stack([centre[0] + r * np.cos(angle) * aspect, centre[1] + r * np.sin(angle)])


def star(centre: Sequence[float], inner: float, outer: np.ndarray, rotation: float) -> np.ndarray:
    """Star outline with one spike per entry of `outer` (spike lengths may differ)."""
    spikes = len(outer)
    angle = rotation + np.arange(2 * spikes) * np.pi / spikes
    r = np.empty(2 * spikes)
    r[0::2], r[1::2] = outer, inner
    return np.column_stack([centre[0] + r * np.cos(angle), centre[1] + r * np.sin(angle)])


def axes(angle: float) -> tuple[np.ndarray, np.ndarray]:
    """Unit vector along `angle` and the one across it."""
    u = np.array([math.cos(angle), math.sin(angle)])
    return u, np.array([-u[1], u[0]])


def quad(centre: Sequence[float], length: float, width: float, angle: float) -> np.ndarray:
    """Rotated rectangle: bold blocks and confetti."""
    u, v = axes(angle)
    corners = np.array([(-1, -1), (1, -1), (1, 1), (-1, 1)]) * (length / 2, width / 2)
    return np.asarray(centre, dtype=float) + corners[:, :1] * u + corners[:, 1:] * v


def segment(centre: Sequence[float], length: float, angle: float, n: int = 24) -> np.ndarray:
    """Straight line through `centre`, sampled finely so a tapered stroke can swell."""
    u, _ = axes(angle)
    return np.asarray(centre, dtype=float) + np.linspace(-length / 2, length / 2, n)[:, None] * u


def spike(base: Sequence[float], angle: float, length: float, width: float) -> np.ndarray:
    """Thin triangle from a base point towards `angle`: shards and burst rays."""
    u, v = axes(angle)
    b = np.asarray(base, dtype=float)
    return np.array([b + v * width / 2, b - v * width / 2, b + u * length])


def stroke_outline(points: np.ndarray, width: float, taper: Taper) -> np.ndarray:
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


def arc(centre: Sequence[float], radius: float, start: float, end: float, n: int = 48) -> np.ndarray:
    """Part of a circle, from angle `start` to `end` (radians)."""
    angle = np.linspace(start, end, n)
    return np.asarray(centre, dtype=float) + radius * np.column_stack([np.cos(angle), np.sin(angle)])


def spiral(centre: Sequence[float], start_radius: float, end_radius: float, turns: float,
           phase: float, n: int = 120) -> np.ndarray:
    """A spiral unwinding from `start_radius` to `end_radius` over `turns` turns."""
    angle = phase + np.linspace(0.0, 2 * np.pi * turns, n)
    radius = np.linspace(start_radius, end_radius, n)
    return np.asarray(centre, dtype=float) + radius[:, None] * np.column_stack([np.cos(angle), np.sin(angle)])
