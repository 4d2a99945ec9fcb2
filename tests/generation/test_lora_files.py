"""Reading a LoRA file named in the manifest: only a regular file is opened."""

import pytest

from animo_desktop.generation.lora_bank import LoraFileError, read_lora_file
from tests.conftest import make_fifo, returns_in_time


def test_a_lora_that_is_no_regular_file_is_refused_without_waiting(tmp_path):
    fifo = make_fifo(tmp_path / "joy.safetensors")
    (tmp_path / "anger.safetensors").mkdir()
    for path in (fifo, tmp_path / "anger.safetensors"):
        with pytest.raises(LoraFileError, match=f"{path.name} is not a regular file"):
            returns_in_time(lambda: read_lora_file(path), fifo)
    with pytest.raises(LoraFileError, match="fear.safetensors does not exist"):
        read_lora_file(tmp_path / "fear.safetensors")


@pytest.mark.parametrize("poison", [float("nan"), float("inf"), float("-inf")])
def test_a_lora_with_non_finite_weights_is_refused_by_name(tmp_path, poison):
    import torch
    from safetensors.torch import save_file

    weights = torch.randn(4, 8)
    weights[1, 2] = poison
    path = tmp_path / "joy.safetensors"
    save_file({"unet.a.lora_A.weight": torch.randn(4, 8), "unet.a.lora_B.weight": weights},
              str(path))
    with pytest.raises(LoraFileError, match=r"joy\.safetensors holds weights that are not "
                                            r"finite numbers .* first unet\.a\.lora_B\.weight"):
        read_lora_file(path)


def test_a_nan_lora_leaves_its_emotion_prompt_only(tiny_model, tmp_path):
    import shutil

    from safetensors.torch import load_file, save_file

    from animo_desktop.emotions import Emotion
    from animo_desktop.messages import GenerationRequest
    from tests.generation.conftest import make_backend

    loras = tmp_path / "lora"
    shutil.copytree(tiny_model.lora_dir, loras)
    (joy,) = loras.glob("joy*.safetensors")  # in the diffusers or the Kohya layout
    tensors = load_file(str(joy))
    key = sorted(tensors)[0]
    tensors[key] = tensors[key].clone()
    tensors[key].view(-1)[0] = float("nan")
    save_file(tensors, str(joy))
    backend = make_backend(tiny_model, lora_dir=loras)
    assert Emotion.JOY not in backend.loras.loaded and backend.loras.loaded
    warnings = " ".join(backend.warnings)
    assert f"The joy LoRA ({joy.name}) could not be used" in warnings
    assert "not finite numbers (NaN or infinity)" in warnings
    assert "That emotion is generated from the prompt alone." in warnings
    artwork = backend.generate(GenerationRequest(1, Emotion.JOY, 3, ""), lambda progress: True)
    assert artwork.metadata.lora is None
