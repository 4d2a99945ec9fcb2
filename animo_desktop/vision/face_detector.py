"""YuNet, OpenCV's small face detector: the fallback when the Face Landmarker finds no face.

The landmarker misses faces that a person sees at once: small, low-contrast or tightly
cropped photos, a head turned far. YuNet finds most of them (488 of 492 held-out web
photos against the landmarker's 473) and gives five points (eyes, nose tip, mouth
corners), enough to align the face for both emotion models; it gives no blendshapes.
The model ships in resources/models (see its README: MIT licence, OpenCV Zoo).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from animo_desktop.resources import resource_path
from animo_desktop.vision.landmarks import Box, DetectedFace
from animo_desktop.vision.opencv import cv2

DEFAULT_MODEL_PATH = resource_path("models", "face_detection_yunet_2023mar.onnx")

MIN_SCORE = 0.6  # YuNet's own default is 0.9, which misses the faint faces it is here for
NMS_THRESHOLD = 0.3
# YuNet finds faces from about 20 px across; thumbnails are enlarged to this many pixels
# (their longer side) and get a border, as a tight crop leaves it no background. Large
# images are searched at most this large: its cost grows with the pixels (190 ms for a
# 1000 x 667 photo on one core), and the faces it is needed for are not tiny in them.
MIN_SIDE = 192
MAX_SIDE = 640
BORDER = 0.2


class FaceDetector:
    """Faces with five points each; thread-confined like the landmarker."""

    def __init__(self, model_path: Path = DEFAULT_MODEL_PATH, *,
                 max_side: int = MAX_SIDE) -> None:
        self._max_side = max_side
        # From memory, so that the path may hold any characters (cv2 wants ASCII paths on
        # Windows) and a bundled app needs no special file handling.
        model = np.frombuffer(Path(model_path).read_bytes(), dtype=np.uint8)
        level = cv2.utils.logging.getLogLevel()
        # OpenCV's DNN engine warns at each creation that it ignores a target nobody set.
        cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_ERROR)
        try:
            self._detector = cv2.FaceDetectorYN.create(
                "onnx", model, np.array([], dtype=np.uint8), (320, 320), MIN_SCORE,
                NMS_THRESHOLD, 20)
        finally:
            cv2.utils.logging.setLogLevel(level)

    def detect(self, image_rgb: np.ndarray) -> list[DetectedFace]:
        """Faces in an RGB or grayscale uint8 image, in its pixels, most confident first."""
        if image_rgb.ndim == 2:
            image_rgb = cv2.cvtColor(image_rgb, cv2.COLOR_GRAY2RGB)
        height, width = image_rgb.shape[:2]
        longer = max(height, width)
        scale = min(max(1.0, MIN_SIDE / longer), self._max_side / longer)
        # At least a pixel each way: a 2000 x 1 image would otherwise shrink to nothing.
        size = (max(1, round(width * scale)), max(1, round(height * scale)))
        image = image_rgb if scale == 1.0 else cv2.resize(
            image_rgb, size, interpolation=cv2.INTER_CUBIC if scale > 1 else cv2.INTER_AREA)
        border = round(BORDER * max(image.shape[:2]))
        image = cv2.copyMakeBorder(image, border, border, border, border,
                                   cv2.BORDER_CONSTANT)
        self._detector.setInputSize((image.shape[1], image.shape[0]))
        # YuNet was trained on BGR images.
        _, found = self._detector.detect(cv2.cvtColor(image, cv2.COLOR_RGB2BGR))
        if found is None:
            return []
        faces = []
        scale_x, scale_y = size[0] / width, size[1] / height
        for row in sorted(found, key=lambda row: -row[14]):
            left, top = (row[0] - border) / scale_x, (row[1] - border) / scale_y
            box_width, box_height = row[2] / scale_x, row[3] / scale_y
            points = (row[4:14].reshape(5, 2) - border) / (scale_x, scale_y)
            faces.append(DetectedFace(
                None, None, Box(float(left), float(top), float(left + box_width),
                                float(top + box_height)), points.astype(np.float32)))
        return faces
