"""From flickering per-frame probabilities to a stable, confirmed emotion.

Per-frame predictions jump around. The smoother averages them over time (an exponential
moving average with a half-life in seconds, so it behaves the same at any frame rate),
confirms a new emotion only after it has led for a dwell time by a clear margin, treats
low confidence as "stay", and falls back to neutral when the face has been gone a while.
The defaults were chosen by onnx_models/tune_smoothing.py: scripted sessions of unseen
people's photos (the hold test: eight holds of 4 s), for the most holds confirmed within
2.5 s with at most one spurious switch in eight holds and a median delay under 1.5 s
(onnx_models/smoothing_report.json).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

from animo_desktop.emotions import ALL_EMOTIONS, Emotion


@dataclass(frozen=True)
class SmoothingSettings:
    half_life_s: float = 0.08  # how fast the average follows the frames
    dwell_s: float = 0.3  # how long a new emotion must lead before it is confirmed
    min_confidence: float = 0.55  # below this the leading emotion is not trusted
    margin: float = 0.05  # hysteresis: lead over every other emotion needed to switch
    face_lost_after_s: float = 3.0  # no face this long: back to neutral


@dataclass(frozen=True)
class SmoothedState:
    probabilities: dict[Emotion, float]
    emotion: Emotion  # the confirmed emotion
    changed: bool  # the confirmed emotion changed at this frame
    face_present: bool  # debounced: false only once the face has been gone a while
    face_event: str | None = None  # "lost" or "found" at the frame it happens


def _one_hot(emotion: Emotion) -> dict[Emotion, float]:
    return {candidate: float(candidate is emotion) for candidate in ALL_EMOTIONS}


class EmotionSmoother:
    def __init__(self, settings: SmoothingSettings = SmoothingSettings()):
        self.settings = settings
        self.reset()

    def reset(self) -> None:
        self._average = _one_hot(Emotion.NEUTRAL)
        self._confirmed = Emotion.NEUTRAL
        self._candidate: Emotion | None = None
        self._candidate_since = 0.0
        self._last_time: float | None = None
        self._last_face_time: float | None = None
        self._face_present = False

    @property
    def emotion(self) -> Emotion:
        return self._confirmed

    def update(self, probabilities: Mapping[Emotion, float] | None, now: float) -> SmoothedState:
        """Feed one frame: its probabilities, or None when no face is in it."""
        if probabilities is None:
            return self._update_without_face(now)
        face_event = None if self._face_present else "found"
        self._face_present = True
        self._last_face_time = now
        self._blend(probabilities, now)
        changed = self._consider_switch(now)
        return SmoothedState(dict(self._average), self._confirmed, changed, True, face_event)

    def _blend(self, probabilities: Mapping[Emotion, float], now: float) -> None:
        # The first frame after a reset sets the average; later ones move it by a weight
        # that depends on the time elapsed, not on the frame rate.
        if self._last_time is None:
            weight = 1.0
        else:
            weight = 1.0 - 0.5 ** (max(0.0, now - self._last_time) / self.settings.half_life_s)
        self._last_time = now
        total = sum(probabilities.get(e, 0.0) for e in ALL_EMOTIONS) or 1.0
        for emotion in ALL_EMOTIONS:
            target = probabilities.get(emotion, 0.0) / total
            self._average[emotion] += weight * (target - self._average[emotion])

    def _consider_switch(self, now: float) -> bool:
        # The leader must stand clear of every other emotion, the confirmed one included:
        # a near tie (two emotions in turn) is ambiguous and changes nothing.
        runner_up, leader = sorted(self._average, key=self._average.get)[-2:]
        lead = self._average[leader] - self._average[runner_up]
        if (leader is self._confirmed or self._average[leader] < self.settings.min_confidence
                or lead < self.settings.margin):
            self._candidate = None
            return False
        if leader is not self._candidate:
            self._candidate, self._candidate_since = leader, now
            return False
        if now - self._candidate_since < self.settings.dwell_s:
            return False
        self._confirmed, self._candidate = leader, None
        return True

    def _update_without_face(self, now: float) -> SmoothedState:
        self._last_time = now
        gone_since = self._last_face_time
        if not self._face_present or gone_since is None \
                or now - gone_since < self.settings.face_lost_after_s:
            return SmoothedState(dict(self._average), self._confirmed, False,
                                 self._face_present)
        # The face has been gone long enough: the signal rests at neutral.
        changed = self._confirmed is not Emotion.NEUTRAL
        self._face_present = False
        self._confirmed, self._candidate = Emotion.NEUTRAL, None
        self._average = _one_hot(Emotion.NEUTRAL)
        return SmoothedState(dict(self._average), Emotion.NEUTRAL, changed, False, "lost")
