"""Fusion of the CNN's reading with what the face's blendshapes say.

Two experts vote, each with seven log-probabilities:
- the CNN (onnx_models/emotion_cnn.onnx) reads the pixels of the aligned face;
- the blendshape expert reads the geometry of the expression from MediaPipe's
  blendshapes, which are close to the action units (AUs) of the Facial Action Coding
  System. It follows the EMFACS prototypes (Ekman and Friesen): each emotion is scored
  only by the few movements that make it up (FACS_PROTOTYPES), each with a weight that
  may not be negative. So a movement can only add evidence for the emotions it belongs
  to (a smile says joy, never "not surprise"), and the expert cannot pick up the quirks
  of the faces it was fitted on, which a free regression over every blendshape did: it
  transferred poorly from FER2013's blurred 48 x 48 faces to real photos.
  Scores are measured from the resting face: each feature is the square root of the
  blendshape score (left and right averaged), minus its mean on neutral faces, divided
  by its spread.
The fused logits are `cnn_weight * log p_cnn + blendshape_weight * log p_blendshapes +
bias`: a weighted product of experts with one bias per emotion. Every number lives in
onnx_models/emotion_fusion.json, fitted by onnx_models/fit_fusion.py on FER2013 faces
(the expert on the training faces, the fusion on test faces the CNN never trained on);
the real dev photos are only measured.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from animo_desktop.emotions import ALL_EMOTIONS, Emotion
from animo_desktop.vision.classifier import MODELS_DIR
from animo_desktop.vision.landmarks import BLENDSHAPE_NAMES

DEFAULT_FUSION_PATH = MODELS_DIR / "emotion_fusion.json"

# The EMFACS prototype of each emotion as MediaPipe blendshapes (AU numbers in comments).
# MediaPipe's cheekSquint (AU6, in joy) and noseSneer (AU9, in disgust) stay below 0.001
# on every face measured (FER2013 and the dev photos), so they cannot take part.
FACS_PROTOTYPES: dict[Emotion, tuple[str, ...]] = {
    Emotion.JOY: ("mouthSmile",),  # 12 lip corner puller
    Emotion.SADNESS: ("browInnerUp", "browDown", "mouthFrown",  # 1, 4, 15 lip corner
                      "mouthShrugLower"),                        # depressor, 17 chin raiser
    Emotion.FEAR: ("browInnerUp", "browOuterUp", "browDown", "eyeWide",  # 1, 2, 4, 5
                   "eyeSquint", "mouthStretch", "jawOpen"),  # 7 lid tightener, 20, 26
    Emotion.ANGER: ("browDown", "eyeWide", "eyeSquint", "mouthPress",  # 4, 5, 7, 24
                    "mouthUpperUp", "mouthLowerDown"),  # 10, 16: the shouting variant
    Emotion.SURPRISE: ("browInnerUp", "browOuterUp", "eyeWide", "jawOpen"),  # 1, 2, 5, 26
    Emotion.DISGUST: ("mouthUpperUp", "mouthFrown", "mouthLowerDown",  # 10, 15, 16
                      "mouthShrugLower"),                               # 17
    Emotion.NEUTRAL: (),  # no movement: only its bias
}

# The expert's features: every blendshape of some prototype, left and right averaged (an
# emotion shows on both sides, and a turned head shows one side better than the other).
EXPRESSION_FEATURES: tuple[str, ...] = tuple(dict.fromkeys(
    feature for emotion in ALL_EMOTIONS for feature in FACS_PROTOTYPES[emotion]))


def prototype_mask() -> np.ndarray:
    """(7, features) 1 where the feature belongs to the emotion's prototype, else 0."""
    return np.array([[float(feature in FACS_PROTOTYPES[emotion])
                      for feature in EXPRESSION_FEATURES] for emotion in ALL_EMOTIONS],
                    dtype=np.float32)


def _feature_columns(feature: str) -> list[int]:
    sided = [f"{feature}Left", f"{feature}Right"]
    names = sided if sided[0] in BLENDSHAPE_NAMES else [feature]
    return [BLENDSHAPE_NAMES.index(name) for name in names]


_COLUMNS = [_feature_columns(feature) for feature in EXPRESSION_FEATURES]
_AVERAGING = np.zeros((len(BLENDSHAPE_NAMES), len(EXPRESSION_FEATURES)), dtype=np.float32)
for _feature_index, _columns in enumerate(_COLUMNS):
    _AVERAGING[_columns, _feature_index] = 1.0 / len(_columns)


def expression_features(blendshapes: np.ndarray) -> np.ndarray:
    """(..., 52) blendshape scores -> (..., features) features. The square root spreads the
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

    feature_mean: np.ndarray  # (features,) mean on neutral faces: the resting face
    feature_scale: np.ndarray  # (features,) spread on all the training faces
    blendshape_weights: np.ndarray  # (7, features) >= 0, 0 outside the prototypes
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
        def rounded(values: np.ndarray) -> list[Any]:
            # In float64: a rounded float32 prints as 0.08760000020265579.
            return np.round(np.asarray(values, dtype=np.float64), 4).tolist()

        def keyed(rows: np.ndarray) -> dict[str, Any]:
            return {emotion.value: rounded(row) for emotion, row in zip(ALL_EMOTIONS, rows)}
        return json.dumps({
            "provenance": provenance,
            "features": list(EXPRESSION_FEATURES),
            "feature_mean": rounded(self.feature_mean),
            "feature_scale": rounded(self.feature_scale),
            "blendshape_weights": keyed(self.blendshape_weights),
            "blendshape_bias": keyed(self.blendshape_bias),
            "cnn_weight": round(self.cnn_weight, 4),
            "blendshape_weight": round(self.blendshape_weight, 4),
            "bias": keyed(self.bias),
            "neutral_reference": keyed(self.neutral_reference),
        }, indent=1) + "\n"


def _by_emotion(rows: dict[str, Any]) -> list[Any]:
    return [rows[emotion.value] for emotion in ALL_EMOTIONS]
