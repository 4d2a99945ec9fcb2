"""The fallback face detector (YuNet) and the still pipeline's use of it."""

import numpy as np
import pytest

from animo_desktop.vision.face_detector import FaceDetector
from animo_desktop.vision.landmarks import FaceLandmarker
from animo_desktop.vision.opencv import cv2
from animo_desktop.vision.sources import read_image

from .conftest import SEVERAL_FACES_PHOTO, SINGLE_FACE_PHOTO, WEB_FACES

# A small colour movie still in which the Face Landmarker finds no face, even bordered
# and enlarged as the still pipeline does; a person sees it at once.
MISSED_BY_THE_LANDMARKER = WEB_FACES / "Jayamadhuri_118.jpg"


def rgb(path):
    return cv2.cvtColor(read_image(path), cv2.COLOR_BGR2RGB)


@pytest.fixture(scope="module")
def detector():
    return FaceDetector()


def test_it_finds_a_face_with_five_points_inside_its_box(detector):
    faces = detector.detect(rgb(SINGLE_FACE_PHOTO))
    assert len(faces) == 1
    face = faces[0]
    assert face.landmarks is None and face.blendshapes is None
    assert face.points.shape == (5, 2)
    box = face.box
    assert ((face.points[:, 0] > box.left) & (face.points[:, 0] < box.right)).all()
    assert ((face.points[:, 1] > box.top) & (face.points[:, 1] < box.bottom)).all()
    right_eye, left_eye, nose, right_mouth, left_mouth = face.points
    assert right_eye[0] < left_eye[0] and right_mouth[0] < left_mouth[0]  # image left first
    assert max(right_eye[1], left_eye[1]) < nose[1] < min(right_mouth[1], left_mouth[1])


def test_its_points_agree_with_the_landmarkers(detector):
    image = rgb(SINGLE_FACE_PHOTO)
    with FaceLandmarker("image") as landmarker:
        mesh = landmarker.detect(image)[0]
    found = detector.detect(image)[0]
    eye_distance = np.linalg.norm(mesh.points[0] - mesh.points[1])
    assert np.abs(found.points - mesh.points).max() < 0.25 * eye_distance


def test_it_finds_every_face_of_a_group_photo_and_nothing_in_a_blank(detector):
    assert len(detector.detect(rgb(SEVERAL_FACES_PHOTO))) >= 4
    assert detector.detect(np.full((240, 320, 3), 128, np.uint8)) == []


def test_it_finds_the_face_the_landmarker_misses(detector):
    image = rgb(MISSED_BY_THE_LANDMARKER)
    with FaceLandmarker("image") as landmarker:
        from animo_desktop.vision.analyzer import _detect_in_still
        assert _detect_in_still(landmarker, image) == []
    assert len(detector.detect(image)) == 1


def test_the_still_pipeline_falls_back_to_it(image_analyzer):
    analysis = image_analyzer.analyze(read_image(MISSED_BY_THE_LANDMARKER))
    assert analysis.face_present and analysis.found_by == "detector"
    assert analysis.blendshapes is None and analysis.landmarks is None
    assert analysis.rafdb is not None
    assert abs(sum(analysis.probabilities.values()) - 1) < 1e-5


def test_classify_reports_the_face_it_found_by_the_fallback(capsys):
    import json

    from animo_desktop.cli import main

    assert main(["classify", str(MISSED_BY_THE_LANDMARKER)]) == 0
    assert json.loads(capsys.readouterr().out)["face"] is True


def test_in_a_stream_the_fallback_looks_now_and_then_for_a_face_the_landmarker_lost(
        monkeypatch):
    from animo_desktop.vision.analyzer import FALLBACK_EVERY, EmotionAnalyzer

    frame = read_image(SINGLE_FACE_PHOTO)
    with EmotionAnalyzer("video") as analyzer:
        monkeypatch.setattr(analyzer._landmarker, "detect", lambda image, timestamp: [])
        found = [analyzer.analyze(frame, 100 * i).found_by for i in range(3 * FALLBACK_EVERY)]
    assert found.count("detector") == 3
    assert found.count(None) == 3 * FALLBACK_EVERY - 3  # the landmarker's own cost only


def test_a_face_whose_points_fall_together_counts_as_no_face(monkeypatch):
    from animo_desktop.vision.analyzer import EmotionAnalyzer
    from animo_desktop.vision.landmarks import Box, DetectedFace

    point = DetectedFace(None, None, Box(10, 10, 11, 11), np.full((5, 2), 10, np.float32))
    with EmotionAnalyzer("image") as analyzer:
        monkeypatch.setattr("animo_desktop.vision.analyzer._detect_in_still",
                            lambda landmarker, image: [point])
        analysis = analyzer.analyze(read_image(SINGLE_FACE_PHOTO))
    assert not analysis.face_present and analysis.emotion.value == "neutral"
