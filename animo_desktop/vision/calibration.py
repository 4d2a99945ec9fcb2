"""Per-person neutral calibration.

Some people's resting face reads as sad, or angry, to any model (a low brow, down-turned
mouth corners). The therapist asks the client to relax for a few seconds while ANIMO
records the fused emotion scores (logits) of those frames. The calibration is then one
offset per emotion, added to every later frame's logits, that makes this client's
resting face score exactly like the average neutral face of the training data. The model
itself is untouched, so expressions still move the scores as much as before.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

# Fewer faces than this (a second of video) make too noisy a baseline.
MIN_CALIBRATION_FRAMES = 10


class CalibrationError(Exception):
    """Calibration could not be computed; the message is one sentence for the therapist."""


@dataclass(frozen=True, eq=False)
class NeutralCalibration:
    logit_offset: np.ndarray  # (7,) in ALL_EMOTIONS order, added to the fused logits
    frames: int  # how many faces it was computed from

    @classmethod
    def from_resting_face(cls, resting_logits: Sequence[np.ndarray],
                          neutral_reference: np.ndarray) -> "NeutralCalibration":
        """From the fused logits of the client's relaxed face and the model's average
        neutral-face logits."""
        if len(resting_logits) < MIN_CALIBRATION_FRAMES:
            raise CalibrationError(
                f"the face was seen in {len(resting_logits)} frames; calibration needs at "
                f"least {MIN_CALIBRATION_FRAMES}: look at the camera and try again")
        offset = np.asarray(neutral_reference) - np.mean(resting_logits, axis=0)
        # Logits matter only up to a constant; centring keeps the offset readable.
        return cls(offset - offset.mean(), len(resting_logits))

    def apply(self, logits: np.ndarray) -> np.ndarray:
        return logits + self.logit_offset
