"""The installation view's drift: a slow breathing and wander of the whole canvas on the
screen, so that it lives between artworks, without ever pushing an artwork past the
screen's edges. The canvas is never shown larger than fits the screen; it breathes
smaller than that, and wanders only within the room its breathing leaves."""

from __future__ import annotations

import math

# The scale relative to the whole canvas fitting the screen: mean, amplitude, period (s).
# Always under 1, so the canvas never reaches past the screen's edges.
BREATH = (0.955, 0.025, 47.0)
# The wander's periods (s), chosen not to repeat together with the breath for a long time,
# and how far it goes at most, as a fraction of the screen's side.
WANDER_PERIODS = (61.0, 83.0)
WANDER_REACH = 0.03


def drift_at(seconds: float, canvas_size: tuple[float, float],
             view_size: tuple[float, float]) -> tuple[float, float, float]:
    """(scale, dx, dy) at `seconds` into the drift: screen pixels per canvas pixel, and
    how far (in canvas pixels) the canvas's centre lies right of and below the screen's."""
    (canvas_width, canvas_height), (view_width, view_height) = canvas_size, view_size
    whole = min(view_width / canvas_width, view_height / canvas_height)
    mean, amplitude, period = BREATH
    scale = whole * (mean + amplitude * math.sin(2 * math.pi * seconds / period))
    offsets = []
    for canvas_side, view_side, wander_period in zip(canvas_size, view_size, WANDER_PERIODS):
        room = (view_side / scale - canvas_side) / 2  # between the canvas and the screen edge
        # A fifth of the room is kept: the screen's pixels round the canvas's edge outwards.
        reach = min(0.8 * room, WANDER_REACH * view_side / scale)
        offsets.append(reach * math.sin(2 * math.pi * seconds / wander_period))
    return scale, offsets[0], offsets[1]
