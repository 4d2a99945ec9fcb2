"""A LoRA trained while the app runs replaces its emotion's in the running diffusion
backend: the next artwork at the same seed changes, to exactly what a backend started
afresh on the new manifest paints; the other emotions stay as they were."""

import shutil

import numpy as np
import pytest

from animo_desktop.cli import main
from animo_desktop.emotions import Emotion
from animo_desktop.messages import GenerationRequest, LoraTrained
from tests.generation.conftest import make_backend, tiny_backend  # noqa: F401
from tests.lora_training.conftest import solid_images, train_command

JOY_REQUEST = GenerationRequest(1, Emotion.JOY, 3, "")
SADNESS_REQUEST = GenerationRequest(2, Emotion.SADNESS, 3, "")


def pixels(backend, request):
    return np.asarray(backend.generate(request, lambda progress: True).image, dtype=float)


@pytest.fixture
def lora_dir(tiny_model, tmp_path):
    folder = tmp_path / "lora"
    shutil.copytree(tiny_model.lora_dir, folder)
    return folder


def trained_joy(lora_dir) -> LoraTrained:
    return LoraTrained(Emotion.JOY, lora_dir / "joy.safetensors", lora_dir / "emotions.toml")


# Rank 4 fits the tiny bank's slot (its LoRAs are rank 4): only the matrices change. Rank 8
# does not: the slot is built anew around every LoRA.
@pytest.mark.parametrize("rank", ["4", "8"])
def test_the_next_artwork_uses_the_lora_just_trained(tiny_model, lora_dir, tmp_path, rank):
    backend = make_backend(tiny_model, lora_dir=lora_dir)
    joy_before, sadness_before = pixels(backend, JOY_REQUEST), pixels(backend, SADNESS_REQUEST)
    command = train_command(tiny_model, solid_images(tmp_path / "joy"), lora_dir,
                            "--max-steps", "2", "--epochs", "1", "--rank", rank)
    assert main(command) == 0
    assert backend.reload_lora(trained_joy(lora_dir)) == []
    joy_after = pixels(backend, JOY_REQUEST)
    assert np.abs(joy_after - joy_before).mean() > 1.0
    afresh = make_backend(tiny_model, lora_dir=lora_dir)
    assert np.array_equal(joy_after, pixels(afresh, JOY_REQUEST))
    assert np.array_equal(pixels(backend, SADNESS_REQUEST), sadness_before)


def test_a_damaged_new_lora_is_told_and_the_old_one_stays(tiny_model, lora_dir):
    backend = make_backend(tiny_model, lora_dir=lora_dir)
    before = pixels(backend, JOY_REQUEST)
    (lora_dir / "joy.safetensors").write_bytes(b"not a safetensors file")
    problems = backend.reload_lora(trained_joy(lora_dir))
    assert len(problems) == 1
    assert problems[0].startswith("The new joy LoRA (joy.safetensors) could not be used: ")
    assert np.array_equal(pixels(backend, JOY_REQUEST), before)


def test_a_lora_trained_for_another_manifest_is_not_loaded(tiny_backend, tmp_path):  # noqa: F811
    other = LoraTrained(Emotion.JOY, tmp_path / "joy.safetensors", tmp_path / "emotions.toml")
    problems = tiny_backend.reload_lora(other)
    assert problems == [f"The joy LoRA was trained into {tmp_path / 'emotions.toml'}, but this "
                        f"session's LoRAs come from {tiny_backend._lora_dir}: it is used once "
                        f"ANIMO starts with --lora-dir {tmp_path}."]
