"""The aligned crop: eyes level, the training framing, whatever the head's roll."""

import numpy as np
import pytest

from animo_desktop.vision.alignment import (
    CROP_SIZE,
    LEFT_EYE_CORNERS,
    RIGHT_EYE_CORNERS,
    align_face,
    alignment_matrix,
)
from animo_desktop.vision.landmarks import FaceLandmarker
from animo_desktop.vision.opencv import cv2
from animo_desktop.vision.sources import read_image

from .conftest import SINGLE_FACE_PHOTO


def eye_centres(landmarks, matrix):
    mapped = landmarks @ matrix[:, :2].T + matrix[:, 2]
    return (mapped[list(RIGHT_EYE_CORNERS)].mean(axis=0),
            mapped[list(LEFT_EYE_CORNERS)].mean(axis=0))


@pytest.mark.parametrize("roll_degrees", [0, 25, -25])
def test_eyes_are_level_and_where_the_cnn_expects_them(roll_degrees):
    image = read_image(SINGLE_FACE_PHOTO)
    height, width = image.shape[:2]
    rotation = cv2.getRotationMatrix2D((width / 2, height / 2), roll_degrees, 1.0)
    image = cv2.warpAffine(image, rotation, (width, height))
    with FaceLandmarker("image") as landmarker:
        face, = landmarker.detect(cv2.cvtColor(image, cv2.COLOR_BGR2RGB))
    right_eye, left_eye = eye_centres(face.landmarks, alignment_matrix(face.landmarks))
    assert abs(right_eye[1] - left_eye[1]) < 0.01  # level
    assert right_eye[0] < left_eye[0]  # not mirrored: the person's right eye on the left
    # FER2013's mean eye positions: about 16 pixels apart, 18-19 pixels from the top.
    assert 13 < left_eye[0] - right_eye[0] < 20
    assert 15 < right_eye[1] < 22
    crop = align_face(cv2.cvtColor(image, cv2.COLOR_BGR2GRAY), face.landmarks)
    assert crop.shape == (CROP_SIZE, CROP_SIZE) and crop.dtype == np.uint8


def test_the_crop_of_a_face_at_the_frame_edge_repeats_the_border():
    landmarks = np.zeros((478, 2), np.float32)
    landmarks[:, 0] = np.linspace(-40, 60, 478)  # a face half out of the frame
    landmarks[:, 1] = np.linspace(10, 90, 478)
    landmarks[list(RIGHT_EYE_CORNERS)] = [[-20, 40], [0, 40]]
    landmarks[list(LEFT_EYE_CORNERS)] = [[40, 40], [20, 40]]
    crop = align_face(np.full((100, 100), 200, np.uint8), landmarks)
    assert crop.shape == (CROP_SIZE, CROP_SIZE) and np.all(crop == 200)
