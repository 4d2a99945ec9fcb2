"""What `animo train-lora` makes: a Kohya-format file with Kohya's metadata that ANIMO's
LoRA bank loads, that lowers the denoising loss on its images and moves the model's output
toward them."""

import json

import numpy as np
import pytest
import torch
from safetensors import safe_open

from animo_desktop.emotions import Emotion
from animo_desktop.lora_training.image_folder import TrainingImage
from animo_desktop.lora_training.trainer import (TrainingBatch, cache_latents, caption_tokens,
                                                 denoising_loss)
from animo_desktop.messages import GenerationRequest
from tests.generation.conftest import make_backend
from tests.lora_training.conftest import TRAINING_COLOUR


@pytest.fixture(scope="module")
def backend(tiny_model, trained_joy):
    return make_backend(tiny_model, lora_dir=trained_joy.lora_dir)


def test_the_file_has_kohya_keys_with_alpha_in_fp16(trained_joy):
    with safe_open(str(trained_joy.lora), "pt") as lora:
        keys = list(lora.keys())
        tensors = {key: lora.get_tensor(key) for key in keys}
    assert keys and all(key.startswith(("lora_unet_", "lora_te_text_model_")) for key in keys)
    layers = {key.split(".")[0] for key in keys}
    assert any(layer.startswith("lora_te_") for layer in layers)
    for layer in layers:
        assert {f"{layer}.lora_down.weight", f"{layer}.lora_up.weight", f"{layer}.alpha"} <= \
            set(keys)
        assert float(tensors[f"{layer}.alpha"]) == 4.0
    assert {tensor.dtype for tensor in tensors.values()} == {torch.float16}


def test_the_file_carries_kohyas_training_metadata(trained_joy):
    with safe_open(str(trained_joy.lora), "pt") as lora:
        metadata = lora.metadata()
    assert metadata["ss_sd_model_name"] == "tiny-sd15"
    assert (metadata["ss_network_dim"], metadata["ss_network_alpha"]) == ("4", "4.0")
    assert (metadata["ss_num_epochs"], metadata["ss_steps"]) == ("2", "40")
    assert metadata["ss_learning_rate"] == "0.03"
    assert metadata["ss_resolution"] == "(64, 64)"
    assert metadata["ss_lr_scheduler"] == "constant" and metadata["ss_lr_warmup_steps"] == "0"
    assert metadata["ss_optimizer"].startswith("transformers.optimization.Adafactor(")
    assert metadata["ss_mixed_precision"] == "no" and metadata["ss_seed"] == "0"
    assert json.loads(metadata["ss_dataset_dirs"]) == {"10_joy": {"n_repeats": 10,
                                                                  "img_count": 2}}
    # One image's caption file, the other the manifest's trigger words.
    assert json.loads(metadata["ss_tag_frequency"]) == {
        "10_joy": {"Joy artstyle": 2, "red field": 1}}


def test_the_command_reports_progress_and_the_manifest_points_at_the_file(trained_joy):
    assert "joy: step 40/40  epoch 2  loss " in trained_joy.output
    assert " left" in trained_joy.output
    assert f"now uses {trained_joy.lora.name}" in trained_joy.output
    manifest = (trained_joy.lora_dir / "emotions.toml").read_text(encoding="utf-8")
    assert "[emotions.joy]\nfile = \"joy.safetensors\"" in manifest
    assert manifest.startswith("# RANDOM test LoRAs made by ANIMO")  # its comment kept


def test_the_lora_bank_loads_it_and_it_changes_the_artwork(backend):
    assert Emotion.JOY in backend.loras.loaded
    with_lora = backend.generate(GenerationRequest(1, Emotion.JOY, 3, ""), lambda p: True)
    without = backend.generate(GenerationRequest(2, Emotion.JOY, 3, "", lora_strength=0.0),
                               lambda p: True)
    assert with_lora.metadata.lora == "joy.safetensors" and without.metadata.lora is None
    difference = np.abs(np.asarray(with_lora.image, float) - np.asarray(without.image, float))
    assert difference.mean() > 1.0


def _colour_latents(pipeline):
    from PIL import Image

    image = TrainingImage(None, "", Image.new("RGB", (64, 64), TRAINING_COLOUR))
    return cache_latents(pipeline, [image])[0]


def _with_and_without_lora(backend, measure):
    backend.loras.activate(Emotion.JOY, 1.0)
    trained = measure()
    backend.loras.activate(Emotion.JOY, 0.0)  # the slot off: the untrained model
    untrained = measure()
    return trained, untrained


def test_the_loss_on_its_images_goes_down(backend):
    from diffusers import DDPMScheduler

    pipeline = backend.pipeline
    latents = _colour_latents(pipeline).repeat(8, 1, 1, 1)
    generator = torch.Generator().manual_seed(5)
    batch = TrainingBatch(latents, caption_tokens(pipeline.tokenizer, ["Joy artstyle"] * 8),
                          torch.randn(latents.shape, generator=generator),
                          torch.linspace(50, 950, 8).long())
    scheduler = DDPMScheduler.from_config(pipeline.scheduler.config)
    with torch.no_grad():
        trained, untrained = _with_and_without_lora(
            backend, lambda: float(denoising_loss(pipeline, scheduler, batch)))
    assert trained < untrained * 0.97


def test_the_output_moves_toward_the_training_colour(backend):
    """From a grey start (img2img at 0.7: the grey holds no red, so any move toward red is
    the LoRA's), compared as latents: the tiny model's random VAE does not keep colours
    (red comes back from its round trip as grey), so the colour is what the VAE encodes it
    as, a latent's mean per channel (as a picture's colour is its mean per channel). From
    pure noise the random UNet's output is too wild (latents of std 15) to show a trend."""
    from diffusers import StableDiffusionImg2ImgPipeline
    from PIL import Image

    pipeline = StableDiffusionImg2ImgPipeline(**backend.pipeline.components,
                                              requires_safety_checker=False)
    colour = _colour_latents(pipeline).mean(dim=(2, 3))
    grey = Image.new("RGB", (64, 64), (128, 128, 128))

    def distance_to_colour() -> float:
        with torch.no_grad():
            latents = pipeline("Joy artstyle", image=grey, strength=0.7, num_inference_steps=10,
                               generator=torch.Generator().manual_seed(3),
                               output_type="latent").images
        return float((latents.mean(dim=(2, 3)) - colour).abs().mean())

    trained, untrained = _with_and_without_lora(backend, distance_to_colour)
    assert trained < untrained * 0.9


def test_each_epoch_leaves_a_validation_image_beside_the_lora(trained_joy):
    from PIL import Image

    from animo_desktop.storage import read_png_text

    paths = [trained_joy.lora_dir / f"joy.epoch-{epoch}.png" for epoch in (1, 2)]
    assert sorted(trained_joy.lora_dir.glob("joy.epoch-*.png")) == paths
    assert not list(trained_joy.lora_dir.glob(".joy.epoch-*"))  # no temporary file left
    for epoch, path in enumerate(paths, start=1):
        text = read_png_text(path)
        session = json.loads(text["animo:session"])
        assert session["seed"] == 0 and session["lora"] == "joy.safetensors"
        assert session["extra"]["epoch"] == epoch
        assert session["extra"]["training_step"] == 20 * epoch
        assert session["prompt"] in text["parameters"] and "Seed: 0" in text["parameters"]
        assert f"epoch {epoch} validation image: {path}" in trained_joy.output
    first, second = (np.asarray(Image.open(path).convert("RGB")) for path in paths)
    assert first.shape == second.shape == (64, 64, 3)
    assert not np.array_equal(first, second)  # the same seed: only the LoRA changed
