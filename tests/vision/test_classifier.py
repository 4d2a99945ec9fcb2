"""The emotion CNN through onnxruntime, and the choice of execution provider."""

import numpy as np
import onnxruntime
import pytest

from animo_desktop.emotions import ALL_EMOTIONS
from animo_desktop.vision.classifier import CPU_PROVIDER, CUDA_PROVIDER, EmotionClassifier


@pytest.fixture(scope="module")
def classifier():
    return EmotionClassifier()


def test_probabilities_for_each_crop_in_emotion_order(classifier):
    crops = np.random.default_rng(0).integers(0, 256, (3, 48, 48), dtype=np.uint8)
    probabilities = classifier.predict(crops)
    assert probabilities.shape == (3, len(ALL_EMOTIONS))
    assert np.allclose(probabilities.sum(axis=1), 1.0, atol=1e-5)
    assert classifier.input_size == 48


def test_the_model_is_indifferent_to_brightness_and_contrast(classifier):
    crop = np.random.default_rng(1).integers(40, 180, (1, 48, 48)).astype(np.float32)
    brighter = np.clip(crop * 1.3 + 20, 0, 255)
    assert np.allclose(classifier.predict(crop), classifier.predict(brighter), atol=0.02)


def test_the_provider_actually_used_is_reported_quietly(capfd):
    classifier = EmotionClassifier()
    captured = capfd.readouterr()
    assert classifier.provider in (CUDA_PROVIDER, CPU_PROVIDER)
    assert "CUDAExecutionProvider" not in captured.err  # onnxruntime's fallback noise
    offered = CUDA_PROVIDER in onnxruntime.get_available_providers()
    if offered and classifier.provider == CPU_PROVIDER:  # onnxruntime-gpu without CUDA
        assert "CUDA" in classifier.fallback_reason
    else:
        assert classifier.fallback_reason is None
    assert classifier.device == ("CUDA" if classifier.provider == CUDA_PROVIDER else "CPU")


def test_the_cpu_can_be_asked_for():
    classifier = EmotionClassifier(use_gpu=False)
    assert classifier.provider == CPU_PROVIDER and classifier.fallback_reason is None
