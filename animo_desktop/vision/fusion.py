"""Fusion of the three experts that read a face into one emotion.

- The CNN (onnx_models/emotion_cnn.onnx) reads the pixels of the aligned 48 x 48 face.
- The RAF-DB model (rafdb_classifier.py) reads a 112 x 112 colour face; besides its
  seven logits it gives a 512-number embedding of the face.
- The blendshape expert reads the geometry of the expression from MediaPipe's
  blendshapes, which are close to the action units (AUs) of the Facial Action Coding
  System. It follows the EMFACS prototypes (Ekman and Friesen): each emotion is scored
  only by the few movements that make it up (FACS_PROTOTYPES), each with a weight that
  may not be negative, so that it cannot pick up the quirks of the faces it was fitted
  on. Each feature is the square root of the blendshape score (left and right averaged),
  minus its mean on neutral faces, divided by its spread. A face found by the fallback
  detector has no blendshapes: this expert then says nothing.
The fused logits are a linear read-out of the three experts' log-probabilities (a 7 x 7
matrix each: an expert's "fear" may be evidence of surprise) and of the embedding, plus
one bias per emotion. Every number lives in onnx_models/emotion_fusion.json, fitted by
onnx_models/fit_fusion.py on FER2013 faces with their FER+ votes and on labelled web
photos, and chosen by cross-validation grouped by person (onnx_models/README.md).
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
    EXPRESSION_FEATURES order (the blendshape expert's columns)."""

    feature_mean: np.ndarray  # (features,) mean on neutral faces: the resting face
    feature_scale: np.ndarray  # (features,) spread on all the training faces
    blendshape_weights: np.ndarray  # (7, features) >= 0, 0 outside the prototypes
    blendshape_bias: np.ndarray  # (7,)
    # The read-out: (7 fused, 7 expert) for each expert, (7, 512) for the embedding.
    cnn_weights: np.ndarray
    rafdb_weights: np.ndarray
    blendshape_expert_weights: np.ndarray
    embedding_weights: np.ndarray
    bias: np.ndarray  # (7,)
    neutral_reference: np.ndarray  # (7,) mean fused logits of neutral faces: calibration target

    def blendshape_log_probabilities(self, blendshapes: np.ndarray) -> np.ndarray:
        features = (expression_features(blendshapes) - self.feature_mean) / self.feature_scale
        return log_softmax(features @ self.blendshape_weights.T + self.blendshape_bias)

    def expert_inputs(self, cnn_probabilities: np.ndarray, rafdb_logits: np.ndarray,
                      blendshapes: np.ndarray | None) -> tuple[np.ndarray, ...]:
        """What the read-out multiplies, for one face (..., 7) or a batch: the CNN's and
        the RAF-DB model's log-probabilities, and the blendshape expert's, centred (all
        zeros, an expert with no opinion, for a face without blendshapes)."""
        cnn = np.log(np.clip(cnn_probabilities, 1e-4, 1.0))
        rafdb = log_softmax(np.asarray(rafdb_logits, dtype=np.float64))
        if blendshapes is None:
            expert = np.zeros_like(cnn)
        else:
            expert = self.blendshape_log_probabilities(blendshapes)
            expert = expert - expert.mean(axis=-1, keepdims=True)
        return cnn, rafdb, expert

    def logits(self, cnn_probabilities: np.ndarray, rafdb_logits: np.ndarray,
               embedding: np.ndarray, blendshapes: np.ndarray | None) -> np.ndarray:
        """Fused logits (softmax them for probabilities) of one face or a batch;
        `blendshapes` None for faces without them (a batch is all one or the other)."""
        cnn, rafdb, expert = self.expert_inputs(cnn_probabilities, rafdb_logits, blendshapes)
        return (cnn @ self.cnn_weights.T + rafdb @ self.rafdb_weights.T
                + expert @ self.blendshape_expert_weights.T
                + unit_length(embedding) @ self.embedding_weights.T + self.bias)

    @classmethod
    def load(cls, path: Path = DEFAULT_FUSION_PATH) -> "EmotionFusion":
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        if tuple(data["features"]) != EXPRESSION_FEATURES:
            raise ValueError(f"{path} was fitted on other features than this ANIMO uses")

        def array(rows: Any) -> np.ndarray:
            return np.array(_by_emotion(rows) if isinstance(rows, dict) else rows,
                            dtype=np.float64)
        return cls(**{name: array(data[name]) for name in _ARRAYS})

    def to_json(self, provenance: dict[str, Any]) -> str:
        """The JSON `load` reads, with rows keyed by emotion so a person can read it."""
        def keyed(rows: np.ndarray) -> dict[str, Any] | list[Any]:
            rounded = np.round(np.asarray(rows, dtype=np.float64), 5).tolist()
            if len(rounded) != len(ALL_EMOTIONS):
                return rounded
            return {emotion.value: row for emotion, row in zip(ALL_EMOTIONS, rounded)}
        return json.dumps({"provenance": provenance, "features": list(EXPRESSION_FEATURES),
                           **{name: keyed(getattr(self, name)) for name in _ARRAYS}},
                          indent=1) + "\n"


_ARRAYS = ("feature_mean", "feature_scale", "blendshape_weights", "blendshape_bias",
           "cnn_weights", "rafdb_weights", "blendshape_expert_weights", "embedding_weights",
           "bias", "neutral_reference")


def unit_length(vectors: np.ndarray) -> np.ndarray:
    """Rows scaled to length 1: the embedding's direction, not its size, says the face."""
    vectors = np.asarray(vectors, dtype=np.float64)
    return vectors / np.maximum(np.linalg.norm(vectors, axis=-1, keepdims=True), 1e-9)


def _by_emotion(rows: dict[str, Any]) -> list[Any]:
    return [rows[emotion.value] for emotion in ALL_EMOTIONS]
