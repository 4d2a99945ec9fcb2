"""The shipped fusion: a FACS-prototype blendshape expert voting with the CNN."""

import numpy as np
import pytest

from animo_desktop.emotions import ALL_EMOTIONS, Emotion
from animo_desktop.vision.fusion import (
    EXPRESSION_FEATURES,
    FACS_PROTOTYPES,
    EmotionFusion,
    prototype_mask,
    softmax,
)
from animo_desktop.vision.landmarks import BLENDSHAPE_NAMES


@pytest.fixture(scope="module")
def fusion() -> EmotionFusion:
    return EmotionFusion.load()


def blendshapes(**scores: float) -> np.ndarray:
    """52 scores, all 0 but the named movements (both sides for a sided movement)."""
    row = np.zeros(len(BLENDSHAPE_NAMES), dtype=np.float32)
    for name, score in scores.items():
        for sided in (name, f"{name}Left", f"{name}Right"):
            if sided in BLENDSHAPE_NAMES:
                row[BLENDSHAPE_NAMES.index(sided)] = score
    return row


def expert_reading(fusion: EmotionFusion, **scores: float) -> Emotion:
    return ALL_EMOTIONS[int(np.argmax(fusion.blendshape_log_probabilities(
        blendshapes(**scores))))]


def test_the_expert_weighs_only_the_movements_of_each_prototype(fusion):
    weights = fusion.blendshape_weights
    assert weights.shape == (len(ALL_EMOTIONS), len(EXPRESSION_FEATURES))
    assert (weights >= 0).all()
    assert (weights[prototype_mask() == 0] == 0).all()
    assert not FACS_PROTOTYPES[Emotion.NEUTRAL]
    for row, emotion in enumerate(ALL_EMOTIONS):
        if FACS_PROTOTYPES[emotion]:
            assert weights[row].max() > 0.05, f"no movement of {emotion.value} counts"


def test_the_expert_reads_a_smile_as_joy_and_raised_brows_with_an_open_jaw_as_surprise(
        fusion):
    assert expert_reading(fusion, mouthSmile=0.9, eyeSquint=0.5) is Emotion.JOY
    assert expert_reading(fusion, browInnerUp=0.8, browOuterUp=0.8, eyeWide=0.5,
                          jawOpen=0.7, eyeSquint=0.2) is Emotion.SURPRISE


def test_the_blendshapes_decide_where_the_cnn_hesitates(fusion):
    hesitant = np.full(len(ALL_EMOTIONS), 0.05, dtype=np.float32)
    hesitant[[ALL_EMOTIONS.index(Emotion.JOY), ALL_EMOTIONS.index(Emotion.SURPRISE)]] = 0.375
    smile = blendshapes(mouthSmile=0.9, eyeSquint=0.5)
    astonished = blendshapes(browInnerUp=0.8, browOuterUp=0.8, eyeWide=0.5, jawOpen=0.7)
    for face, expected in ((smile, Emotion.JOY), (astonished, Emotion.SURPRISE)):
        fused = softmax(fusion.logits(hesitant, face))
        assert ALL_EMOTIONS[int(np.argmax(fused))] is expected


def test_a_confident_cnn_outweighs_a_resting_face(fusion):
    resting = blendshapes(eyeSquint=0.25, browOuterUp=0.15, browInnerUp=0.1)
    for emotion in ALL_EMOTIONS:
        confident = np.full(len(ALL_EMOTIONS), 0.02, dtype=np.float32)
        confident[ALL_EMOTIONS.index(emotion)] = 0.88
        fused = fusion.logits(confident, resting)
        assert ALL_EMOTIONS[int(np.argmax(fused))] is emotion


def test_the_numbers_survive_a_round_trip_through_json(fusion, tmp_path):
    path = tmp_path / "fusion.json"
    path.write_text(fusion.to_json({"fitted_by": "test"}), encoding="utf-8")
    again = EmotionFusion.load(path)
    face = blendshapes(mouthSmile=0.4, jawOpen=0.3, browDown=0.2)
    cnn = np.array([0.3, 0.1, 0.1, 0.2, 0.1, 0.1, 0.1], dtype=np.float32)
    np.testing.assert_allclose(again.logits(cnn, face), fusion.logits(cnn, face), atol=1e-3)
