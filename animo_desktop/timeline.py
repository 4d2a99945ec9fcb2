"""The session's emotional timeline: which emotion was current, from when to when.

Times are seconds since the session started, read from a clock the caller passes in, so
the timeline is exact for a scripted clock in tests and survives a restore (offsets, not
wall-clock moments). Paused stretches are recorded as gaps (emotion None).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any, Iterable

from animo_desktop.emotions import Emotion
from animo_desktop.json_fields import NUMBER, OPTIONAL_TEXT, json_field


@dataclass(frozen=True)
class Segment:
    emotion: Emotion | None  # None: the session was paused
    start: float
    end: float

    @property
    def duration(self) -> float:
        return self.end - self.start

    def to_dict(self) -> dict[str, Any]:
        return {"emotion": self.emotion.value if self.emotion else None,
                "start": round(self.start, 3), "end": round(self.end, 3),
                "duration": round(self.duration, 3)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Segment":
        emotion = json_field(data, "emotion", OPTIONAL_TEXT, None)
        return cls(Emotion(emotion) if emotion else None,
                   float(json_field(data, "start", NUMBER)),
                   float(json_field(data, "end", NUMBER)))


class EmotionTimeline:
    def __init__(self, segments: Iterable[Segment] = ()):
        self._closed: list[Segment] = list(segments)
        self._open: tuple[Emotion | None, float] | None = None

    def mark(self, emotion: Emotion | None, at: float) -> None:
        """From `at` on, `emotion` is current (None: paused). Repeats change nothing."""
        if self._open is not None:
            current, since = self._open
            if current is emotion:
                return
            if at > since:
                self._closed.append(Segment(current, since, at))
        self._open = (emotion, at)

    def close(self, at: float) -> None:
        """End the open segment at `at` (session ended, or state saved)."""
        if self._open is not None:
            current, since = self._open
            if at > since:
                self._closed.append(Segment(current, since, at))
            self._open = None

    def segments(self, now: float | None = None) -> list[Segment]:
        """Every segment, the open one ending at `now` when given."""
        result = list(self._closed)
        if self._open is not None and now is not None and now > self._open[1]:
            result.append(Segment(self._open[0], self._open[1], now))
        return result

    def time_per_emotion(self, now: float | None = None) -> dict[Emotion, float]:
        totals: dict[Emotion, float] = defaultdict(float)
        for segment in self.segments(now):
            if segment.emotion is not None:
                totals[segment.emotion] += segment.duration
        return dict(totals)

    def to_list(self, now: float | None = None) -> list[dict[str, Any]]:
        return [segment.to_dict() for segment in self.segments(now)]

    @classmethod
    def from_list(cls, items: Iterable[dict[str, Any]]) -> "EmotionTimeline":
        return cls(Segment.from_dict(item) for item in items)
