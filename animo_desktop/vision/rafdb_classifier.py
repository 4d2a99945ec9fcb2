"""The second emotion model: OpenCV Zoo's expression model, trained on RAF-DB.

RAF-DB holds in-the-wild photos, the kind of face that FER2013's blurred thumbnails
prepare the CNN for least well; on real web photos the two models' errors differ, and
the fusion (fusion.py) gains from both, reading its logits and its 512-number face
embedding. It reads a 112 x 112 face, in grey, warped by a similarity transform of its
five points (eyes, nose tip, mouth corners) onto the ArcFace template, and costs about
15 ms per face on one CPU core: in a stream the analyzer runs it on one frame in
RAFDB_EVERY and keeps its last reading in between.
The model ships in resources/models (see its README: Apache-2.0, OpenCV Zoo).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from animo_desktop.emotions import ALL_EMOTIONS, Emotion
from animo_desktop.resources import resource_path
from animo_desktop.vision.alignment import similarity_onto
from animo_desktop.vision.classifier import onnx_session
from animo_desktop.vision.opencv import cv2

# The zoo's model with its embedding as a second output (onnx_models/expose_rafdb_embedding.py).
DEFAULT_MODEL_PATH = resource_path("models", "rafdb_expression_int8.onnx")
EMBEDDING_SIZE = 512

INPUT_SIZE = 112
# ArcFace's five-point template in the 112 x 112 input (the same order as the points).
TEMPLATE = np.array([[38.2946, 51.6963], [73.5318, 51.5014], [56.0252, 71.7366],
                     [41.5493, 92.3655], [70.7299, 92.2041]], dtype=np.float32)
# The model's output columns.
MODEL_ORDER = (Emotion.ANGER, Emotion.DISGUST, Emotion.FEAR, Emotion.JOY, Emotion.NEUTRAL,
               Emotion.SADNESS, Emotion.SURPRISE)
_COLUMNS = np.array([MODEL_ORDER.index(emotion) for emotion in ALL_EMOTIONS])


def warp_to_template(rgb: np.ndarray, points: np.ndarray) -> np.ndarray:
    """The (112, 112, 3) face the model reads: `points` (5, 2) in the image's pixels."""
    return cv2.warpAffine(rgb, similarity_onto(points, TEMPLATE), (INPUT_SIZE, INPUT_SIZE),
                          borderMode=cv2.BORDER_REPLICATE)


@dataclass(frozen=True, eq=False)
class RafDbReading:
    logits: np.ndarray  # (7,) in ALL_EMOTIONS order
    embedding: np.ndarray  # (EMBEDDING_SIZE,)


class RafDbClassifier:
    """The model's reading of a face given by its five points."""

    def __init__(self, model_path: Path = DEFAULT_MODEL_PATH, *, use_gpu: bool = True,
                 threads: int = 1) -> None:
        self._session, self.provider, self.fallback_reason = onnx_session(
            model_path, use_gpu=use_gpu, threads=threads)
        self._input_name = self._session.get_inputs()[0].name

    def read(self, rgb: np.ndarray, points: np.ndarray) -> RafDbReading:
        """The face at `points` (5, 2) of the RGB (h, w, 3) uint8 image, read in grey:
        most of the faces the fusion was fitted on are grey (FER2013, the news photos),
        and colour would let it learn which kind of photo a face is from instead of its
        expression (most of the disgusted faces are colour movie stills)."""
        grey = cv2.cvtColor(warp_to_template(rgb, points), cv2.COLOR_RGB2GRAY)
        face = cv2.cvtColor(grey, cv2.COLOR_GRAY2RGB).astype(np.float32)
        pixels = ((face / 255.0 - 0.5) / 0.5).transpose(2, 0, 1)[None]
        logits, embedding = self._session.run(None, {self._input_name: pixels})
        return RafDbReading(logits[0, _COLUMNS], embedding[0])
