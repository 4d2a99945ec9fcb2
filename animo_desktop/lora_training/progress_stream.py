"""`animo train-lora --progress-json`: what the training says, one JSON object a line on
stdout, for the app's training dialog, which runs the command in a process of its own (so
that the window never waits on it) and reads these lines back as typed reports.

Every line is {"event": NAME, ...the report's fields}. A line that is not one of these
(a library printing on stdout) is no report: `parse_report` gives None for it.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO, Union, get_type_hints

from animo_desktop.emotions import Emotion


@dataclass(frozen=True)
class StepReport:
    emotion: Emotion
    step: int
    total_steps: int
    epoch: int
    loss: float
    seconds_left: float


@dataclass(frozen=True)
class ValidationReport:
    """An epoch's validation image is written."""
    emotion: Emotion
    epoch: int
    path: Path


@dataclass(frozen=True)
class NoticeReport:
    """Something the artist should read: a note on the images, a fallback, a warning."""
    text: str


@dataclass(frozen=True)
class LoraWrittenReport:
    """The LoRA file is whole; manifest is None when --no-manifest left it alone."""
    emotion: Emotion
    lora: Path
    manifest: Path | None


@dataclass(frozen=True)
class StoppedReport:
    """Stopped on request after a step: no LoRA was written, the state resumes it."""
    emotion: Emotion
    step: int
    state: Path


@dataclass(frozen=True)
class FailedReport:
    """The training cannot go on (an empty folder, a damaged image, no model, ...)."""
    text: str


Report = Union[StepReport, ValidationReport, NoticeReport, LoraWrittenReport, StoppedReport,
               FailedReport]
_EVENTS: dict[str, type] = {"step": StepReport, "validation": ValidationReport,
                            "notice": NoticeReport, "lora_written": LoraWrittenReport,
                            "stopped": StoppedReport, "failed": FailedReport}
_NAMES = {kind: name for name, kind in _EVENTS.items()}


def report_line(report: Report) -> str:
    fields = {field.name: _plain(getattr(report, field.name))
              for field in dataclasses.fields(report)}
    return json.dumps({"event": _NAMES[type(report)], **fields}, ensure_ascii=False)


def write_report(stream: TextIO, report: Report) -> None:
    """One line, flushed at once: the dialog shows it as it comes."""
    stream.write(report_line(report) + "\n")
    stream.flush()


def parse_report(line: str) -> Report | None:
    try:
        data = json.loads(line)
        kind = _EVENTS[data["event"]]
        hints = get_type_hints(kind)
        return kind(**{field.name: _typed(hints[field.name], data[field.name])
                       for field in dataclasses.fields(kind)})
    except (ValueError, KeyError, TypeError):
        return None


def _plain(value: Any) -> Any:
    if isinstance(value, Emotion):
        return value.value
    if isinstance(value, Path):
        return str(value)
    return value


def _typed(hint: Any, value: Any) -> Any:
    if value is None:
        return None
    if hint is Emotion:
        return Emotion(value)
    if hint in (Path, Path | None):
        return Path(value)
    if hint is float:
        return float(value)
    if not isinstance(value, hint):
        raise TypeError(f"{value!r} is not {hint}")
    return value
