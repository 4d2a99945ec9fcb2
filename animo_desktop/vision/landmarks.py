"""MediaPipe Face Landmarker (Tasks API): 478 landmarks and 52 blendshapes per face.

The model bundle ships in resources/models (see its README for provenance). It is read
into memory and handed over as bytes, so the path may contain any characters and a
PyInstaller bundle needs no special file handling.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Literal

import numpy as np

from animo_desktop.resources import resource_path
from animo_desktop.vision.opencv import (
    MediaPipeBaseOptions,
    MediaPipeImage,
    MediaPipeImageFormat,
    mediapipe_vision,
    native_stderr_silenced,
)

DEFAULT_MODEL_PATH = resource_path("models", "face_landmarker.task")

# The bundle's blendshape outputs (ARKit names), in the model's order.
BLENDSHAPE_NAMES: tuple[str, ...] = (
    "_neutral", "browDownLeft", "browDownRight", "browInnerUp", "browOuterUpLeft",
    "browOuterUpRight", "cheekPuff", "cheekSquintLeft", "cheekSquintRight", "eyeBlinkLeft",
    "eyeBlinkRight", "eyeLookDownLeft", "eyeLookDownRight", "eyeLookInLeft", "eyeLookInRight",
    "eyeLookOutLeft", "eyeLookOutRight", "eyeLookUpLeft", "eyeLookUpRight", "eyeSquintLeft",
    "eyeSquintRight", "eyeWideLeft", "eyeWideRight", "jawForward", "jawLeft", "jawOpen",
    "jawRight", "mouthClose", "mouthDimpleLeft", "mouthDimpleRight", "mouthFrownLeft",
    "mouthFrownRight", "mouthFunnel", "mouthLeft", "mouthLowerDownLeft", "mouthLowerDownRight",
    "mouthPressLeft", "mouthPressRight", "mouthPucker", "mouthRight", "mouthRollLower",
    "mouthRollUpper", "mouthShrugLower", "mouthShrugUpper", "mouthSmileLeft", "mouthSmileRight",
    "mouthStretchLeft", "mouthStretchRight", "mouthUpperUpLeft", "mouthUpperUpRight",
    "noseSneerLeft", "noseSneerRight",
)
_BLENDSHAPE_INDEX = {name: index for index, name in enumerate(BLENDSHAPE_NAMES)}

RunningMode = Literal["video", "image"]


@dataclass(frozen=True)
class Box:
    """An axis-aligned box in pixels: left, top, right, bottom."""

    left: float
    top: float
    right: float
    bottom: float

    @property
    def width(self) -> float:
        return self.right - self.left

    @property
    def height(self) -> float:
        return self.bottom - self.top

    @property
    def area(self) -> float:
        return max(0.0, self.width) * max(0.0, self.height)

    @property
    def centre(self) -> tuple[float, float]:
        return (self.left + self.right) / 2, (self.top + self.bottom) / 2

    def iou(self, other: "Box") -> float:
        """Intersection over union, 0 for disjoint boxes."""
        overlap = Box(max(self.left, other.left), max(self.top, other.top),
                      min(self.right, other.right), min(self.bottom, other.bottom))
        if overlap.width <= 0 or overlap.height <= 0:
            return 0.0
        return overlap.area / (self.area + other.area - overlap.area)


# Face-mesh indices of the five alignment points, in the order of YuNet's points and of
# the ArcFace template: the person's right eye (on the image's left), left eye, nose tip,
# right and left mouth corners. An eye is the middle of its two corners.
_FIVE_POINT_INDICES = ((33, 133), (263, 362), (1,), (61,), (291,))


def five_points(landmarks: np.ndarray) -> np.ndarray:
    """(478, 2) face-mesh landmarks -> the (5, 2) alignment points."""
    return np.array([landmarks[list(indices), :2].mean(axis=0)
                     for indices in _FIVE_POINT_INDICES], dtype=np.float32)


@dataclass(frozen=True, eq=False)
class DetectedFace:
    """One face of one frame. Lives in memory only, like the frame it came from.

    The Face Landmarker gives the whole mesh and the blendshapes; the fallback detector
    (face_detector.py) only a box and the five points, and None for the other two."""

    landmarks: np.ndarray | None  # (478, 2) float32, x and y in pixels of the analysed image
    blendshapes: np.ndarray | None  # (52,) float32 scores in [0, 1], BLENDSHAPE_NAMES order
    box: Box  # the landmarks' bounding box
    points: np.ndarray  # (5, 2) float32: eyes, nose tip, mouth corners (five_points)

    def blendshape(self, name: str) -> float:
        if self.blendshapes is None:
            raise ValueError("this face was found without blendshapes")
        return float(self.blendshapes[_BLENDSHAPE_INDEX[name]])


class FaceLandmarker:
    """A MediaPipe Face Landmarker; use it as a context manager (it must be closed).

    mode "video": `detect(frame, timestamp_ms)` for a stream; MediaPipe tracks the faces
    from frame to frame, which is faster than detecting them anew. mode "image": stills,
    each detected independently. `max_faces` > 1 lets the caller choose which face to
    follow instead of getting whichever MediaPipe finds first.
    """

    def __init__(self, mode: RunningMode = "video", *, max_faces: int = 4,
                 min_confidence: float = 0.5, model_path: Path = DEFAULT_MODEL_PATH) -> None:
        self.mode = mode
        running_mode = (mediapipe_vision.RunningMode.VIDEO if mode == "video"
                        else mediapipe_vision.RunningMode.IMAGE)
        options = mediapipe_vision.FaceLandmarkerOptions(
            base_options=MediaPipeBaseOptions(model_asset_buffer=Path(model_path).read_bytes()),
            running_mode=running_mode,
            num_faces=max_faces,
            min_face_detection_confidence=min_confidence,
            min_face_presence_confidence=min_confidence,
            min_tracking_confidence=min_confidence,
            output_face_blendshapes=True,
        )
        with native_stderr_silenced():
            self._landmarker = mediapipe_vision.FaceLandmarker.create_from_options(options)
        self._last_timestamp_ms = -1

    def detect(self, image_rgb: np.ndarray, timestamp_ms: int | None = None
               ) -> list[DetectedFace]:
        """Faces in an RGB (or grayscale) uint8 image; video mode needs the timestamp.

        MediaPipe rejects a timestamp that does not increase (a looping video, a clock
        that steps back): such a timestamp is moved to just after the previous one.
        """
        if image_rgb.ndim == 2:
            image_rgb = np.repeat(image_rgb[:, :, None], 3, axis=2)
        image = MediaPipeImage(image_format=MediaPipeImageFormat.SRGB,
                               data=np.ascontiguousarray(image_rgb, dtype=np.uint8))
        if self.mode == "video":
            if timestamp_ms is None:
                raise ValueError("video mode needs the frame's timestamp")
            timestamp_ms = max(int(timestamp_ms), self._last_timestamp_ms + 1)
            self._last_timestamp_ms = timestamp_ms
            result = self._landmarker.detect_for_video(image, timestamp_ms)
        else:
            result = self._landmarker.detect(image)
        height, width = image_rgb.shape[:2]
        return [_to_face(points, categories, width, height)
                for points, categories in zip(result.face_landmarks, result.face_blendshapes)]

    def close(self) -> None:
        # Explicitly: leaving it to MediaPipe's __del__ raises at interpreter exit.
        self._landmarker.close()

    def __enter__(self) -> "FaceLandmarker":
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.close()


def _to_face(points: list, categories: list, width: int, height: int) -> DetectedFace:
    landmarks = np.array([(point.x * width, point.y * height) for point in points],
                         dtype=np.float32)
    blendshapes = np.zeros(len(BLENDSHAPE_NAMES), dtype=np.float32)
    for category in categories:
        blendshapes[_BLENDSHAPE_INDEX[category.category_name]] = category.score
    left, top = landmarks.min(axis=0)
    right, bottom = landmarks.max(axis=0)
    return DetectedFace(landmarks, blendshapes,
                        Box(float(left), float(top), float(right), float(bottom)),
                        five_points(landmarks))
