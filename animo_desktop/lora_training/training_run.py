"""The app's trainings while they run (no Qt here): one `animo train-lora` process per
emotion, one after the other, and what their reports (progress_stream.py) say, for the
training dialog to show: the step, loss and time left, each emotion's loss curve, the
validation images, the LoRAs written, the notes, and why it stopped or failed.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from animo_desktop.emotions import Emotion
from animo_desktop.lora_training.progress_stream import (FailedReport, LoraWrittenReport,
                                                         NoticeReport, Report, StepReport,
                                                         StoppedReport, ValidationReport)

# The exit status of a training stopped on request (the shell's for SIGINT).
STOPPED_EXIT_CODE = 130


class RunState(enum.Enum):
    RUNNING = "running"
    STOPPING = "stopping"  # asked to stop: the step under way ends, its state is saved
    FINISHED = "finished"  # every emotion's LoRA is written
    STOPPED = "stopped"
    FAILED = "failed"


@dataclass
class TrainingRun:
    emotions: tuple[Emotion, ...]  # to train, in this order
    state: RunState = RunState.RUNNING
    position: int = 0  # the emotion under way
    last_step: StepReport | None = None
    losses: dict[Emotion, list[float]] = field(default_factory=dict)
    validation_images: list[ValidationReport] = field(default_factory=list)
    written: list[LoraWrittenReport] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    failure: str | None = None
    stopped: StoppedReport | None = None

    @property
    def current(self) -> Emotion | None:
        return self.emotions[self.position] if self.position < len(self.emotions) else None

    @property
    def is_over(self) -> bool:
        return self.state in (RunState.FINISHED, RunState.STOPPED, RunState.FAILED)

    def read(self, report: Report) -> None:
        if isinstance(report, StepReport):
            self.last_step = report
            self.losses.setdefault(report.emotion, []).append(report.loss)
        elif isinstance(report, ValidationReport):
            self.validation_images.append(report)
        elif isinstance(report, LoraWrittenReport):
            self.written.append(report)
        elif isinstance(report, NoticeReport):
            self.notes.append(report.text)
        elif isinstance(report, StoppedReport):
            self.stopped = report
        elif isinstance(report, FailedReport):
            self.failure = report.text

    def ask_to_stop(self) -> None:
        if not self.is_over:
            self.state = RunState.STOPPING

    def process_ended(self, exit_code: int, error_output: str = "") -> Emotion | None:
        """The process of the current emotion has ended: the next emotion to train, or
        None when the run is over (its state says how)."""
        emotion = self.current
        if exit_code == 0 and any(report.emotion is emotion for report in self.written):
            self.position += 1
            if self.state is RunState.STOPPING or self.current is None:
                self.state = RunState.FINISHED if self.current is None else RunState.STOPPED
                return None
            return self.current
        if exit_code == STOPPED_EXIT_CODE and self.stopped is not None:
            self.state = RunState.STOPPED
            return None
        self.state = RunState.FAILED
        if self.failure is None:  # a crash: its last words are all there is
            last_lines = "\n".join(error_output.strip().splitlines()[-5:])
            self.failure = (f"the {emotion.value if emotion else ''} training ended "
                            f"unexpectedly (exit status {exit_code})"
                            + (f":\n{last_lines}" if last_lines else ""))
        return None
