"""Real labelled web photos of the kind ANIMO is judged on (tests/data/README.md).

Each was read wrongly by the model shipped before 2026-12-01 (the old confusion in its
name) and is read rightly by the fusion of the three experts, also when the fusion was
fitted without that person (grouped cross-validation)."""

import pytest

from animo_desktop.vision.sources import read_image

from .conftest import WEB_FACES

OLD_CONFUSIONS = [
    ("Gregory_Peck_0001.jpg", "joy", "neutral"),
    ("Jessica_Lynch_0002.jpg", "joy", "neutral"),
    ("Magdalena_Maleeva_0001.jpg", "sadness", "disgust"),
    ("Sue_Guevara_0001.jpg", "sadness", "fear"),
    ("Kim_Clijsters_0010.jpg", "anger", "disgust"),
    ("Leonard_Hamilton_0002.jpg", "anger", "fear"),
    ("Mark_Dacey_0001.jpg", "surprise", "fear"),
    ("Rick_Pitino_0002.jpg", "surprise", "fear"),
    ("HrithikRoshan_110.jpg", "disgust", "sadness"),
    ("FaridaJalal_102.jpg", "disgust", "neutral"),
    ("Tommy_Franks_0013.jpg", "neutral", "anger"),
    ("Milt_Heflin_0001.jpg", "neutral", "anger"),
]


@pytest.mark.parametrize("image, emotion, old_reading", OLD_CONFUSIONS,
                         ids=[f"{e}-not-{old}-{name[:12]}" for name, e, old in OLD_CONFUSIONS])
def test_the_photo_reads_as_its_label(image_analyzer, image, emotion, old_reading):
    analysis = image_analyzer.analyze(read_image(WEB_FACES / image))
    assert analysis.face_present
    assert analysis.emotion.value == emotion, dict(analysis.probabilities)
