"""Aspect-ratio buckets, as Kohya_ss makes them: an artwork that is not square trains at
the bucket nearest its aspect ratio instead of being cropped to a square (a tall painting
keeps its top and bottom). A bucket's sides are multiples of 64 (SD 1.5's UNet halves the
8x-smaller latent three times), between half and twice the resolution (256 and 1024 at
512), its area at most the resolution squared; each side as long as the area allows.

Batches are drawn within one bucket (a batch is one tensor: one size; trainer.py), and
the latents are cached at each image's bucket size. No torch here: the app's training
dialog reads folders through image_folder without loading it.
"""

from __future__ import annotations

import math
from collections import Counter
from typing import Iterable, Sequence

BUCKET_STEP = 64
SMALLEST_SHARE, LARGEST_FACTOR = 2, 2  # sides from resolution / 2 to resolution x 2

Size = tuple[int, int]  # width, height


def bucket_sizes(resolution: int) -> tuple[Size, ...]:
    """Every bucket for this resolution, narrowest first: Kohya's make_buckets."""
    smallest = max(BUCKET_STEP, resolution // SMALLEST_SHARE // BUCKET_STEP * BUCKET_STEP)
    largest = resolution * LARGEST_FACTOR
    area = resolution * resolution
    sizes = {(side, side) for side in (resolution // BUCKET_STEP * BUCKET_STEP,)
             if side >= BUCKET_STEP}
    for width in range(smallest, largest + 1, BUCKET_STEP):
        height = min(largest, area // width // BUCKET_STEP * BUCKET_STEP)
        if height >= smallest:
            sizes |= {(width, height), (height, width)}
    return tuple(sorted(sizes, key=lambda size: size[0] / size[1]))


def nearest_bucket(width: int, height: int, sizes: Sequence[Size]) -> Size:
    """The bucket whose aspect ratio is nearest the image's (compared as logarithms, so
    that 2:1 and 1:2 are as far from square)."""
    ratio = math.log(width / height)
    return min(sizes, key=lambda size: abs(math.log(size[0] / size[1]) - ratio))


def bucket_image_counts(image_sizes: Iterable[Size]) -> list[int]:
    """How many images each bucket holds (the images are at their buckets' sizes)."""
    return list(Counter(image_sizes).values())
