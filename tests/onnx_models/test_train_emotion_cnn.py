"""onnx_models/train_emotion_cnn.py: the CNN's export and its way back from the ONNX graph,
from which finetune_emotion_cnn.py goes on training the shipped model."""

import numpy as np
import onnxruntime
import torch

from animo_desktop.emotions import ALL_EMOTIONS, Emotion
from animo_desktop.vision.classifier import DEFAULT_MODEL_PATH, EmotionClassifier
from tests.onnx_models.conftest import load_script

train_emotion_cnn = load_script("train_emotion_cnn")
merge_emotion_cnns = load_script("merge_emotion_cnns")
LABELS = [Emotion.ANGER, Emotion.DISGUST, Emotion.FEAR, Emotion.JOY, Emotion.NEUTRAL,
          Emotion.SADNESS, Emotion.SURPRISE]  # the order of the CNN's outputs


def trained_cnn(seed):
    """A small CNN whose batch normalisations hold statistics of their own, as after
    training (a fresh one's are the identity, which would hide a wrong folding)."""
    torch.manual_seed(seed)
    cnn = train_emotion_cnn.EmotionCNN(4, len(LABELS))
    cnn.train()
    with torch.no_grad():
        for _ in range(3):
            cnn(torch.rand(16, 1, 48, 48) * 255)
    return cnn.eval()


def run(path, pixels):
    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return session.run(None, {"pixels": pixels})[0]


def test_members_come_back_from_the_merged_graph_computing_what_it_computes(tmp_path):
    paths = []
    for seed in (1, 2):
        path = tmp_path / f"member{seed}.onnx"
        train_emotion_cnn.export(trained_cnn(seed), LABELS, path)
        paths.append(path)
    merged = tmp_path / "merged.onnx"
    merged.write_bytes(merge_emotion_cnns.merge(paths).SerializeToString())
    pixels = np.random.default_rng(0).uniform(0, 255, (5, 1, 48, 48)).astype(np.float32)

    members = train_emotion_cnn.members_from_onnx(merged, width=4)

    assert len(members) == 2
    with torch.no_grad():
        each = [torch.softmax(member.eval()(torch.from_numpy(pixels)), 1).numpy()
                for member in members]
    for path, probabilities in zip(paths, each):
        np.testing.assert_allclose(probabilities, run(path, pixels), atol=1e-5)
    np.testing.assert_allclose((each[0] + each[1]) / 2, run(merged, pixels), atol=1e-5)


def test_the_shipped_model_comes_back_as_its_members():
    crops = np.random.default_rng(1).integers(0, 256, (6, 48, 48)).astype(np.uint8)
    expected = EmotionClassifier(DEFAULT_MODEL_PATH, use_gpu=False).predict(crops)
    members = train_emotion_cnn.members_from_onnx(DEFAULT_MODEL_PATH)
    pixels = torch.from_numpy(crops).float()[:, None]
    with torch.no_grad():
        mean = sum(torch.softmax(member.eval()(pixels), 1) for member in members) / len(members)
    columns = [LABELS.index(emotion) for emotion in ALL_EMOTIONS]
    np.testing.assert_allclose(mean.numpy()[:, columns], expected, atol=1e-5)
