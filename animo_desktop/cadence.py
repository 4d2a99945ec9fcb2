"""When to ask for a new artwork: at each emotion change, and every N seconds while the
emotion holds, so the canvas keeps evolving."""

from __future__ import annotations

from animo_desktop.emotions import Emotion


class ArtworkCadence:
    def __init__(self, interval_seconds: float):
        self.interval_seconds = interval_seconds
        self._emotion: Emotion | None = None
        self._last_request: float | None = None

    def reset(self) -> None:
        self._emotion = None
        self._last_request = None

    def should_request(self, emotion: Emotion, now: float) -> bool:
        """True when an artwork is due now; the caller then requests one."""
        due = (emotion != self._emotion
               or self._last_request is None
               or now - self._last_request >= self.interval_seconds)
        if due:
            self._emotion = emotion
            self._last_request = now
        return due
