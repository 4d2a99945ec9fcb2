"""The RAF-DB expression model (OpenCV Zoo) on its five-point warp."""

import numpy as np
import pytest

from animo_desktop.emotions import ALL_EMOTIONS, Emotion
from animo_desktop.vision.landmarks import FaceLandmarker
from animo_desktop.vision.opencv import cv2
from animo_desktop.vision.rafdb_classifier import (
    EMBEDDING_SIZE,
    INPUT_SIZE,
    TEMPLATE,
    RafDbClassifier,
    warp_to_template,
)
from animo_desktop.vision.sources import read_image

from .conftest import HAPPY_PHOTO


@pytest.fixture(scope="module")
def happy_face():
    image = cv2.cvtColor(read_image(HAPPY_PHOTO), cv2.COLOR_BGR2RGB)
    with FaceLandmarker("image") as landmarker:
        return image, landmarker.detect(image)[0].points


def test_the_warp_puts_the_five_points_on_the_template(happy_face):
    image, points = happy_face
    marked = image.copy()
    for x, y in points.round().astype(int):
        marked[y - 5:y + 6, x - 5:x + 6] = (255, 0, 255)
    face = warp_to_template(marked, points)
    assert face.shape == (INPUT_SIZE, INPUT_SIZE, 3)
    magenta = np.argwhere((face[..., 0] > 200) & (face[..., 1] < 90) & (face[..., 2] > 200))
    for x, y in TEMPLATE:
        nearest = np.min(np.hypot(magenta[:, 1] - x, magenta[:, 0] - y))
        assert nearest < 6, f"no point near ({x:.0f}, {y:.0f})"


def test_points_that_fall_together_are_refused():
    with pytest.raises(ValueError):
        warp_to_template(np.zeros((50, 50, 3), np.uint8), np.full((5, 2), 20, np.float32))


def test_a_smile_reads_as_joy_with_an_embedding(happy_face):
    reading = RafDbClassifier(use_gpu=False).read(*happy_face)
    assert reading.logits.shape == (len(ALL_EMOTIONS),)
    assert reading.embedding.shape == (EMBEDDING_SIZE,) and np.isfinite(reading.embedding).all()
    assert ALL_EMOTIONS[int(np.argmax(reading.logits))] is Emotion.JOY
