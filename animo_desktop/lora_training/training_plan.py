"""What the app's training dialog is asked to train, before it starts (no Qt here): the
folder chosen for each emotion with what it holds, the base model, the epochs, and the
`animo train-lora` command line of each emotion.

The folders are only listed here (image_folder.image_files: no image is opened, so
choosing a folder of large scans is instant); the training command checks every image
before it loads the model, and the dialog shows what it finds.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Mapping

from animo_desktop.emotions import ALL_EMOTIONS, Emotion
from animo_desktop.lora_training.image_folder import (TrainingDataError, image_files,
                                                      kohya_folder_name)
from animo_desktop.lora_training.recipe import DEFAULT_EPOCHS

THUMBNAILS_PER_FOLDER = 4


@dataclass(frozen=True)
class FolderSummary:
    folder: Path
    images: tuple[Path, ...] = ()
    problem: str | None = None  # why nothing can be trained from it

    @property
    def repeats(self) -> int:
        """Kohya's repeat count of a folder named like 10_joy, else 1."""
        return kohya_folder_name(self.folder.name)[0] or 1

    @property
    def thumbnails(self) -> tuple[Path, ...]:
        return self.images[:THUMBNAILS_PER_FOLDER]

    @property
    def description(self) -> str:
        if self.problem:
            return self.problem
        count = f"{len(self.images)} image{'s' if len(self.images) != 1 else ''}"
        return count if self.repeats == 1 else f"{count}, each {self.repeats} times an epoch"


def summarize_folder(folder: Path) -> FolderSummary:
    try:
        return FolderSummary(folder, tuple(image_files(folder)))
    except (TrainingDataError, OSError) as error:
        return FolderSummary(folder, problem=str(error))


def train_lora_program() -> list[str]:
    """How to run `animo train-lora` in a process of its own: the bundle's own executable
    (PyInstaller sets sys.frozen), else this Python running the package."""
    if getattr(sys, "frozen", False):
        return [sys.executable, "train-lora"]
    return [sys.executable, "-m", "animo_desktop", "train-lora"]


@dataclass(frozen=True)
class TrainingPlan:
    folders: Mapping[Emotion, FolderSummary] = field(default_factory=dict)
    model: str | None = None  # None: the model `animo doctor` finds first
    lora_dir: str | None = None  # the running app's: its LoRA bank reloads from there
    device: str = "auto"
    epochs: int = DEFAULT_EPOCHS
    resume: bool = False  # continue the last trainings: stopped, or to more epochs
    # Further `train-lora` options, as typed on its command line (--max-steps, --rank, ...).
    options: tuple[str, ...] = ()

    def with_folder(self, emotion: Emotion, folder: Path | None) -> "TrainingPlan":
        folders = {key: value for key, value in self.folders.items() if key is not emotion}
        if folder is not None:
            folders[emotion] = summarize_folder(folder)
        return replace(self, folders=folders)

    @property
    def emotions(self) -> tuple[Emotion, ...]:
        """The emotions to train, in catalogue order: those with a usable folder."""
        return tuple(emotion for emotion in ALL_EMOTIONS
                     if emotion in self.folders and not self.folders[emotion].problem)

    def refusal(self) -> str | None:
        """Why the training cannot start, in words; None when it can."""
        for emotion, summary in self.folders.items():
            if summary.problem:
                return f"{emotion.display_name}: {summary.problem}"
        if not self.emotions:
            return "Choose a folder of artworks for at least one emotion."
        return None

    def command(self, emotion: Emotion) -> list[str]:
        command = [*train_lora_program(), "--emotion", emotion.value,
                   "--images", str(self.folders[emotion].folder), "--epochs", str(self.epochs),
                   "--device", self.device, "--progress-json"]
        if self.model:
            command += ["--model", self.model]
        if self.lora_dir:
            command += ["--lora-dir", self.lora_dir]
        if self.resume:
            command.append("--resume")
        return command + list(self.options)
