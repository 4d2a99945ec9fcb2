"""One LoRA trained once per test session by `animo train-lora` on the tiny model: two
solid red images in a Kohya folder, 40 steps at 64 px (a few seconds)."""

import contextlib
import io
import os
import shutil
import signal
from dataclasses import dataclass
from pathlib import Path

import pytest
from PIL import Image

from tests.generation.conftest import tiny_model  # noqa: F401  (the session's tiny model)

TRAINING_COLOUR = (230, 20, 20)
# The tiny model learns little at the recipe's 3e-4 in 40 steps: a larger rate makes the
# LoRA's effect clear in a test this short.
TEST_LEARNING_RATE = "3e-2"
TEST_OPTIONS = ["--resolution", "64", "--rank", "4", "--learning-rate", TEST_LEARNING_RATE,
                "--device", "cpu"]


@dataclass(frozen=True)
class TrainedJoy:
    images: Path  # the Kohya folder "10_joy"
    lora_dir: Path  # the tiny model's manifest, joy pointing at the trained file
    lora: Path
    output: str  # what the command printed


def solid_images(folder: Path, colour=TRAINING_COLOUR, count: int = 2) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for index in range(count):
        Image.new("RGB", (64, 64), colour).save(folder / f"colour {index}.png")
    return folder


def train_command(tiny, images: Path, lora_dir: Path, *options: str) -> list[str]:
    return ["train-lora", "--emotion", "joy", "--images", str(images), "--model",
            str(tiny.folder), "--lora-dir", str(lora_dir), *TEST_OPTIONS, *options]


@pytest.fixture(scope="session")
def trained_joy(tiny_model, tmp_path_factory) -> TrainedJoy:  # noqa: F811
    from animo_desktop.cli import main

    root = tmp_path_factory.mktemp("trained-joy")
    images = solid_images(root / "10_joy")
    (images / "colour 0.txt").write_text("Joy artstyle, red field", encoding="utf-8")
    lora_dir = root / "lora"
    shutil.copytree(tiny_model.lora_dir, lora_dir)
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):  # capsys is not for session fixtures
        assert main(train_command(tiny_model, images, lora_dir, "--epochs", "2")) == 0
    return TrainedJoy(images, lora_dir, lora_dir / "joy.safetensors", printed.getvalue())


@contextlib.contextmanager
def ctrl_c_at_step(step: int):
    """Within it, `animo train-lora` gets a Ctrl+C (SIGINT) as it reports this step, as
    from a terminal; its progress printing is itself again afterwards."""
    from animo_desktop.commands import train_lora as command

    printer = command.progress_printer

    def printer_pressing_ctrl_c(label, stream):
        show = printer(label, stream)

        def show_then_interrupt(progress):
            show(progress)
            if progress.step == step:
                os.kill(os.getpid(), signal.SIGINT)

        return show_then_interrupt

    command.progress_printer = printer_pressing_ctrl_c
    try:
        yield
    finally:
        command.progress_printer = printer
