"""Per-person neutral calibration."""

import itertools

import numpy as np
import pytest

from animo_desktop.emotions import ALL_EMOTIONS
from animo_desktop.vision.calibration import (
    MIN_CALIBRATION_FRAMES,
    CalibrationError,
    NeutralCalibration,
)
from animo_desktop.vision.sources import open_source

from .conftest import NO_FACE_VIDEO, SINGLE_FACE_VIDEO


def centred(vector):
    return vector - vector.mean()


def test_the_offset_maps_the_mean_resting_face_onto_the_reference():
    rng = np.random.default_rng(0)
    resting = [rng.normal(size=len(ALL_EMOTIONS)) for _ in range(MIN_CALIBRATION_FRAMES)]
    reference = rng.normal(size=len(ALL_EMOTIONS))
    calibration = NeutralCalibration.from_resting_face(resting, reference)
    mean_after = np.mean([calibration.apply(logits) for logits in resting], axis=0)
    assert np.allclose(centred(mean_after), centred(reference))
    assert calibration.frames == MIN_CALIBRATION_FRAMES


def test_too_few_faces_is_an_error_that_says_what_to_do():
    with pytest.raises(CalibrationError, match="look at the camera"):
        NeutralCalibration.from_resting_face([np.zeros(7)] * 3, np.zeros(7))


def frames_of(path, count):
    with open_source(path, realtime=False, loop=False) as source:
        return [frame.image for frame in itertools.islice(source, count)]


def test_after_calibration_the_clients_resting_face_reads_like_an_average_neutral_face(
        image_analyzer):
    frames = frames_of(SINGLE_FACE_VIDEO, MIN_CALIBRATION_FRAMES)
    image_analyzer.start_calibration()
    assert image_analyzer.is_calibrating
    for frame in frames:
        image_analyzer.analyze(frame)
    try:
        calibration = image_analyzer.finish_calibration()
        assert not image_analyzer.is_calibrating
        assert calibration.frames == MIN_CALIBRATION_FRAMES
        # Stills are analysed independently: the same frames give the same logits again.
        log_probabilities = [np.log([analysis.probabilities[emotion] for emotion in ALL_EMOTIONS])
                             for analysis in map(image_analyzer.analyze, frames)]
    finally:
        image_analyzer.calibration = None
    assert np.allclose(centred(np.mean(log_probabilities, axis=0)),
                       centred(image_analyzer.fusion.neutral_reference), atol=1e-3)


def test_a_failed_calibration_keeps_the_previous_one(image_analyzer):
    previous = NeutralCalibration(np.zeros(len(ALL_EMOTIONS)), MIN_CALIBRATION_FRAMES)
    image_analyzer.calibration = previous
    image_analyzer.start_calibration()
    for frame in frames_of(NO_FACE_VIDEO, MIN_CALIBRATION_FRAMES):
        image_analyzer.analyze(frame)
    try:
        with pytest.raises(CalibrationError):
            image_analyzer.finish_calibration()
        assert image_analyzer.calibration is previous and not image_analyzer.is_calibrating
    finally:
        image_analyzer.calibration = None
