"""`animo train-lora`: train an emotion LoRA on the artist's images, the original recipe
(Kohya_ss's settings), into a Kohya-format file that ANIMO, AUTOMATIC1111 and ComfyUI
load, and point the LoRA manifest at it.

`--images DIR --emotion NAME` trains one LoRA; `--all DIR` one per emotion subfolder
(`DIR/joy`, Kohya's `DIR/10_joy`). Every folder is read and checked before the model is
loaded, so that a bad image stops the run at once, and nothing is written for it.

What it says goes to a person (`_TextOutput`: a progress line, notes, warnings on stderr)
or, with `--progress-json`, to the app's training dialog (`_JsonOutput`: one JSON report a
line, progress_stream.py), which stops it with a line "stop" on stdin.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable, TextIO

from animo_desktop.arguments import emotion, image_side, positive_int, positive_number
from animo_desktop.emotions import Emotion, accepted_emotion_words
from animo_desktop.generation.backend import add_model_arguments

if TYPE_CHECKING:
    from animo_desktop.lora_training.image_folder import ImageFolder
    from animo_desktop.lora_training.progress_stream import Report
    from animo_desktop.lora_training.trainer import TrainingProgress
    from animo_desktop.lora_training.validation_image import ValidationImage

NAME = "train-lora"
HELP = ("train an emotion LoRA on the artist's images (Kohya_ss's recipe) into a "
        "Kohya-format .safetensors and point the LoRA manifest at it")
LORA_SUFFIX = ".safetensors"
# Without a terminal to redraw one line, the progress is printed this many times in all.
PROGRESS_LINES = 20


class _UsageError(Exception):
    """Options that do not go together; the message says how to write them."""


class _Interrupted(Exception):
    """Ctrl+C: the training state is saved; the message says how to go on."""


@dataclass(frozen=True)
class _Job:
    emotion: Emotion
    images: "ImageFolder"
    trigger_words: tuple[str, ...]
    out: Path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from animo_desktop.lora_training import recipe

    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--images", type=Path, metavar="DIR",
                        help="the folder of one emotion's images (with --emotion); a .txt "
                             "beside an image is its caption")
    source.add_argument("--all", type=Path, metavar="DIR",
                        help="train one LoRA per emotion subfolder of DIR (joy, anger, ... "
                             "or Kohya's 10_joy)")
    parser.add_argument("--emotion", type=emotion, metavar="NAME",
                        help=f"the emotion of --images: {accepted_emotion_words()}")
    add_model_arguments(parser)
    parser.add_argument("--out", type=Path, metavar="FILE.safetensors",
                        help="the LoRA file (with --all: a folder); default: EMOTION."
                             "safetensors in the manifest's LoRA folder")
    parser.add_argument("--epochs", type=positive_int, default=recipe.DEFAULT_EPOCHS,
                        help="passes over the images (default %(default)s; the recipe: 10-30)")
    parser.add_argument("--max-steps", type=positive_int, metavar="N",
                        help="stop after this many steps, even mid-epoch")
    parser.add_argument("--learning-rate", type=positive_number,
                        default=recipe.DEFAULT_LEARNING_RATE,
                        help="Adafactor's constant learning rate (default %(default)s)")
    parser.add_argument("--rank", type=positive_int, default=recipe.DEFAULT_RANK,
                        help="the LoRA's rank, Kohya's network dim; alpha is the same "
                             "(default %(default)s)")
    parser.add_argument("--resolution", type=image_side, default=recipe.DEFAULT_RESOLUTION,
                        help="training size in pixels: each image is resized to the "
                             "aspect-ratio bucket nearest its own, of about this size squared "
                             "(default %(default)s)")
    parser.add_argument("--batch-size", type=positive_int, default=1,
                        help="images per step (default %(default)s)")
    parser.add_argument("--repeats", type=positive_int,
                        help="each image this many times per epoch (default: the count of a "
                             "Kohya folder name such as 10_joy, else 1)")
    parser.add_argument("--seed", type=int, default=0,
                        help="seed of every random draw: the same seed gives the same LoRA")
    parser.add_argument("--resume", action="store_true",
                        help="continue from the state saved beside the LoRA: a training "
                             "stopped with Ctrl+C, or a finished one given more --epochs "
                             "(the same command otherwise)")
    parser.add_argument("--no-manifest", action="store_true",
                        help="leave the LoRA manifest (emotions.toml) as it is")
    parser.add_argument("--progress-json", action="store_true",
                        help="report on stdout as one JSON object a line (for the app's "
                             "training dialog); a line 'stop' on stdin, or its end, stops "
                             "the training as Ctrl+C does")


def run(args: argparse.Namespace) -> int:
    from animo_desktop.generation.model_locator import ModelLoadError
    from animo_desktop.lora_training.image_folder import TrainingDataError
    from animo_desktop.lora_training.manifest_update import ManifestUpdateError
    from animo_desktop.lora_training.memory_fallback import TrainingOutOfMemoryError
    from animo_desktop.lora_training.trainer import TrainingDivergedError
    from animo_desktop.lora_training.training_state import TrainingStateError

    out = _JsonOutput() if args.progress_json else _TextOutput()
    try:
        return _train_all(args, out)
    except (TrainingDataError, ModelLoadError, ManifestUpdateError, TrainingDivergedError,
            TrainingOutOfMemoryError, TrainingStateError, _UsageError, OSError) as error:
        out.failed(str(error))
        if isinstance(error, OSError):
            raise  # the command line's own one sentence for it (cli.main)
        print(f"animo train-lora: {error}", file=sys.stderr)
        return 1
    except _Interrupted as interrupted:
        print(f"animo train-lora: {interrupted}", file=sys.stderr)
        return 130  # the shell's code for a command ended by SIGINT


def _train_all(args: argparse.Namespace, out: "_TextOutput | _JsonOutput") -> int:
    from animo_desktop.generation.backend import require_model
    from animo_desktop.generation.lora_manifest import default_lora_dir, load_manifest
    from animo_desktop.generation.model_loading import choose_device, load_pipeline

    if args.images is not None and args.emotion is None:
        raise _UsageError("--images needs --emotion NAME: which emotion these images are")
    if args.all is not None and args.emotion is not None:
        raise _UsageError("--all reads each emotion from its subfolder's name: leave out "
                         "--emotion (or use --images for one folder)")
    lora_location = Path(args.lora_dir).expanduser() if args.lora_dir else default_lora_dir()
    manifest, _ = load_manifest(lora_location)
    jobs = _jobs(args, manifest, lora_location, out)
    source = require_model(args.model)
    device, warnings = choose_device(args.device)
    for warning in warnings:
        out.warn(warning)
    for job in jobs:
        # A fresh model for each LoRA: training leaves its adapter in the one it used.
        pipeline = load_pipeline(source, device, on_progress=out.note)
        out.note(f"{job.emotion.value}: {len(job.images.images)} images from "
                 f"{job.images.folder} on {device.description}, caption "
                 f"\"{', '.join(job.trigger_words)}\" unless a .txt says otherwise")
        _train_one(args, job, pipeline, source.name, lora_location, out)
    return 0


def _jobs(args: argparse.Namespace, manifest, lora_location: Path,
          out: "_TextOutput | _JsonOutput") -> list[_Job]:
    """Every folder read and checked, with its output file, before any model is loaded."""
    from animo_desktop.generation.lora_manifest import manifest_file
    from animo_desktop.lora_training.image_folder import emotion_folders, read_image_folder
    from animo_desktop.lora_training.manifest_update import trigger_words

    folders = emotion_folders(args.all) if args.all is not None else [(args.emotion,
                                                                      args.images)]
    default_folder = manifest.folder or manifest_file(lora_location).parent
    if args.out is not None and args.all is None and args.out.suffix.lower() != LORA_SUFFIX:
        raise _UsageError(f"the LoRA is a safetensors file: name it "
                         f"{args.out.with_suffix(LORA_SUFFIX)}")
    jobs = []
    for emotion_of_folder, folder in folders:
        words = trigger_words(manifest, emotion_of_folder)
        images = read_image_folder(folder, ", ".join(words), args.resolution)
        for notice in images.notices:
            out.note(f"note: {notice}")
        if args.out is not None and args.all is None:
            out = args.out
        else:
            out = (args.out or default_folder) / f"{emotion_of_folder.value}{LORA_SUFFIX}"
        jobs.append(_Job(emotion_of_folder, images, words, out))
    return jobs


def _train_one(args: argparse.Namespace, job: _Job, pipeline, model_name: str,
               lora_location: Path, out: "_TextOutput | _JsonOutput") -> None:
    from animo_desktop.lora_training.kohya_export import (kohya_metadata, kohya_tensors,
                                                          write_lora_file)
    from animo_desktop.lora_training.manifest_update import point_emotion_at
    from animo_desktop.lora_training.progress_stream import LoraWrittenReport, StoppedReport
    from animo_desktop.lora_training.recipe import TrainingSettings
    from animo_desktop.lora_training.stop_request import StopOnInterrupt
    from animo_desktop.lora_training.trainer import TrainingInterrupted, train_lora
    from animo_desktop.lora_training.training_state import (load_training_state,
                                                            save_training_state,
                                                            training_state_paths)
    from animo_desktop.lora_training.validation_image import ValidationImage

    settings = TrainingSettings(
        resolution=args.resolution, epochs=args.epochs, max_steps=args.max_steps,
        learning_rate=args.learning_rate, rank=args.rank, batch_size=args.batch_size,
        repeats=args.repeats or job.images.repeats or 1, seed=args.seed)
    validation = ValidationImage(job.out, job.emotion, ", ".join(job.trigger_words),
                                 settings.seed, settings.resolution, model_name)
    image_count = len(job.images.images)
    resume_from = load_training_state(job.out, settings, image_count) if args.resume else None
    if resume_from is not None:
        out.note(f"{job.emotion.value}: resuming after step {resume_from.step}")
    with StopOnInterrupt() as interrupt:
        try:
            trained = train_lora(pipeline, job.images.images, settings,
                                 out.progress(job.emotion),
                                 validation_writer(pipeline, validation, out), resume_from,
                                 lambda: interrupt() or out.stop_requested(), out.note)
        except TrainingInterrupted as interrupted:
            try:
                save_training_state(job.out, interrupted.state)
            except OSError as error:
                raise OSError(
                    f"the {job.emotion.value} training stopped after step "
                    f"{interrupted.state.step}, but its state could not be saved beside "
                    f"{job.out} ({error.strerror or error}): there is nothing to resume"
                ) from error
            out.report(StoppedReport(job.emotion, interrupted.state.step,
                                     training_state_paths(job.out)[1]))
            raise _Interrupted(
                f"the {job.emotion.value} training stopped after step "
                f"{interrupted.state.step}; its state is in {training_state_paths(job.out)[1]}"
                ": the same command with --resume continues it") from None
    try:
        write_lora_file(job.out, kohya_tensors(trained),
                        kohya_metadata(trained, job.images, model_name, job.out.stem))
    except OSError as error:
        raise OSError(f"the {job.emotion.value} LoRA could not be written to {job.out} "
                      f"({error.strerror or error}); nothing was written there") from error
    try:  # the state at the end: --resume with more --epochs extends the training
        save_training_state(job.out, trained.state)
    except OSError as error:  # the LoRA is whole: only extending it is lost
        out.warn(f"the {job.emotion.value} training state could not be saved beside "
                 f"{job.out} ({error.strerror or error}): --resume cannot extend it")
    out.note(f"{job.emotion.value}: {trained.steps} steps in "
             f"{trained.finished_at - trained.started_at:.0f} s, final loss "
             f"{trained.losses[-1]:.4f}: {job.out}")
    manifest = None
    if not args.no_manifest:
        manifest = point_emotion_at(lora_location, job.emotion, job.out, job.trigger_words)
        out.note(f"{job.emotion.value}: {manifest} now uses {job.out.name}")
    out.report(LoraWrittenReport(job.emotion, job.out, manifest))


def validation_writer(pipeline, validation: "ValidationImage", out: "_TextOutput | _JsonOutput"
                      ) -> Callable[[int, int], None]:
    """Each epoch's validation image; one that cannot be written (or painted: out of GPU
    memory) is told and the training goes on: the LoRA is what matters."""
    import torch

    from animo_desktop.lora_training.memory_fallback import free_accelerator_memory
    from animo_desktop.lora_training.validation_image import write_validation_image

    def write(epoch: int, step: int) -> None:
        try:
            path = write_validation_image(pipeline, validation, epoch, step)
        except OSError as error:
            out.warn(f"the epoch {epoch} validation image could not be written beside "
                     f"{validation.lora} ({error.strerror or error})")
            return
        except torch.OutOfMemoryError:
            free_accelerator_memory()
            out.warn(f"the epoch {epoch} validation image could not be painted: out of GPU "
                     "memory (the training goes on)")
            return
        out.validation(validation.emotion, epoch, path)

    return write


class _TextOutput:
    """For a person: at a terminal, or a log file."""

    def note(self, text: str) -> None:
        print(text)

    def warn(self, text: str) -> None:
        print(f"warning: {text}", file=sys.stderr)

    def progress(self, emotion_trained: Emotion) -> Callable[["TrainingProgress"], None]:
        return progress_printer(emotion_trained.value, sys.stdout)

    def validation(self, emotion_trained: Emotion, epoch: int, path: Path) -> None:
        # On a terminal, in place of the progress line being redrawn (the next step's
        # line follows under it).
        clear_line = "\r\033[K" if sys.stdout.isatty() else ""
        print(f"{clear_line}{emotion_trained.value}: epoch {epoch} validation image: {path}")

    def report(self, report: "Report") -> None:
        """The notes have said it in words already."""

    def failed(self, text: str) -> None:
        """run() says it on stderr."""

    def stop_requested(self) -> bool:
        return False  # Ctrl+C only (StopOnInterrupt)


class _JsonOutput:
    """For the app's training dialog: every report a JSON line on stdout."""

    def __init__(self) -> None:
        from animo_desktop.lora_training.stop_request import StopOnStdinLine

        self.stop_requested = StopOnStdinLine()

    def note(self, text: str) -> None:
        from animo_desktop.lora_training.progress_stream import NoticeReport

        self.report(NoticeReport(text))

    def warn(self, text: str) -> None:
        self.note(f"warning: {text}")

    def progress(self, emotion_trained: Emotion) -> Callable[["TrainingProgress"], None]:
        from animo_desktop.lora_training.progress_stream import StepReport

        return lambda progress: self.report(StepReport(
            emotion_trained, progress.step, progress.total_steps, progress.epoch,
            progress.loss, progress.seconds_left))

    def validation(self, emotion_trained: Emotion, epoch: int, path: Path) -> None:
        from animo_desktop.lora_training.progress_stream import ValidationReport

        self.report(ValidationReport(emotion_trained, epoch, path))

    def report(self, report: "Report") -> None:
        from animo_desktop.lora_training.progress_stream import write_report

        write_report(sys.stdout, report)

    def failed(self, text: str) -> None:
        from animo_desktop.lora_training.progress_stream import FailedReport

        self.report(FailedReport(text))


def progress_printer(label: str, stream: TextIO) -> Callable[["TrainingProgress"], None]:
    """A progress line with step, loss and time left: redrawn in place on a terminal,
    else printed PROGRESS_LINES times in all (a log file gets no carriage returns)."""
    redraw = stream.isatty()

    def show(progress: "TrainingProgress") -> None:
        done = progress.step == progress.total_steps
        if not redraw and not done and progress.step % max(
                1, progress.total_steps // PROGRESS_LINES):
            return
        line = (f"{label}: step {progress.step}/{progress.total_steps}  epoch "
                f"{progress.epoch}  loss {progress.loss:.4f}  "
                f"{_duration(progress.seconds_left)} left")
        stream.write(f"\r{line}\033[K" if redraw else f"{line}\n")
        if redraw and done:
            stream.write("\n")
        stream.flush()

    return show


def _duration(seconds: float) -> str:
    minutes, seconds = divmod(int(round(seconds)), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"
