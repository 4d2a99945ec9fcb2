import re
import shutil
import socket
from functools import partial
from pathlib import Path

import numpy as np
import pytest

from animo_desktop.emotions import Emotion
from animo_desktop.folder_deadline import FolderStalled
from animo_desktop.generation.backend import create_backend
from animo_desktop.generation.clip_tokenizer import sd15_tokenizer
from animo_desktop.generation.diffusion_backend import DiffusionBackend
from animo_desktop.generation.model_loading import SD15_CONFIG_DIR, choose_device, load_pipeline
from animo_desktop.generation.model_locator import (ModelLoadError, ModelSource, find_models,
                                                    resolve_model)
from animo_desktop.generation.painter_backend import PainterBackend
from animo_desktop.messages import GenerationRequest
from tests.generation.conftest import TINY_SETTINGS
from tests.conftest import make_fifo, returns_in_time
from tests.generation.test_safetensors_header import SDXL_TEXT, checkpoint, header_file, ldm


@pytest.fixture
def no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("ANIMO tried to reach the network")
    monkeypatch.setattr(socket.socket, "connect", refuse)


def image_of(backend):
    request = GenerationRequest(1, Emotion.SURPRISE, 4, "dunes")
    return np.asarray(backend.generate(request, lambda progress: True).image)


def test_single_file_checkpoint_loads_offline_and_matches_the_folder(
        tiny_model, tiny_checkpoint, tiny_backend, no_network):
    source = resolve_model(str(tiny_checkpoint))
    assert source == ModelSource(tiny_checkpoint, "single file")
    backend = DiffusionBackend(source, device="cpu", lora_dir=tiny_model.lora_dir,
                               settings=TINY_SETTINGS, config_dir=tiny_model.folder)
    difference = np.abs(image_of(backend).astype(int) - image_of(tiny_backend).astype(int))
    assert difference.max() <= 2 and difference.mean() < 0.1


@pytest.mark.parametrize("suffix", [".ckpt", ".pt", ".bin"])
def test_pickle_checkpoints_are_refused_with_the_reason_and_a_way_out(tmp_path, suffix):
    checkpoint = tmp_path / f"model{suffix}"
    checkpoint.write_bytes(b"\x80\x04 pickle")
    with pytest.raises(ModelLoadError, match="only .safetensors.*runs whatever code.*[Cc]onvert"):
        resolve_model(str(checkpoint))
    backend, warnings = create_backend("diffusion", model=str(checkpoint))
    assert isinstance(backend, PainterBackend) and "pickle" in warnings[0]


def test_a_broken_checkpoint_hands_over_to_the_painter_with_a_message(tmp_path, no_network):
    broken = tmp_path / "broken.safetensors"
    broken.write_bytes(b"\x10\x00\x00\x00\x00\x00\x00\x00{not json}")
    backend, warnings = create_backend("auto", model=str(broken), device="cpu")
    assert isinstance(backend, PainterBackend)
    assert "broken" in warnings[0] and "painter" in warnings[0]


def test_auto_uses_diffusion_when_a_model_is_found_and_the_painter_otherwise(tiny_model, tmp_path,
                                                                             monkeypatch):
    backend, warnings = create_backend("auto")
    assert isinstance(backend, PainterBackend) and warnings == []
    backend, warnings = create_backend("diffusion")
    assert isinstance(backend, PainterBackend) and "No Stable Diffusion" in warnings[0]
    models = tmp_path / "data" / "models"  # ANIMO's own models folder (ANIMO_DATA_DIR)
    models.mkdir(parents=True)
    (models / "tiny").symlink_to(tiny_model.folder)
    monkeypatch.setenv("ANIMO_LORA_DIR", str(tiny_model.lora_dir))
    backend, warnings = create_backend("auto", device="cpu")
    assert backend.info.name == "diffusion" and warnings == []
    assert len(backend.loras.loaded) == 7


def test_models_are_found_where_other_tools_keep_them(tmp_path, monkeypatch, tiny_model):
    comfy, a1111 = tmp_path / "ComfyUI", tmp_path / "webui"
    (comfy / "models" / "checkpoints").mkdir(parents=True)
    (comfy / "models" / "checkpoints" / "dream.safetensors").write_bytes(b"")
    (a1111 / "models" / "Stable-diffusion").mkdir(parents=True)
    (a1111 / "models" / "Stable-diffusion" / "old.ckpt").write_bytes(b"")
    monkeypatch.setenv("ANIMO_MODEL_ROOTS", f"{comfy}:{a1111}")
    found = {model.path.name: model for model in find_models()}
    assert found["dream.safetensors"].usable and found["dream.safetensors"].origin == "ComfyUI"
    assert not found["old.ckpt"].usable
    assert resolve_model(None).path.name == "dream.safetensors"


def test_checkpoints_that_are_not_sd15_are_listed_but_never_chosen(tmp_path, monkeypatch):
    folder = tmp_path / "webui" / "models" / "Stable-diffusion"
    folder.mkdir(parents=True)
    # Alphabetically first, as an SDXL or inpainting checkpoint often is beside an SD 1.5 one.
    checkpoint(folder / "a-sdxl.safetensors", **ldm(text_width=2048), **{SDXL_TEXT: (1280,)})
    checkpoint(folder / "b-inpainting.safetensors", **ldm(input_channels=9))
    checkpoint(folder / "c-dreamy.safetensors", **ldm())
    monkeypatch.setenv("ANIMO_MODEL_ROOTS", str(tmp_path / "webui"))
    found = {model.path.name: model for model in find_models()}
    assert found["a-sdxl.safetensors"].other_model == "an SDXL checkpoint"
    assert not found["b-inpainting.safetensors"].usable
    assert resolve_model(None).path.name == "c-dreamy.safetensors"


def test_only_regular_files_are_models_and_a_fifo_blocks_nothing(tmp_path, monkeypatch):
    folder = tmp_path / "webui" / "models" / "Stable-diffusion"
    folder.mkdir(parents=True)
    fifo = make_fifo(folder / "a-pipe.safetensors")
    (folder / "b-folder.safetensors").mkdir()
    (folder / "c-gone.safetensors").symlink_to(tmp_path / "deleted.safetensors")
    checkpoint(folder / "d-dreamy.safetensors", **ldm())
    monkeypatch.setenv("ANIMO_MODEL_ROOTS", str(tmp_path / "webui"))
    found = returns_in_time(find_models, fifo)
    assert [model.path.name for model in found] == ["d-dreamy.safetensors"]
    chosen = returns_in_time(lambda: resolve_model(None), fifo)
    assert chosen.path == folder / "d-dreamy.safetensors"


def test_a_model_folder_that_stalls_ends_the_search_in_time_naming_it(
        tmp_path, monkeypatch, stalled_share):
    folder = tmp_path / "webui" / "models" / "Stable-diffusion"
    folder.mkdir(parents=True)
    checkpoint(folder / "dreamy.safetensors", **ldm())
    stalled_share.stall(folder)
    monkeypatch.setenv("ANIMO_MODEL_ROOTS", str(tmp_path / "webui"))
    in_time = partial(returns_in_time, release=stalled_share.answer)
    def stalled(path):
        return f"{path} did not answer within 1 s: a network share that stalls?"

    with pytest.raises(FolderStalled, match=re.escape(stalled(folder))):
        in_time(find_models)
    model = folder / "dreamy.safetensors"
    with pytest.raises(ModelLoadError, match=re.escape(stalled(model))):
        in_time(lambda: resolve_model(str(model)))
    backend, warnings = in_time(lambda: create_backend("auto", device="cpu"))
    assert isinstance(backend, PainterBackend)
    assert stalled(folder) in warnings[0]
    assert "The built-in painter makes the artworks." in warnings[0]


def test_a_header_nested_too_deep_hands_over_to_the_painter_with_a_message(tmp_path,
                                                                           monkeypatch,
                                                                           no_network):
    depth = 100_000
    nested = b'{"a":' * depth + b"1" + b"}" * depth
    folder = tmp_path / "webui" / "models" / "Stable-diffusion"
    folder.mkdir(parents=True)
    deep = header_file(folder / "deep.safetensors", len(nested), nested)
    monkeypatch.setenv("ANIMO_MODEL_ROOTS", str(tmp_path / "webui"))
    assert [model.path for model in find_models()] == [deep]  # as `animo doctor` lists them
    backend, warnings = create_backend("auto", model=str(deep), device="cpu")
    assert isinstance(backend, PainterBackend)
    assert f"the model {deep} has a header nested too deeply to be read" in warnings[0]


def test_a_fifo_in_a_model_folder_is_refused_without_blocking(tiny_model, tmp_path, no_network):
    folder = tmp_path / "tiny"
    shutil.copytree(tiny_model.folder, folder)
    # Sorted first among the UNet's weights: the one whose hash the artworks carry.
    fifo = make_fifo(folder / "unet" / "a.safetensors")
    backend, warnings = returns_in_time(
        lambda: create_backend("diffusion", model=str(folder), device="cpu"), fifo, seconds=60)
    assert isinstance(backend, PainterBackend)
    assert (f"the model folder {folder} holds {Path('unet', 'a.safetensors')}, which is not a "
            "regular file (a named pipe") in warnings[0]


def poisoned(source: Path, target: Path, key: str, value: float) -> Path:
    """A copy of a .safetensors file with one weight set to value."""
    from safetensors.torch import load_file, save_file

    tensors = load_file(str(source))
    tensors[key].view(-1)[3] = value
    save_file(tensors, str(target))
    return target


@pytest.mark.parametrize("poison", [float("nan"), float("inf")])
def test_a_diffusers_model_with_non_finite_weights_is_refused_by_name(tiny_model, tmp_path,
                                                                      no_network, poison):
    folder = tmp_path / "tiny"
    shutil.copytree(tiny_model.folder, folder)
    weights = folder / "unet" / "diffusion_pytorch_model.safetensors"
    poisoned(weights, weights, "conv_in.weight", poison)
    backend, warnings = create_backend("diffusion", model=str(folder), device="cpu")
    assert isinstance(backend, PainterBackend)
    assert (f"the model {folder} holds weights that are not finite numbers (NaN or infinity) "
            "in 1 of its") in warnings[0]
    assert "first unet.conv_in.weight" in warnings[0] and "painter" in warnings[0]


def test_a_checkpoint_with_non_finite_weights_is_refused_by_name(tiny_model, tiny_checkpoint,
                                                                tmp_path, no_network):
    checkpoint = poisoned(tiny_checkpoint, tmp_path / "nan.safetensors",
                          "model.diffusion_model.out.2.weight", float("nan"))
    device, _ = choose_device("cpu")
    with pytest.raises(ModelLoadError, match=r"not finite numbers .* first unet\.conv_out\.weight"):
        load_pipeline(ModelSource(checkpoint, "single file"), device, config_dir=tiny_model.folder)


def test_a_checkpoint_that_is_not_sd15_says_what_it_is(tiny_checkpoint, no_network):
    backend, warnings = create_backend("diffusion", model=str(tiny_checkpoint), device="cpu")
    assert isinstance(backend, PainterBackend)
    assert ("is a model of another shape (its UNet attends to 16-wide text embeddings, SD "
            "1.5's to 768): ANIMO needs a Stable Diffusion 1.5 checkpoint") in warnings[0]


def test_a_hub_id_resolves_from_the_local_cache_only(tmp_path, monkeypatch, no_network):
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path))
    with pytest.raises(ModelLoadError, match="not in the local Hugging Face cache"):
        resolve_model("someone/some-model")
    repo = tmp_path / "models--someone--some-model"
    commit = "0123456789abcdef0123456789abcdef01234567"
    (repo / "refs").mkdir(parents=True)
    (repo / "refs" / "main").write_text(commit)
    (repo / "snapshots" / commit).mkdir(parents=True)
    (repo / "snapshots" / commit / "model_index.json").write_text("{}")
    source = resolve_model("someone/some-model")
    assert source.path == repo / "snapshots" / commit and source.name == "someone/some-model"


@pytest.mark.parametrize("spec", ["/nonexistent", "./sd15", "~/sd15", "models/sd15.ckpt",
                                  "models/sd-1.5/unet"])
def test_a_missing_path_is_told_as_a_path_not_as_a_hub_id(tmp_path, monkeypatch, spec):
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path))
    with pytest.raises(ModelLoadError) as refusal:
        resolve_model(spec)
    assert str(refusal.value) == f"the model {Path(spec).expanduser()} does not exist"


def test_the_shipped_tokenizer_is_clips():
    tokenizer = sd15_tokenizer()
    assert len(tokenizer) == 49408
    assert tokenizer("a photo of a cat").input_ids == [49406, 320, 1125, 539, 320, 2368, 49407]


def test_the_shipped_configs_describe_stable_diffusion_1_5():
    from accelerate import init_empty_weights
    from diffusers import UNet2DConditionModel

    with init_empty_weights():
        unet = UNet2DConditionModel.from_config(
            UNet2DConditionModel.load_config(SD15_CONFIG_DIR / "unet"))
    assert sum(parameter.numel() for parameter in unet.parameters()) == 859_520_964
