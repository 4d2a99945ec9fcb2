"""Scattered placements as a chain: artwork i is placed from a generator seeded with
(mode, seed, i) and from what the chain placed before it, every index counting, even one
that was removed or never arrived. A placement is therefore a function of its index
alone, so arrivals, removals and gaps never move the artworks already on the canvas.

The chain is kept per canvas size and seed, so a new artwork costs only its own
placement, however long the session."""

from __future__ import annotations

import random
import zlib
from functools import lru_cache
from typing import Sequence

from animo_desktop.composition.canvas import FIRST_INDEX, CanvasSpec, Placement


class PlacementChain:
    """The placements of FIRST_INDEX, FIRST_INDEX + 1, ... for one canvas and seed; a mode
    says in `place_next` where the next one goes, from its generator and its own state."""

    name = ""  # salts the generator, so each mode has its own random stream

    def __init__(self, canvas: CanvasSpec, seed: int):
        self.canvas = canvas
        self.seed = seed
        self.placements: list[Placement] = []

    def place_next(self, rng: random.Random) -> Placement:
        raise NotImplementedError

    def layout(self, indices: Sequence[int]) -> dict[int, Placement]:
        if any(index < FIRST_INDEX for index in indices):
            raise ValueError(f"artwork indices start at {FIRST_INDEX}")
        last = max(indices, default=FIRST_INDEX - 1)
        salt = zlib.crc32(self.name.encode())
        for index in range(FIRST_INDEX + len(self.placements), last + 1):
            # One integer seed: seeding from a string would hash it, several times slower.
            rng = random.Random((salt << 96) | (self.seed << 32) | index)
            self.placements.append(self.place_next(rng))
        return {index: self.placements[index - FIRST_INDEX] for index in indices}


@lru_cache(maxsize=8)
def cached_chain(kind: type[PlacementChain], width: int, height: int,
                 seed: int) -> PlacementChain:
    """The chain of a mode for one canvas size and seed (the background plays no part)."""
    return kind(CanvasSpec(width, height), seed)


def chained_layout(kind: type[PlacementChain], canvas: CanvasSpec, seed: int,
                   indices: Sequence[int]) -> dict[int, Placement]:
    return cached_chain(kind, canvas.width, canvas.height, seed).layout(indices)


def candidates(rng: random.Random, low: int, high: int, count: int) -> list[int]:
    """`count` random starts from low to high, both included (plain floats: several
    times faster than randint, which counts for hundreds of artworks at once)."""
    span = high - low + 1
    return [low + int(rng.random() * span) for _ in range(count)]
