"""onnx_models/finetune_emotion_cnn.py: the FER2013 faces' targets, half their own label and
half their FER+ votes, in the CNN's output order."""

import numpy as np

from animo_desktop.emotions import ALL_EMOTIONS, Emotion
from tests.onnx_models.conftest import load_script

# The scripts it imports by name, first (each registers itself for the next).
for script in ("train_emotion_cnn", "fer2013_landmarks", "fit_fusion", "merge_emotion_cnns"):
    load_script(script)
finetune_emotion_cnn = load_script("finetune_emotion_cnn")
MODEL_LABELS = [Emotion.ANGER, Emotion.DISGUST, Emotion.FEAR, Emotion.JOY, Emotion.NEUTRAL,
                Emotion.SADNESS, Emotion.SURPRISE]  # the order of the CNN's outputs


def votes(**shares):
    row = np.zeros(len(ALL_EMOTIONS))
    for name, share in shares.items():
        row[ALL_EMOTIONS.index(Emotion(name))] = share
    return row


def test_a_fearful_face_whose_votes_spread_keeps_fear_on_top():
    # FER2013 says fear; FER+'s annotators split between surprise, fear and sadness.
    targets = finetune_emotion_cnn.fer2013_targets(
        np.stack([votes(surprise=0.4, fear=0.3, sadness=0.3), votes(joy=1.0)]),
        [Emotion.FEAR, Emotion.JOY], MODEL_LABELS)
    fear, surprise, joy = (MODEL_LABELS.index(e) for e in (Emotion.FEAR, Emotion.SURPRISE,
                                                          Emotion.JOY))
    share = finetune_emotion_cnn.OWN_LABEL_SHARE
    np.testing.assert_allclose(targets.sum(axis=1), 1.0)
    assert targets[0].argmax() == fear
    np.testing.assert_allclose(targets[0, fear], share + (1 - share) * 0.3)
    np.testing.assert_allclose(targets[0, surprise], (1 - share) * 0.4)
    np.testing.assert_allclose(targets[1, joy], 1.0)
