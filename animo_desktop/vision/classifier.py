"""The emotion CNN (onnx_models/emotion_cnn.onnx: two CNNs averaged in one graph) run
with onnxruntime.

onnxruntime-gpu lists the CUDA provider whether or not CUDA can start: without CUDA 13
and cuDNN 9 it prints an error and a warning and silently runs on the CPU. The session is
therefore created quietly and asked which provider it really got; `provider` and
`fallback_reason` say what happened, for `animo doctor` and the status bar.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnxruntime

from animo_desktop.emotions import ALL_EMOTIONS, Emotion
from animo_desktop.resources import RESOURCES_DIR

MODELS_DIR = RESOURCES_DIR.parent / "onnx_models"
DEFAULT_MODEL_PATH = MODELS_DIR / "emotion_cnn.onnx"

CUDA_PROVIDER = "CUDAExecutionProvider"
CPU_PROVIDER = "CPUExecutionProvider"
_ORT_DEFAULT_LOG_SEVERITY = 2  # warnings; onnxruntime offers no getter to save it
_ORT_FATAL_ONLY = 4


def onnx_session(model_path: Path, *, use_gpu: bool, threads: int
                 ) -> tuple[onnxruntime.InferenceSession, str, str | None]:
    """A quiet session on CUDA where it really starts, else the CPU: the session, the
    provider it got, and why it is not CUDA when CUDA was wanted (else None)."""
    wanted = [CPU_PROVIDER]
    if use_gpu and CUDA_PROVIDER in onnxruntime.get_available_providers():
        wanted.insert(0, CUDA_PROVIDER)
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.log_severity_level = _ORT_FATAL_ONLY
    onnxruntime.set_default_logger_severity(_ORT_FATAL_ONLY)
    try:
        session = onnxruntime.InferenceSession(
            Path(model_path).read_bytes(), sess_options=options, providers=wanted)
    finally:
        onnxruntime.set_default_logger_severity(_ORT_DEFAULT_LOG_SEVERITY)
    provider = session.get_providers()[0]
    fallback_reason = None
    if CUDA_PROVIDER in wanted and provider != CUDA_PROVIDER:
        fallback_reason = ("the CUDA provider could not start (onnxruntime-gpu needs "
                           "CUDA 13 and cuDNN 9); using the CPU")
    return session, provider, fallback_reason


class EmotionClassifier:
    """Seven emotion probabilities for aligned 48 x 48 grayscale face crops."""

    def __init__(self, model_path: Path = DEFAULT_MODEL_PATH, *, use_gpu: bool = True,
                 threads: int = 1) -> None:
        # One face of 48 x 48 is too little work to share between threads; more threads
        # would only compete with the landmarker for the cores.
        self._session, self.provider, self.fallback_reason = onnx_session(
            model_path, use_gpu=use_gpu, threads=threads)
        self._input_name = self._session.get_inputs()[0].name
        self.input_size: int = int(self._session.get_inputs()[0].shape[-1])
        labels = self._session.get_modelmeta().custom_metadata_map["labels"].split(",")
        # Columns of the model's output, reordered to ALL_EMOTIONS.
        model_order = [Emotion(label) for label in labels]
        self._columns = np.array([model_order.index(emotion) for emotion in ALL_EMOTIONS])

    @property
    def device(self) -> str:
        """"CUDA" or "CPU": what the status bar shows."""
        return "CUDA" if self.provider == CUDA_PROVIDER else "CPU"

    def predict(self, crops: np.ndarray) -> np.ndarray:
        """(N, size, size) uint8 crops -> (N, 7) probabilities in ALL_EMOTIONS order."""
        pixels = np.ascontiguousarray(crops, dtype=np.float32)[:, None]
        probabilities = self._session.run(None, {self._input_name: pixels})[0]
        return probabilities[:, self._columns]
