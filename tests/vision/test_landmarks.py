"""The Face Landmarker wrapper on real photos."""

import numpy as np
import pytest

from animo_desktop.vision.landmarks import BLENDSHAPE_NAMES, FaceLandmarker
from animo_desktop.vision.opencv import cv2
from animo_desktop.vision.sources import read_image

from .conftest import HAPPY_PHOTO, SINGLE_FACE_PHOTO


@pytest.fixture(scope="module")
def single_face_rgb():
    return cv2.cvtColor(read_image(SINGLE_FACE_PHOTO), cv2.COLOR_BGR2RGB)


def test_one_face_with_478_landmarks_in_pixels_and_52_blendshapes(single_face_rgb):
    height, width = single_face_rgb.shape[:2]
    with FaceLandmarker("image") as landmarker:
        faces = landmarker.detect(single_face_rgb)
    assert len(faces) == 1
    face = faces[0]
    assert face.landmarks.shape == (478, 2) and face.blendshapes.shape == (52,)
    assert len(BLENDSHAPE_NAMES) == 52
    assert 0 <= face.box.left < face.box.right <= width
    assert 0 <= face.box.top < face.box.bottom <= height
    assert face.box.width > width / 5  # pixels, not MediaPipe's 0-1 coordinates
    assert np.all((face.blendshapes >= 0) & (face.blendshapes <= 1))


def test_blendshapes_are_looked_up_by_name():
    rgb = cv2.cvtColor(read_image(HAPPY_PHOTO), cv2.COLOR_BGR2RGB)
    with FaceLandmarker("image") as landmarker:
        face, = landmarker.detect(rgb)
    assert face.blendshape("mouthSmileLeft") > 0.5
    assert face.blendshape("mouthSmileLeft") == face.blendshapes[
        BLENDSHAPE_NAMES.index("mouthSmileLeft")]


def test_video_mode_accepts_timestamps_that_do_not_increase(single_face_rgb):
    with FaceLandmarker("video") as landmarker:
        for timestamp in (100, 100, 50, 200):  # a looping file, a clock that stepped back
            assert len(landmarker.detect(single_face_rgb, timestamp)) == 1
        with pytest.raises(ValueError):
            landmarker.detect(single_face_rgb)


def test_grayscale_images_are_accepted(single_face_rgb):
    gray = cv2.cvtColor(single_face_rgb, cv2.COLOR_RGB2GRAY)
    with FaceLandmarker("image") as landmarker:
        assert len(landmarker.detect(gray)) == 1
