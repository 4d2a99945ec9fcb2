"""The camera worker: frames in, emotions out, in its own thread.

It opens the source, runs the analyzer (face landmarks, classifier, fusion) and the
temporal smoother on every frame, and says what it finds only through signals. Commands
from the window (calibrate, preview on/off) arrive as queued calls that the loop delivers
between frames. Frames live in memory only: nothing from the camera is written anywhere.
A camera that fails or disappears is retried with back-off; the session goes on. An
unexpected error is a crash: the WorkerThread runs `run` again, with a fresh analyzer.
"""

from __future__ import annotations

import logging
import time
import traceback

import numpy as np
from PySide6.QtCore import QCoreApplication, QObject, QThread, Signal, Slot
from PySide6.QtGui import QImage

from animo_desktop.emotions import ALL_EMOTIONS, Emotion
from animo_desktop.messages import EmotionReading, FrameReading, WorkerError, sentence
from animo_desktop.ui.worker_thread import crash_guarded
from animo_desktop.vision.cameras import camera_index
from animo_desktop.vision.smoothing import EmotionSmoother, SmoothingSettings

log = logging.getLogger(__name__)

RETRY_SECONDS = (1.0, 2.0, 4.0, 8.0, 15.0)  # back-off between attempts to reopen a camera
PREVIEW_WIDTH = 320
PREVIEW_EVERY = 2  # frames: the therapist's preview need not run at the camera's rate
READING_EVERY = 2  # frames between per-frame readings sent to the window


class CameraWorker(QObject):
    frame_read = Signal(object)  # FrameReading (throttled)
    emotion_confirmed = Signal(object)  # EmotionReading
    face_event = Signal(str)  # "lost" or "found"
    preview = Signal(QImage)  # downscaled frame with the landmarks, when enabled
    status = Signal(str)  # short state for the status bar ("camera 0 · 30 fps")
    failed = Signal(object)  # WorkerError: the camera or the models cannot be used
    crashed = Signal(object)  # WorkerError: an unexpected error; `run` starts again
    calibrated = Signal(bool, str)  # success, message

    def __init__(self, source: str, analyzer_factory, smoothing: SmoothingSettings,
                 show_preview: bool = False, realtime: bool = True):
        super().__init__()
        self._source = source
        self._realtime = realtime  # files at their own frame rate, like a camera
        self._analyzer_factory = analyzer_factory
        self._smoother = EmotionSmoother(smoothing)
        self._show_preview = show_preview
        # Calibration in progress: its length, and the frame time it started at.
        self._calibration_seconds: float | None = None
        self._calibration_started: float | None = None
        self._timestamp_offset = 0  # keeps timestamps increasing across reconnects
        self._last_timestamp = -1

    # --- commands (queued from the window) -------------------------------------------
    @Slot(bool)
    def set_preview(self, enabled: bool) -> None:
        self._show_preview = enabled

    @Slot(float)
    def calibrate(self, seconds: float) -> None:
        """Record the next `seconds` of the client's resting face as neutral."""
        self._calibration_seconds, self._calibration_started = seconds, None
        self._analyzer.start_calibration()

    # --- the loop ------------------------------------------------------------------------
    @Slot()
    def run(self) -> None:
        """(Re)start: build the analyzer, then watch; a crash runs this again."""
        try:
            self._analyzer = self._analyzer_factory()
        except Exception as error:  # logged with its traceback by the controller
            self.failed.emit(WorkerError("camera", "Emotion sensing could not start: "
                                         f"{sentence(str(error))} Pin emotions by hand.",
                                         traceback.format_exc()))
            return
        self._smoother.reset()
        try:
            self._watch()
        finally:
            self._analyzer.close()

    @crash_guarded("camera")
    def _watch(self) -> None:
        """Follow the source until stopped, reopening a camera that went away."""
        from animo_desktop.vision.sources import SourceError, open_source

        attempt = 0
        while not self._stopping():
            try:
                with open_source(self._source, realtime=self._realtime) as source:
                    attempt = 0
                    self._follow(source)
            except SourceError as error:
                self._lost_source(str(error), first=attempt == 0)
                if camera_index(self._source) is None:
                    return  # a file that cannot be read will not heal by waiting
                self._wait(RETRY_SECONDS[min(attempt, len(RETRY_SECONDS) - 1)])
                attempt += 1

    def _follow(self, source) -> None:
        self.status.emit(f"{source.description} · classifier on "
                         f"{self._analyzer.classifier.device}")
        log.info("following %s", source.description)
        self._analyzer.reset()
        for frame in source:
            QCoreApplication.processEvents()  # deliver commands from the window
            if self._stopping():
                return
            timestamp = max(frame.timestamp_ms + self._timestamp_offset,
                            self._last_timestamp + 1)
            self._last_timestamp = timestamp
            self._process(frame.image, frame.index, timestamp)
        self._timestamp_offset = self._last_timestamp + 1

    def _process(self, image: np.ndarray, index: int, timestamp_ms: int) -> None:
        analysis = self._analyzer.analyze(image, timestamp_ms)
        now = timestamp_ms / 1000
        self._finish_calibration_if_due(now)
        state = self._smoother.update(analysis.probabilities if analysis.face_present else None,
                                      now)
        if state.face_event:
            self.face_event.emit(state.face_event)
        if index % READING_EVERY == 0:
            self.frame_read.emit(FrameReading(dict(analysis.probabilities),
                                              analysis.face_present, now,
                                              state.probabilities, state.emotion))
        if state.changed:
            self.emotion_confirmed.emit(EmotionReading(state.emotion, state.probabilities, now,
                                                       "camera"))
        if self._show_preview and index % PREVIEW_EVERY == 0:
            self.preview.emit(preview_image(image, analysis.landmarks))

    def _finish_calibration_if_due(self, now: float) -> None:
        from animo_desktop.vision.calibration import CalibrationError

        if self._calibration_seconds is None:
            return
        if self._calibration_started is None:
            self._calibration_started = now  # counted in frame time, from the next frame
        if now - self._calibration_started < self._calibration_seconds:
            return
        self._calibration_seconds = None
        try:
            calibration = self._analyzer.finish_calibration()
        except CalibrationError as error:
            self.calibrated.emit(False, f"Calibration failed: {error}")
            return
        self._smoother.reset()
        self.calibrated.emit(True, f"Calibrated on {calibration.frames} frames of the "
                                   "client's resting face")

    def _lost_source(self, reason: str, first: bool) -> None:
        """Tell once (not at every retry) and let the emotion rest at neutral."""
        self.status.emit(f"No camera: {reason}")
        if first:  # the message holds the reason; the controller logs it
            # Built around the reason, whose first word may be a file name to keep as is.
            self.failed.emit(WorkerError("camera", f"No camera: {sentence(reason)} The "
                                         "session goes on; pin emotions by hand."))
        if self._smoother.emotion is not Emotion.NEUTRAL:
            self.emotion_confirmed.emit(EmotionReading(
                Emotion.NEUTRAL, {e: float(e is Emotion.NEUTRAL) for e in ALL_EMOTIONS},
                time.monotonic(), "camera"))
        self._smoother.reset()

    def _wait(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and not self._stopping():
            QCoreApplication.processEvents()
            QThread.msleep(50)

    @staticmethod
    def _stopping() -> bool:
        return QThread.currentThread().isInterruptionRequested()


def preview_image(bgr: np.ndarray, landmarks: np.ndarray | None) -> QImage:
    """A small RGB copy of the frame with the face mesh's points drawn on it."""
    from animo_desktop.vision.opencv import cv2

    height, width = bgr.shape[:2]
    scale = PREVIEW_WIDTH / width
    small = cv2.resize(bgr, (PREVIEW_WIDTH, round(height * scale)),
                       interpolation=cv2.INTER_AREA)
    rgb = np.ascontiguousarray(small[:, :, ::-1])
    if landmarks is not None:
        points = np.round(landmarks * scale).astype(int)
        inside = ((points[:, 0] >= 0) & (points[:, 0] < rgb.shape[1])
                  & (points[:, 1] >= 0) & (points[:, 1] < rgb.shape[0]))
        rgb[points[inside, 1], points[inside, 0]] = (120, 230, 200)
    return QImage(rgb.data, rgb.shape[1], rgb.shape[0], rgb.strides[0],
                  QImage.Format.Format_RGB888).copy()
