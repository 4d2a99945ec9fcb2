"""The whole pipeline on real photos and videos: landmarks, face choice, crop, CNN, fusion."""

import itertools
import math

import numpy as np
import pytest

from animo_desktop.emotions import ALL_EMOTIONS, Emotion
from animo_desktop.vision.analyzer import NO_FACE_PROBABILITIES, EmotionAnalyzer
from animo_desktop.vision.landmarks import Box, FaceLandmarker
from animo_desktop.vision.opencv import cv2
from animo_desktop.vision.sources import open_source, read_image

from .conftest import (
    FACE_THEN_NO_FACE_VIDEO,
    GRAYSCALE_PHOTO,
    HAPPY_PHOTO,
    NO_FACE_THEN_FACE_VIDEO,
    NO_FACE_VIDEO,
    SEVERAL_FACES_PHOTO,
    SURPRISE_PHOTO,
    THUMBNAIL_PHOTO,
    analyze_video,
)


@pytest.mark.parametrize(("photo", "emotion"), [(HAPPY_PHOTO, Emotion.JOY),
                                                (SURPRISE_PHOTO, Emotion.SURPRISE)])
def test_posed_photos_read_as_their_emotion(image_analyzer, photo, emotion):
    analysis = image_analyzer.analyze(read_image(photo))
    assert analysis.face_present and analysis.faces_seen == 1
    assert analysis.emotion is emotion
    assert set(analysis.probabilities) == set(ALL_EMOTIONS)
    assert math.isclose(sum(analysis.probabilities.values()), 1.0, abs_tol=1e-5)


@pytest.mark.parametrize("photo", [GRAYSCALE_PHOTO, THUMBNAIL_PHOTO])
def test_grayscale_photos_and_thumbnails_have_a_face(image_analyzer, photo):
    assert image_analyzer.analyze(read_image(photo)).face_present


def test_rgb_and_bgr_frames_give_the_same_reading(image_analyzer):
    bgr = read_image(HAPPY_PHOTO)
    from_bgr = image_analyzer.analyze(bgr)
    from_rgb = image_analyzer.analyze(np.ascontiguousarray(bgr[:, :, ::-1]),
                                      channel_order="rgb")
    assert from_rgb.emotion is from_bgr.emotion
    assert from_rgb.box == from_bgr.box


def test_a_face_then_no_face_video_goes_from_face_to_no_face():
    present = [analysis.face_present for analysis in analyze_video(FACE_THEN_NO_FACE_VIDEO)]
    assert present[0] and not present[-1]
    first_lost = present.index(False)
    assert not any(present[first_lost + 5:])  # gone for good, not a flicker


def test_a_no_face_then_face_video_goes_from_no_face_to_face():
    present = [analysis.face_present for analysis in analyze_video(NO_FACE_THEN_FACE_VIDEO)]
    present = present[:-1]  # the file's very last frame is black
    assert not present[0] and present[-1]
    first_found = present.index(True)
    assert all(present[first_found + 5:])


def test_a_no_face_video_stays_neutral():
    analyses = analyze_video(NO_FACE_VIDEO)
    assert len(analyses) > 90  # the container says 98 frames; OpenCV decodes 95
    for analysis in analyses:
        assert not analysis.face_present and analysis.faces_seen == 0
        assert analysis.emotion is Emotion.NEUTRAL
        assert analysis.probabilities == NO_FACE_PROBABILITIES
        assert analysis.box is None and analysis.landmarks is None


def test_the_several_faces_photo_follows_one_face_the_largest(image_analyzer):
    image = read_image(SEVERAL_FACES_PHOTO)
    with FaceLandmarker("image") as landmarker:
        faces = landmarker.detect(cv2.cvtColor(image, cv2.COLOR_BGR2RGB))
    assert len(faces) >= 2
    largest = max(faces, key=lambda face: face.box.area).box
    analysis = image_analyzer.analyze(image)
    assert analysis.faces_seen == len(faces) and analysis.box.iou(largest) > 0.9
    # As a stream (at 640 x 427): the same face, frame after frame.
    with open_source(SEVERAL_FACES_PHOTO, realtime=False) as source, \
            EmotionAnalyzer("video") as analyzer:
        boxes = [analyzer.analyze(frame.image, frame.timestamp_ms).box
                 for frame in itertools.islice(source, 8)]
    scale = 640 / image.shape[1]
    largest_in_stream = Box(largest.left * scale, largest.top * scale,
                            largest.right * scale, largest.bottom * scale)
    assert all(box.iou(largest_in_stream) > 0.8 for box in boxes)


def test_per_stage_timings_are_reported(image_analyzer):
    analysis = image_analyzer.analyze(read_image(HAPPY_PHOTO))
    assert set(analysis.timings_ms) == {"landmarks", "crop", "classifier", "rafdb", "fusion",
                                        "total"}
    assert analysis.timings_ms["total"] >= analysis.timings_ms["classifier"] > 0
