"""artwork_diversity: identical artworks have no diversity, different compositions do,
and it tells a shifted template from a different kind of picture."""

import numpy as np
import pytest
from PIL import Image, ImageDraw

from animo_desktop.artwork_diversity import descriptor, mean_pairwise_distance


def _stripes(vertical: bool, offset: int = 0) -> Image.Image:
    image = Image.new("RGB", (128, 128), (200, 200, 200))
    draw = ImageDraw.Draw(image)
    for k in range(0, 128, 16):
        box = (k + offset, 0, k + offset + 6, 127) if vertical else (0, k + offset, 127, k + offset + 6)
        draw.rectangle(box, fill=(40, 40, 40))
    return image


def test_identical_artworks_have_no_diversity():
    image = _stripes(vertical=True)
    assert mean_pairwise_distance([image, image.copy(), image.copy()]) == 0.0


def test_a_different_kind_of_picture_is_farther_than_the_same_one_shifted():
    template = _stripes(vertical=True)
    shifted = _stripes(vertical=True, offset=8)
    turned = _stripes(vertical=False)
    assert mean_pairwise_distance([template, turned]) > mean_pairwise_distance([template, shifted])


def test_colour_counts():
    red, blue = Image.new("RGB", (64, 64), "red"), Image.new("RGB", (64, 64), "blue")
    assert mean_pairwise_distance([red, blue]) > 0.5


def test_descriptor_is_small_and_finite():
    vector = descriptor(_stripes(vertical=True))
    assert vector.shape == (8 * 8 * 3 + 4 * 4 + 8,)
    assert np.all(np.isfinite(vector))


def test_one_artwork_is_refused():
    with pytest.raises(ValueError):
        mean_pairwise_distance([Image.new("RGB", (8, 8))])
