"""Argument types shared by the `animo` subcommands and benchmarks."""

from __future__ import annotations

import argparse

from animo_desktop.emotions import Emotion


def positive_int(text: str) -> int:
    """A whole number of at least 1 (a count, a size, steps); refused with the reason."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def positive_number(text: str) -> float:
    """A number above 0 (minutes, seconds); refused with the reason."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not value > 0:  # also refuses nan
        raise argparse.ArgumentTypeError(f"must be more than 0, not {value}")
    return value


def image_side(text: str) -> int:
    """A Stable Diffusion image side in pixels: a multiple of 8 (the VAE's scale) and at
    least 64 (one latent of 8 x 8); refused with the reason."""
    value = positive_int(text)
    if value < 64 or value % 8:
        raise argparse.ArgumentTypeError(f"must be a multiple of 8 of at least 64, not {value}")
    return value


def emotion(text: str) -> Emotion:
    """An emotion's name or synonym ("joy", "happy"); refused with the words accepted."""
    try:
        return Emotion.parse(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
