"""onnx_models/merge_emotion_cnns.py, which builds the shipped emotion model."""

import numpy as np
import onnxruntime
import pytest
from onnx import TensorProto, helper, numpy_helper

from animo_desktop.vision.classifier import DEFAULT_MODEL_PATH, EmotionClassifier
from tests.onnx_models.conftest import load_script

merge_emotion_cnns = load_script("merge_emotion_cnns")

LABELS = "anger,disgust,fear,joy,neutral,sadness,surprise"


def member(tmp_path, name, seed, labels=LABELS):
    """A stand-in CNN with the real interface: pixels (N, 1, 48, 48) -> softmax (N, 7)."""
    weights = np.random.default_rng(seed).normal(0, 0.01, (48 * 48, 7)).astype(np.float32)
    graph = helper.make_graph(
        [helper.make_node("Flatten", ["pixels"], ["flat"]),
         helper.make_node("MatMul", ["flat", "weights"], ["logits"]),
         helper.make_node("Softmax", ["logits"], ["probabilities"], axis=1)],
        name, [helper.make_tensor_value_info("pixels", TensorProto.FLOAT, ["faces", 1, 48, 48])],
        [helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, ["faces", 7])],
        initializer=[numpy_helper.from_array(weights, "weights")])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    model.metadata_props.add(key="labels", value=labels)
    path = tmp_path / f"{name}.onnx"
    path.write_bytes(model.SerializeToString())
    return path


def run(path, pixels):
    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return session.run(None, {"pixels": pixels})[0]


def test_the_merged_model_gives_the_mean_of_its_members(tmp_path):
    members = [member(tmp_path, "a", 1), member(tmp_path, "b", 2)]
    merged = tmp_path / "merged.onnx"
    merged.write_bytes(merge_emotion_cnns.merge(members).SerializeToString())
    pixels = np.random.default_rng(0).uniform(0, 255, (3, 1, 48, 48)).astype(np.float32)
    expected = (run(members[0], pixels) + run(members[1], pixels)) / 2
    assert not np.allclose(run(members[0], pixels), run(members[1], pixels), atol=1e-3)
    np.testing.assert_allclose(run(merged, pixels), expected, rtol=1e-6, atol=1e-7)
    classifier = EmotionClassifier(merged, use_gpu=False)  # loads as the app loads it
    assert classifier.predict(np.zeros((1, 48, 48), np.uint8)).shape == (1, 7)


def test_members_with_other_labels_are_refused(tmp_path):
    odd = member(tmp_path, "odd", 3, labels=LABELS.replace("anger,disgust", "disgust,anger"))
    with pytest.raises(SystemExit, match="other labels"):
        merge_emotion_cnns.merge([member(tmp_path, "a", 1), odd])


def test_the_shipped_model_is_a_merged_ensemble():
    session = onnxruntime.InferenceSession(str(DEFAULT_MODEL_PATH),
                                           providers=["CPUExecutionProvider"])
    metadata = session.get_modelmeta().custom_metadata_map
    assert metadata["labels"] == LABELS and metadata["ensemble"].startswith("mean of 2")
