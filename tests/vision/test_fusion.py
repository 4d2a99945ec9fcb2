"""The shipped fusion: the CNN, the RAF-DB model and a FACS-prototype blendshape expert,
read out together."""

import numpy as np
import pytest

from animo_desktop.emotions import ALL_EMOTIONS, Emotion
from animo_desktop.vision.fusion import (
    EXPRESSION_FEATURES,
    FACS_PROTOTYPES,
    EmotionFusion,
    prototype_mask,
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


def confident(emotion: Emotion, share: float = 0.88) -> np.ndarray:
    probabilities = np.full(len(ALL_EMOTIONS), (1 - share) / 6, dtype=np.float32)
    probabilities[ALL_EMOTIONS.index(emotion)] = share
    return probabilities


def logits_for(emotion: Emotion, strength: float = 6.0) -> np.ndarray:
    logits = np.zeros(len(ALL_EMOTIONS), dtype=np.float32)
    logits[ALL_EMOTIONS.index(emotion)] = strength
    return logits


NO_EMBEDDING = np.zeros(512, dtype=np.float32)


def read(fusion, cnn, rafdb, face, embedding=NO_EMBEDDING) -> Emotion:
    return ALL_EMOTIONS[int(np.argmax(fusion.logits(cnn, rafdb, embedding, face)))]


def test_where_both_models_agree_with_confidence_that_emotion_is_read(fusion):
    resting = blendshapes(eyeSquint=0.25, browOuterUp=0.15, browInnerUp=0.1)
    for emotion in ALL_EMOTIONS:
        for face in (resting, None):
            assert read(fusion, confident(emotion), logits_for(emotion), face) is emotion


def test_the_blendshapes_move_a_hesitant_reading_their_way(fusion):
    hesitant = np.full(len(ALL_EMOTIONS), 0.05, dtype=np.float32)
    joy, surprise = ALL_EMOTIONS.index(Emotion.JOY), ALL_EMOTIONS.index(Emotion.SURPRISE)
    hesitant[[joy, surprise]] = 0.375
    undecided = np.zeros(len(ALL_EMOTIONS), dtype=np.float32)
    undecided[[joy, surprise]] = 3.0
    embedding = np.random.default_rng(0).normal(size=512).astype(np.float32)

    def joy_over_surprise(face):
        logits = fusion.logits(hesitant, undecided, embedding, face)
        return logits[joy] - logits[surprise]
    smile = blendshapes(mouthSmile=0.9, eyeSquint=0.5)
    astonished = blendshapes(browInnerUp=0.8, browOuterUp=0.8, eyeWide=0.5, jawOpen=0.7)
    assert joy_over_surprise(smile) > joy_over_surprise(None) > joy_over_surprise(astonished)


def test_a_face_without_blendshapes_leaves_the_expert_out(fusion):
    cnn, rafdb = confident(Emotion.ANGER, 0.5), logits_for(Emotion.ANGER, 2.0)
    _, _, silent = fusion.expert_inputs(cnn, rafdb, None)
    assert not silent.any()
    _, _, smiling = fusion.expert_inputs(cnn, rafdb, blendshapes(mouthSmile=0.9))
    assert smiling.any()


def test_a_batch_reads_as_its_faces_one_by_one(fusion):
    rng = np.random.default_rng(0)
    cnn = rng.dirichlet(np.ones(7), 5).astype(np.float32)
    rafdb = rng.normal(size=(5, 7)).astype(np.float32)
    embedding = rng.normal(size=(5, 512)).astype(np.float32)
    faces = rng.uniform(0, 0.6, (5, 52)).astype(np.float32)
    batch = fusion.logits(cnn, rafdb, embedding, faces)
    for i in range(5):
        np.testing.assert_allclose(batch[i], fusion.logits(cnn[i], rafdb[i], embedding[i],
                                                           faces[i]), rtol=1e-6)


def test_the_numbers_survive_a_round_trip_through_json(fusion, tmp_path):
    path = tmp_path / "fusion.json"
    path.write_text(fusion.to_json({"fitted_by": "test"}), encoding="utf-8")
    again = EmotionFusion.load(path)
    face = blendshapes(mouthSmile=0.4, jawOpen=0.3, browDown=0.2)
    cnn = np.array([0.3, 0.1, 0.1, 0.2, 0.1, 0.1, 0.1], dtype=np.float32)
    rafdb = np.array([1.0, -0.5, 0.2, 0.3, -1.0, 0.0, 0.4], dtype=np.float32)
    embedding = np.random.default_rng(1).normal(size=512).astype(np.float32)
    np.testing.assert_allclose(again.logits(cnn, rafdb, embedding, face),
                               fusion.logits(cnn, rafdb, embedding, face), atol=1e-3)
