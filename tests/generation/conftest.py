"""The tiny random model, built once per test session with `animo make-tiny-model`."""

from pathlib import Path

import pytest

pytest.importorskip("diffusers", reason="the diffusion backend's libraries are not installed")

import torch  # noqa: E402

from animo_desktop.cli import main  # noqa: E402
from animo_desktop.generation.diffusion_backend import DiffusionBackend, DiffusionSettings  # noqa: E402
from animo_desktop.generation.model_locator import ModelSource  # noqa: E402
from animo_desktop.generation.tiny_model import TINY_IMAGE_SIZE, TinyModel  # noqa: E402
from tests.generation.ldm_checkpoint import save_single_file  # noqa: E402

# The machine is shared: one thread is both faster and steadier for a model this small.
torch.set_num_threads(1)

TINY_SETTINGS = DiffusionSettings(steps=4, size=TINY_IMAGE_SIZE, cpu_threads=1)


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory) -> TinyModel:
    folder = tmp_path_factory.mktemp("tiny")
    assert main(["make-tiny-model", str(folder)]) == 0
    model = TinyModel(folder / "tiny-sd15", folder / "lora",
                      folder / "lora" / "few-step.safetensors")
    assert model.folder.is_dir()
    return model


@pytest.fixture(scope="session")
def tiny_checkpoint(tiny_model, tmp_path_factory) -> Path:
    """The tiny model's weights as one AUTOMATIC1111-style .safetensors, for the single-file
    loading path (read with the folder's configs: SD 1.5's would refuse a UNet so narrow)."""
    from diffusers import StableDiffusionPipeline

    checkpoint = tmp_path_factory.mktemp("tiny-single-file") / "tiny-sd15.safetensors"
    save_single_file(StableDiffusionPipeline.from_pretrained(tiny_model.folder,
                                                             local_files_only=True), checkpoint)
    return checkpoint


def make_backend(model: TinyModel, lora_dir=None, settings=TINY_SETTINGS, **options):
    return DiffusionBackend(ModelSource(model.folder, "diffusers folder"), device="cpu",
                            lora_dir=lora_dir or model.lora_dir, settings=settings, **options)


@pytest.fixture(scope="session")
def tiny_backend(tiny_model) -> DiffusionBackend:
    """Shared by the tests that only generate (never change its settings)."""
    return make_backend(tiny_model)
