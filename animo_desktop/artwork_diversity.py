"""Within-emotion diversity: how different a set of artworks looks, as one number.

Each artwork is reduced to a small colour-and-edge descriptor: its colour layout (the
picture averaged down to LAYOUT_SIDE x LAYOUT_SIDE RGB cells), where its edges lie
(edge strength on an EDGE_SIDE x EDGE_SIDE grid) and which way they run (a histogram of
ORIENTATION_BINS gradient directions, weighted by strength). Each part is scaled to a
root-mean-square per element, so the three weigh alike whatever their length.

The diversity of a set is the mean pairwise Euclidean distance of their descriptors:
twenty artworks drawn from one template sit close together (same layout, same kind of
edges in the same places), twenty different compositions far apart. Colour layout alone
would call two starbursts in different corners different; the orientation histogram
says they are the same kind of picture. Qt-free: numpy and Pillow only.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import combinations

import numpy as np
from PIL import Image

LAYOUT_SIDE = 8
EDGE_SIDE = 4
ORIENTATION_BINS = 8
_WORK_SIDE = 64  # edges are measured on the artwork downscaled to this side


def descriptor(image: Image.Image) -> np.ndarray:
    """The artwork's colour layout, edge layout and edge orientations, one vector."""
    picture = image.convert("RGB")
    layout = np.asarray(picture.resize((LAYOUT_SIDE, LAYOUT_SIDE), Image.Resampling.BOX),
                        dtype=np.float64) / 255.0
    grey = np.asarray(picture.convert("L").resize((_WORK_SIDE, _WORK_SIDE), Image.Resampling.BOX),
                      dtype=np.float64) / 255.0
    gy, gx = np.gradient(grey)
    strength = np.hypot(gx, gy)
    cell = _WORK_SIDE // EDGE_SIDE
    edge_layout = strength.reshape(EDGE_SIDE, cell, EDGE_SIDE, cell).mean(axis=(1, 3))
    edge_layout /= edge_layout.max() + 1e-9  # where the edges are, not how strong overall
    # Directions modulo 180 degrees: a line is the same line drawn either way.
    direction = np.floor((np.arctan2(gy, gx) % np.pi) / np.pi * ORIENTATION_BINS).astype(int)
    orientation = np.bincount(direction.ravel() % ORIENTATION_BINS, weights=strength.ravel(),
                              minlength=ORIENTATION_BINS)
    # Relative to evenly spread directions (1 in every bin), so that this part weighs as
    # much as the two layouts, whose elements also run from 0 to 1.
    orientation *= ORIENTATION_BINS / (orientation.sum() + 1e-9)
    parts = (layout.ravel(), edge_layout.ravel(), orientation)
    return np.concatenate([part / np.sqrt(part.size) for part in parts])


def mean_pairwise_distance(images: Iterable[Image.Image]) -> float:
    """The mean Euclidean distance between the descriptors of every pair of artworks."""
    vectors = [descriptor(image) for image in images]
    if len(vectors) < 2:
        raise ValueError("diversity needs at least two artworks")
    return float(np.mean([np.linalg.norm(a - b) for a, b in combinations(vectors, 2)]))
