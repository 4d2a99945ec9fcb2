"""The emotion-sensing pipeline, frame by frame, with no Qt: landmarks (or the fallback
detector), choice of the client's face, aligned crops, the CNN and the RAF-DB model,
fusion with the blendshapes, neutral calibration.

    with EmotionAnalyzer() as analyzer:            # one per stream
        for frame in source:
            analysis = analyzer.analyze(frame.image, frame.timestamp_ms)

    with EmotionAnalyzer("image") as analyzer:     # stills (animo classify)
        analysis = analyzer.analyze(read_image(path))

Per-frame results only: smoothing over time and the return to neutral after the face has
been lost for a while belong to the caller. Nothing is written anywhere.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType, TracebackType
from typing import Literal

import numpy as np

from animo_desktop.emotions import ALL_EMOTIONS, Emotion
from animo_desktop.vision.alignment import align_face
from animo_desktop.vision.calibration import NeutralCalibration
from animo_desktop.vision.classifier import DEFAULT_MODEL_PATH, EmotionClassifier
from animo_desktop.vision.face_detector import FaceDetector
from animo_desktop.vision.faces import FaceFollower, most_prominent
from animo_desktop.vision.fusion import DEFAULT_FUSION_PATH, EmotionFusion, softmax
from animo_desktop.vision.landmarks import (
    DEFAULT_MODEL_PATH as DEFAULT_LANDMARKER_PATH,
    Box,
    DetectedFace,
    FaceLandmarker,
    RunningMode,
)
from animo_desktop.vision.opencv import cv2
from animo_desktop.vision.rafdb_classifier import (
    DEFAULT_MODEL_PATH as DEFAULT_RAFDB_PATH,
    RafDbClassifier,
    RafDbReading,
)

ChannelOrder = Literal["bgr", "rgb"]

NO_FACE_PROBABILITIES: Mapping[Emotion, float] = MappingProxyType(
    {emotion: 1.0 if emotion is Emotion.NEUTRAL else 0.0 for emotion in ALL_EMOTIONS})

# Stills are often tight crops or thumbnails, where the face detector needs some
# background around the face and a few dozen pixels across it. A still in which no face
# is found as it is gets this much border (of its longer side) and is enlarged to at
# least this many pixels, and is searched again. (Not the other way round: the border
# would shrink the faces of a group photo below what the detector finds.)
STILL_BORDER = 0.2
STILL_MIN_SIDE = 256

# In a stream, the RAF-DB model (15 ms on one core, as much as the landmarker) reads one
# frame in this many and its reading stands for the frames between: a face changes little
# in a tenth of a second, and the smoothing averages over longer anyway. The fallback
# detector looks for a face the landmarker lost once in this many frames.
RAFDB_EVERY = 3
FALLBACK_EVERY = 5
# The fallback detector in a stream works on the frame shrunk to this many pixels: a
# client in front of the camera is large in it.
STREAM_FALLBACK_SIDE = 320


def _as_mapping(row: np.ndarray) -> Mapping[Emotion, float]:
    return MappingProxyType({emotion: float(p) for emotion, p in zip(ALL_EMOTIONS, row)})


@dataclass(frozen=True, eq=False)
class FaceAnalysis:
    """What one frame says. Without a face, the probabilities are all on neutral."""

    face_present: bool
    probabilities: Mapping[Emotion, float]
    timestamp_ms: int | None = None
    faces_seen: int = 0  # faces detected; the analysis follows one of them
    box: Box | None = None  # the followed face, in pixels of the analysed frame
    landmarks: np.ndarray | None = None  # (478, 2) pixels: for drawing a preview
    blendshapes: np.ndarray | None = None  # (52,), landmarks.BLENDSHAPE_NAMES order
    cnn_probabilities: Mapping[Emotion, float] | None = None  # the CNN alone, for insight
    rafdb: RafDbReading | None = None  # the RAF-DB model's reading (maybe a recent frame's)
    found_by: str | None = None  # "landmarker", or "detector" for the fallback
    # Milliseconds per stage: landmarks, crop, classifier, rafdb, fusion, and total.
    timings_ms: Mapping[str, float] = field(default_factory=dict)

    @property
    def emotion(self) -> Emotion:
        return max(self.probabilities, key=self.probabilities.__getitem__)


@dataclass(frozen=True, eq=False)
class ExpertReadings:
    """What the experts say of the followed face of one frame, before fusion."""

    face: DetectedFace
    crop: np.ndarray  # the aligned grey face the CNN read (kept for fine-tuning it)
    cnn_probabilities: np.ndarray  # (7,) ALL_EMOTIONS order
    rafdb: RafDbReading


class EmotionAnalyzer:
    """Turns frames into FaceAnalysis; one instance per stream (it follows one person).

    mode "video": frames of one stream with increasing timestamps. mode "image":
    independent stills. Use as a context manager: the landmarker must be closed. Not
    thread-safe: create it, feed it and calibrate it from one thread (the camera worker's).
    """

    def __init__(self, mode: RunningMode = "video", *, use_gpu: bool = True,
                 max_faces: int = 4, landmarker_model: Path = DEFAULT_LANDMARKER_PATH,
                 classifier_model: Path = DEFAULT_MODEL_PATH,
                 rafdb_model: Path = DEFAULT_RAFDB_PATH,
                 fusion_path: Path | None = DEFAULT_FUSION_PATH) -> None:
        self.mode = mode
        self.classifier = EmotionClassifier(classifier_model, use_gpu=use_gpu)
        self.rafdb = RafDbClassifier(rafdb_model, use_gpu=use_gpu)
        # None: the experts only (read_experts), as when the fusion itself is being fitted.
        self.fusion = EmotionFusion.load(fusion_path) if fusion_path is not None else None
        self._landmarker = FaceLandmarker(mode, max_faces=max_faces,
                                          model_path=landmarker_model)
        self._detector = (FaceDetector(max_side=STREAM_FALLBACK_SIDE) if mode == "video"
                          else FaceDetector())
        self._follower = FaceFollower()
        self._frames = 0  # frames seen in this stream
        self._last_rafdb: RafDbReading | None = None
        self.calibration: NeutralCalibration | None = None
        self._resting_logits: list[np.ndarray] | None = None

    # -- per frame -------------------------------------------------------------------

    def analyze(self, frame: np.ndarray, timestamp_ms: int | None = None, *,
                channel_order: ChannelOrder = "bgr") -> FaceAnalysis:
        """Analyse one frame: (h, w, 3) uint8 in BGR (OpenCV) or RGB, or (h, w) gray.
        Video mode needs the frame's timestamp in milliseconds."""
        timings: dict[str, float] = {}
        started = time.perf_counter()
        experts, faces_seen = self._read_experts(frame, timestamp_ms, channel_order, timings)
        if experts is None:
            timings["total"] = _ms_since(started)
            return FaceAnalysis(False, NO_FACE_PROBABILITIES, timestamp_ms, faces_seen,
                                timings_ms=MappingProxyType(timings))
        stage = time.perf_counter()
        face = experts.face
        logits = self.fusion.logits(experts.cnn_probabilities, experts.rafdb.logits,
                                    experts.rafdb.embedding, face.blendshapes)
        if self._resting_logits is not None:
            self._resting_logits.append(logits)
        if self.calibration is not None:
            logits = self.calibration.apply(logits)
        probabilities = softmax(logits)
        timings["fusion"] = _ms_since(stage)
        timings["total"] = _ms_since(started)
        return FaceAnalysis(True, _as_mapping(probabilities), timestamp_ms, faces_seen,
                            face.box, face.landmarks, face.blendshapes,
                            _as_mapping(experts.cnn_probabilities), experts.rafdb,
                            "landmarker" if face.landmarks is not None else "detector",
                            MappingProxyType(timings))

    def read_experts(self, frame: np.ndarray, timestamp_ms: int | None = None, *,
                     channel_order: ChannelOrder = "bgr") -> ExpertReadings | None:
        """The experts' readings of the followed face, unfused; None without a face."""
        return self._read_experts(frame, timestamp_ms, channel_order, {})[0]

    def _read_experts(self, frame: np.ndarray, timestamp_ms: int | None,
                      channel_order: ChannelOrder, timings: dict[str, float]
                      ) -> tuple[ExpertReadings | None, int]:
        stage = time.perf_counter()
        rgb, gray = _rgb_and_gray(frame, channel_order)
        face, faces_seen = self._find_face(rgb, timestamp_ms)
        timings["landmarks"] = _ms_since(stage)
        if face is None:
            self._last_rafdb = None
            return None, faces_seen
        stage = time.perf_counter()
        try:
            crop = align_face(gray, face.landmarks if face.landmarks is not None
                              else face.points, self.classifier.input_size)
            timings["crop"] = _ms_since(stage)
            stage = time.perf_counter()
            cnn_probabilities = self.classifier.predict(crop[None])[0]
            timings["classifier"] = _ms_since(stage)
            rafdb = self._read_rafdb(rgb, face, timings)
        except ValueError:  # its points fall together: nothing there to read
            self._last_rafdb = None
            return None, faces_seen
        return ExpertReadings(face, crop, cnn_probabilities, rafdb), faces_seen

    def _read_rafdb(self, rgb: np.ndarray, face: DetectedFace, timings: dict[str, float]
                    ) -> RafDbReading:
        """Every still; in a stream one frame in RAFDB_EVERY, the others reuse it (and have
        no "rafdb" timing)."""
        if (self.mode == "image" or self._last_rafdb is None
                or self._frames % RAFDB_EVERY == 0):
            stage = time.perf_counter()
            self._last_rafdb = self.rafdb.read(rgb, face.points)
            timings["rafdb"] = _ms_since(stage)
        return self._last_rafdb

    def _find_face(self, rgb: np.ndarray, timestamp_ms: int | None
                   ) -> tuple[DetectedFace | None, int]:
        height, width = rgb.shape[:2]
        if self.mode == "video":
            self._frames += 1
            faces = self._landmarker.detect(rgb, timestamp_ms)
            if not faces and self._frames % FALLBACK_EVERY == 0:
                faces = self._detector.detect(rgb)
            return self._follower.follow(faces, width, height), len(faces)
        faces = _detect_in_still(self._landmarker, rgb) or self._detector.detect(rgb)
        return most_prominent(faces, width, height), len(faces)

    def reset(self) -> None:
        """Forget the followed person (a new client, another camera)."""
        self._follower.reset()
        self._last_rafdb = None

    # -- neutral calibration -------------------------------------------------------------

    def start_calibration(self) -> None:
        """Record the faces of the next frames as the client's relaxed, neutral face."""
        self._resting_logits = []

    def finish_calibration(self) -> NeutralCalibration:
        """Stop recording and apply the calibration to every later frame. Raises
        calibration.CalibrationError (keeping the previous calibration) if too few
        frames showed a face."""
        resting, self._resting_logits = self._resting_logits or [], None
        self.calibration = NeutralCalibration.from_resting_face(
            resting, self.fusion.neutral_reference)
        return self.calibration

    @property
    def is_calibrating(self) -> bool:
        return self._resting_logits is not None

    # -- resources ---------------------------------------------------------------------

    def close(self) -> None:
        self._landmarker.close()

    def __enter__(self) -> "EmotionAnalyzer":
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.close()


def _ms_since(started: float) -> float:
    return (time.perf_counter() - started) * 1000


def _rgb_and_gray(frame: np.ndarray, channel_order: ChannelOrder
                  ) -> tuple[np.ndarray, np.ndarray]:
    if frame.ndim == 2:
        return cv2.cvtColor(frame, cv2.COLOR_GRAY2RGB), frame
    if channel_order == "bgr":
        return (cv2.cvtColor(frame, cv2.COLOR_BGR2RGB), cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY))
    return frame, cv2.cvtColor(frame, cv2.COLOR_RGB2GRAY)


def _detect_in_still(landmarker: FaceLandmarker, rgb: np.ndarray) -> list[DetectedFace]:
    """Detect as it is, else on a bordered, enlarged copy; landmarks come back in the
    still's pixels either way."""
    faces = landmarker.detect(rgb)
    if faces:
        return faces
    height, width = rgb.shape[:2]
    border = round(STILL_BORDER * max(height, width))
    padded = cv2.copyMakeBorder(rgb, border, border, border, border, cv2.BORDER_CONSTANT)
    scale = max(1.0, STILL_MIN_SIDE / max(padded.shape[:2]))
    if scale > 1.0:
        padded = cv2.resize(padded, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC)
    return [_unmap(face, scale, border) for face in landmarker.detect(padded)]


def _unmap(face: DetectedFace, scale: float, border: int) -> DetectedFace:
    """Undo _detect_in_still's enlargement and border on one face."""
    box = face.box
    return DetectedFace(face.landmarks / scale - border, face.blendshapes,
                        Box(box.left / scale - border, box.top / scale - border,
                            box.right / scale - border, box.bottom / scale - border),
                        face.points / scale - border)
