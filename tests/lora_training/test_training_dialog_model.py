"""The training dialog's Qt-free model: the JSON report lines read back as what was
written, the plan's command lines, the run's course from its reports and exit codes, and
the stop request read from stdin."""

import io
import sys
import time
from pathlib import Path

import pytest

from animo_desktop.emotions import Emotion
from animo_desktop.lora_training.progress_stream import (FailedReport, LoraWrittenReport,
                                                         NoticeReport, StepReport,
                                                         StoppedReport, ValidationReport,
                                                         parse_report, report_line)
from animo_desktop.lora_training.stop_request import StopOnStdinLine
from animo_desktop.lora_training.training_plan import TrainingPlan
from animo_desktop.lora_training.training_run import STOPPED_EXIT_CODE, RunState, TrainingRun
from tests.lora_training.conftest import solid_images

JOY_WRITTEN = LoraWrittenReport(Emotion.JOY, Path("/l/joy.safetensors"), Path("/l/emotions.toml"))


@pytest.mark.parametrize("report", [
    StepReport(Emotion.JOY, 3, 40, 1, 0.125, 12.5),
    ValidationReport(Emotion.FEAR, 2, Path("/l/fear.epoch-2.png")),
    NoticeReport("note: é.png is only 100 x 100 pixels"),
    JOY_WRITTEN,
    LoraWrittenReport(Emotion.JOY, Path("/l/joy.safetensors"), None),
    StoppedReport(Emotion.ANGER, 7, Path("/l/anger.training-state.json")),
    FailedReport("/a/joy holds no images"),
])
def test_each_report_reads_back_as_written(report):
    line = report_line(report)
    assert "\n" not in line
    assert parse_report(line) == report


@pytest.mark.parametrize("line", ["Loading pipeline components...", "", "[1, 2]",
                                  '{"event": "unknown"}', '{"event": "step", "step": 1}',
                                  '{"event": "notice", "text": 3}'])
def test_a_line_that_is_no_report_is_none(line):
    assert parse_report(line) is None


def test_the_plan_commands_one_emotion_with_the_sessions_model_and_loras(tmp_path):
    plan = TrainingPlan(model="/models/sd15", lora_dir="/loras", device="cpu", epochs=12,
                        options=("--rank", "4"))
    plan = plan.with_folder(Emotion.JOY, solid_images(tmp_path / "5_joy"))
    assert plan.emotions == (Emotion.JOY,) and plan.refusal() is None
    assert plan.folders[Emotion.JOY].description == "2 images, each 5 times an epoch"
    assert plan.command(Emotion.JOY) == [
        sys.executable, "-m", "animo_desktop", "train-lora", "--emotion", "joy",
        "--images", str(tmp_path / "5_joy"), "--epochs", "12", "--device", "cpu",
        "--progress-json", "--model", "/models/sd15", "--lora-dir", "/loras", "--rank", "4"]
    assert plan.with_folder(Emotion.JOY, None).refusal() == (
        "Choose a folder of artworks for at least one emotion.")


def test_a_run_trains_its_emotions_one_after_the_other():
    run = TrainingRun((Emotion.JOY, Emotion.ANGER))
    run.read(StepReport(Emotion.JOY, 1, 2, 1, 0.5, 1.0))
    run.read(StepReport(Emotion.JOY, 2, 2, 1, 0.25, 0.0))
    run.read(JOY_WRITTEN)
    assert run.process_ended(0) is Emotion.ANGER
    assert run.losses == {Emotion.JOY: [0.5, 0.25]} and run.state is RunState.RUNNING
    run.read(LoraWrittenReport(Emotion.ANGER, Path("/l/anger.safetensors"), None))
    assert run.process_ended(0) is None and run.state is RunState.FINISHED


def test_a_stop_ends_the_run_after_the_emotion_under_way():
    run = TrainingRun((Emotion.JOY, Emotion.ANGER))
    run.ask_to_stop()
    run.read(StoppedReport(Emotion.JOY, 1, Path("/l/joy.training-state.json")))
    assert run.process_ended(STOPPED_EXIT_CODE) is None and run.state is RunState.STOPPED
    finishing = TrainingRun((Emotion.JOY, Emotion.ANGER))
    finishing.read(JOY_WRITTEN)
    finishing.ask_to_stop()  # came as the joy LoRA was being written: anger is not begun
    assert finishing.process_ended(0) is None and finishing.state is RunState.STOPPED


def test_a_crash_without_a_report_is_told_with_its_last_words():
    run = TrainingRun((Emotion.JOY,))
    assert run.process_ended(1, "Traceback ...\nRuntimeError: boom\n") is None
    assert run.state is RunState.FAILED
    assert run.failure == ("the joy training ended unexpectedly (exit status 1):\n"
                           "Traceback ...\nRuntimeError: boom")
    told = TrainingRun((Emotion.JOY,))
    told.read(FailedReport("no Stable Diffusion 1.5 model found"))
    told.process_ended(1, "animo train-lora: no Stable Diffusion 1.5 model found")
    assert told.failure == "no Stable Diffusion 1.5 model found"


# The end of stdin is the app gone: a training left running for nobody stops too.
@pytest.mark.parametrize("stdin", ["stop\n", "", "hello\n"])
def test_a_stop_line_or_the_end_of_stdin_asks_to_stop(stdin):
    stop = StopOnStdinLine(io.StringIO(stdin))
    deadline = time.monotonic() + 5
    while not stop() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert stop()


def test_no_stop_is_asked_while_stdin_stays_open_without_one():
    class OpenStdin:
        def __iter__(self):
            yield "not yet\n"
            time.sleep(5)  # the app, alive, sends nothing

    stop = StopOnStdinLine(OpenStdin())
    time.sleep(0.2)
    assert not stop()
