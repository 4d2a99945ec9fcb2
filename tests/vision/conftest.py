"""Real MediaPipe, the real ONNX model and real media from tests/data (see its README)."""

import itertools
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parent.parent / "data"
HAPPY_PHOTO = DATA / "0-f15-hao-ph.jpg"
SURPRISE_PHOTO = DATA / "0-f1-su-ph.jpg"
SINGLE_FACE_PHOTO = DATA / "single_face.jpg"
SEVERAL_FACES_PHOTO = DATA / "multi_face.jpg"
GRAYSCALE_PHOTO = DATA / "Brooke_Adams_0001.jpg"
THUMBNAIL_PHOTO = DATA / "Avinash_30.jpg"
SINGLE_FACE_VIDEO = DATA / "single_face.mp4"
FACE_THEN_NO_FACE_VIDEO = DATA / "face_noface.mov"
NO_FACE_THEN_FACE_VIDEO = DATA / "noface_face.mov"
NO_FACE_VIDEO = DATA / "no_face.mp4"
# Labelled web photos (tests/data/README.md): each read rightly now, most wrongly before.
WEB_FACES = DATA / "web_faces"
SESSION_VIDEO = DATA / "session_holds.mp4"


def web_faces(emotion=None):
    """(path, emotion name) of the committed web photos, of one emotion or all."""
    import csv

    with (WEB_FACES / "labels.csv").open(newline="", encoding="utf-8") as file:
        rows = list(csv.DictReader(file))
    return [(WEB_FACES / row["image"], row["emotion"]) for row in rows
            if emotion is None or row["emotion"] == emotion]


@pytest.fixture(scope="session")
def image_analyzer():
    from animo_desktop.vision.analyzer import EmotionAnalyzer

    with EmotionAnalyzer("image") as analyzer:
        yield analyzer


def analyze_video(path, frames=None):
    """Every frame of a video file (once through, not looped), as a stream."""
    from animo_desktop.vision.analyzer import EmotionAnalyzer
    from animo_desktop.vision.sources import open_source

    with open_source(path, realtime=False, loop=False) as source, \
            EmotionAnalyzer("video") as analyzer:
        return [analyzer.analyze(frame.image, frame.timestamp_ms)
                for frame in itertools.islice(source, frames)]
