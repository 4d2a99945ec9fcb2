"""Every way a model or a LoRA reaches ANIMO refuses pickles, with a booby-trapped pickle
that would leave a file behind if anything unpickled it."""

import shutil

import pytest

from animo_desktop.cli import main
from animo_desktop.emotions import Emotion
from animo_desktop.generation.backend import create_backend
from animo_desktop.generation.diffusion_backend import DiffusionBackend
from animo_desktop.generation.lora_bank import LoraFileError, read_lora_file
from animo_desktop.generation.model_locator import (PICKLE_SUFFIXES, ModelLoadError,
                                                    ModelSource, resolve_model)
from animo_desktop.generation.painter_backend import PainterBackend
from animo_desktop.messages import GenerationRequest
from tests.generation.conftest import TINY_SETTINGS, make_backend
from tests.test_no_pickle import booby_trapped_pickle


@pytest.fixture
def marker(tmp_path):
    path = tmp_path / "the pickle ran"
    yield path
    assert not path.exists(), "a pickle was unpickled"


@pytest.mark.parametrize("suffix", PICKLE_SUFFIXES)
def test_a_pickle_model_is_refused_by_every_entry_point(tmp_path, marker, capsys, suffix):
    model = booby_trapped_pickle(tmp_path / f"model{suffix}", marker)
    with pytest.raises(ModelLoadError, match="pickle"):
        resolve_model(str(model))
    backend, warnings = create_backend("auto", model=str(model), device="cpu")
    assert isinstance(backend, PainterBackend) and "pickle" in warnings[0]
    assert warnings[0].endswith("version. The built-in painter makes the artworks.")
    out = tmp_path / "renders"
    assert main(["render", "--emotion", "joy", "--model", str(model), "--out", str(out)]) == 1
    assert "pickle" in capsys.readouterr().err and not out.exists()


@pytest.mark.parametrize("suffix", PICKLE_SUFFIXES)
def test_a_pickle_lora_file_is_refused(tmp_path, marker, suffix):
    with pytest.raises(ModelLoadError, match="pickle"):
        read_lora_file(booby_trapped_pickle(tmp_path / f"joy{suffix}", marker))


def test_a_pickle_named_safetensors_is_not_unpickled(tmp_path, marker):
    disguised = booby_trapped_pickle(tmp_path / "model.safetensors", marker)
    with pytest.raises(LoraFileError, match="not a readable safetensors"):
        read_lora_file(disguised)
    backend, warnings = create_backend("diffusion", model=str(disguised), device="cpu")
    assert isinstance(backend, PainterBackend) and "could not be loaded" in warnings[0]


def test_a_diffusers_folder_with_pickle_weights_is_refused(tiny_model, tmp_path, marker):
    folder = tmp_path / "model"
    shutil.copytree(tiny_model.folder, folder)
    for weights in (folder / "unet").glob("*.safetensors"):
        weights.unlink()
    booby_trapped_pickle(folder / "unet" / "diffusion_pytorch_model.bin", marker)
    with pytest.raises(ModelLoadError, match="could not be loaded"):
        DiffusionBackend(ModelSource(folder, "diffusers folder"), device="cpu",
                         lora_dir=tiny_model.lora_dir, settings=TINY_SETTINGS)


def test_pickle_loras_in_the_manifest_cost_only_their_emotions(tiny_model, tmp_path, marker):
    loras = tmp_path / "lora"
    booby_trapped_pickle(loras / "joy.pt", marker)
    booby_trapped_pickle(loras / "anger.safetensors", marker)  # a pickle in disguise
    booby_trapped_pickle(loras / "lcm.ckpt", marker)
    shutil.copy(tiny_model.lora_dir / "fear.safetensors", loras / "fear.safetensors")
    (loras / "emotions.toml").write_text(
        '[emotions.joy]\nfile = "joy.pt"\n[emotions.anger]\nfile = "anger.safetensors"\n'
        '[emotions.fear]\nfile = "fear.safetensors"\n[few_step]\nfile = "lcm.ckpt"\n')
    backend = make_backend(tiny_model, lora_dir=loras)
    assert backend.loras.loaded == (Emotion.FEAR,)
    warnings = " ".join(backend.warnings)
    assert "joy.pt is a pickle file" in warnings and "lcm.ckpt is a pickle file" in warnings
    assert "version. That emotion is generated from the prompt alone." in warnings
    assert "anger.safetensors is not a readable safetensors file" in warnings
    artwork = backend.generate(GenerationRequest(1, Emotion.JOY, 3, ""), lambda progress: True)
    assert artwork.metadata.lora is None  # joy is painted from the prompt alone
