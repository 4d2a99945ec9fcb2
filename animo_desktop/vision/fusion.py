"""Fusion of the CNN's reading with what the face's blendshapes say.

Two experts vote, each with seven log-probabilities:
- the CNN (onnx_models/emotion_cnn.onnx) reads the pixels of the aligned face;
- the blendshape expert, a logistic regression over 25 facial-action features (MediaPipe
  blendshapes, left and right averaged: smile, brow lowerer, inner brow raiser, jaw open,
  nose wrinkler, lip press, ...), reads the geometry of the expression, which the CNN
  sees poorly in small or blurred faces.
The fused logits are `cnn_weight * log p_cnn + blendshape_weight * log p_blendshapes +
bias`: a weighted product of experts with one bias per emotion, three numbers to learn on
top of the experts, so it cannot memorise a small tuning set. Every number lives in
onnx_models/emotion_fusion.json (fitted by onnx_models/fit_fusion.py on FER2013 faces the
CNN never trained on).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from animo_desktop.emotions import ALL_EMOTIONS
from animo_desktop.vision.classifier import MODELS_DIR
from animo_desktop.vision.landmarks import BLENDSHAPE_NAMES

DEFAULT_FUSION_PATH = MODELS_DIR / "emotion_fusion.json"

# The expression-related blendshapes. Left and right are averaged: an emotion shows on
# both sides, and a turned head shows one side better than the other. Gaze, lateral jaw
# and mouth shifts and the "_neutral" output say nothing about the emotion and are left out.
EXPRESSION_FEATURES: tuple[str, ...] = (
    "browDown", "browInnerUp", "browOuterUp", "cheekPuff", "cheekSquint", "eyeBlink",
    "eyeSquint", "eyeWide", "jawForward", "jawOpen", "mouthClose", "mouthDimple",
    "mouthFrown", "mouthFunnel", "mouthLowerDown", "mouthPress", "mouthPucker",
    "mouthRollLower", "mouthRollUpper", "mouthShrugLower", "mouthShrugUpper", "mouthSmile",
    "mouthStretch", "mouthUpperUp", "noseSneer",
)


def _feature_columns(feature: str) -> list[int]:
    sided = [f"{feature}Left", f"{feature}Right"]
    names = sided if sided[0] in BLENDSHAPE_NAMES else [feature]
    return [BLENDSHAPE_NAMES.index(name) for name in names]


_COLUMNS = [_feature_columns(feature) for feature in EXPRESSION_FEATURES]
_AVERAGING = np.zeros((len(BLENDSHAPE_NAMES), len(EXPRESSION_FEATURES)), dtype=np.float32)
for _feature_index, _columns in enumerate(_COLUMNS):
    _AVERAGING[_columns, _feature_index] = 1.0 / len(_columns)


def expression_features(blendshapes: np.ndarray) -> np.ndarray:
    """(..., 52) blendshape scores -> (..., 25) features. The square root spreads the
    scores, which crowd near 0 for all but the strongest movements."""
    return np.sqrt(np.clip(blendshapes @ _AVERAGING, 0.0, 1.0))


def log_softmax(logits: np.ndarray) -> np.ndarray:
    shifted = logits - logits.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def softmax(logits: np.ndarray) -> np.ndarray:
    return np.exp(log_softmax(logits))


@dataclass(frozen=True, eq=False)
class EmotionFusion:
    """The fitted numbers; arrays are in ALL_EMOTIONS order (rows) and
    EXPRESSION_FEATURES order (columns)."""

    feature_mean: np.ndarray  # (25,) standardisation of the features
    feature_scale: np.ndarray  # (25,)
    blendshape_weights: np.ndarray  # (7, 25)
    blendshape_bias: np.ndarray  # (7,)
    cnn_weight: float
    blendshape_weight: float
    bias: np.ndarray  # (7,)
    neutral_reference: np.ndarray  # (7,) mean fused logits of neutral faces: calibration target

    def blendshape_log_probabilities(self, blendshapes: np.ndarray) -> np.ndarray:
        features = (expression_features(blendshapes) - self.feature_mean) / self.feature_scale
        return log_softmax(features @ self.blendshape_weights.T + self.blendshape_bias)

    def logits(self, cnn_probabilities: np.ndarray, blendshapes: np.ndarray) -> np.ndarray:
        """Fused logits (softmax them for probabilities) from the CNN's probabilities and
        the 52 blendshape scores; works on one face or a batch."""
        cnn = np.log(np.clip(cnn_probabilities, 1e-6, 1.0))
        return (self.cnn_weight * cnn
                + self.blendshape_weight * self.blendshape_log_probabilities(blendshapes)
                + self.bias)

    @classmethod
    def load(cls, path: Path = DEFAULT_FUSION_PATH) -> "EmotionFusion":
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        if tuple(data["features"]) != EXPRESSION_FEATURES:
            raise ValueError(f"{path} was fitted on other features than this ANIMO uses")
        return cls(
            feature_mean=np.array(data["feature_mean"], dtype=np.float32),
            feature_scale=np.array(data["feature_scale"], dtype=np.float32),
            blendshape_weights=np.array(_by_emotion(data["blendshape_weights"]),
                                        dtype=np.float32),
            blendshape_bias=np.array(_by_emotion(data["blendshape_bias"]), dtype=np.float32),
            cnn_weight=float(data["cnn_weight"]),
            blendshape_weight=float(data["blendshape_weight"]),
            bias=np.array(_by_emotion(data["bias"]), dtype=np.float32),
            neutral_reference=np.array(_by_emotion(data["neutral_reference"]),
                                       dtype=np.float32),
        )

    def to_json(self, provenance: dict[str, Any]) -> str:
        """The JSON `load` reads, with rows keyed by emotion so a person can read it."""
        def keyed(rows: np.ndarray) -> dict[str, Any]:
            return {emotion.value: np.round(row, 4).tolist()
                    for emotion, row in zip(ALL_EMOTIONS, rows)}
        return json.dumps({
            "provenance": provenance,
            "features": list(EXPRESSION_FEATURES),
            "feature_mean": np.round(self.feature_mean, 4).tolist(),
            "feature_scale": np.round(self.feature_scale, 4).tolist(),
            "blendshape_weights": keyed(self.blendshape_weights),
            "blendshape_bias": keyed(self.blendshape_bias),
            "cnn_weight": round(self.cnn_weight, 4),
            "blendshape_weight": round(self.blendshape_weight, 4),
            "bias": keyed(self.bias),
            "neutral_reference": keyed(self.neutral_reference),
        }, indent=1) + "\n"


def _by_emotion(rows: dict[str, Any]) -> list[Any]:
    return [rows[emotion.value] for emotion in ALL_EMOTIONS]
