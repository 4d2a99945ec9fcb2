"""A random checkpoint that ComfyUI detects as Stable Diffusion 1.5, as small as that
allows, and random Kohya-format emotion LoRAs for it (both cached by their seed).

ComfyUI tells SD 1.5 from its UNet's model_channels (320) and context_dim (768), and
needs a CLIP-L-shaped text encoder: ANIMO's tiny model is too narrow. One UNet level
with one res block and one transformer block is enough; CLIP-L and the VAE keep their
full shapes (about 465 MB in fp16, some 10 s to build: cached by its seed).
"""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import torch
from safetensors.torch import save_file

from animo_desktop.emotions import ALL_EMOTIONS
from animo_desktop.generation.lora_manifest import MANIFEST_NAME
from animo_desktop.generation.tiny_model import random_lora
from tests.generation.ldm_checkpoint import ldm_state_dict

SD15_CONFIG = Path(__file__).resolve().parents[2] / "animo_desktop" / "generation" / "sd15_config"
BUILDER_VERSION = 1  # in the cached file's name: a change here builds anew
# Strong deltas: a random VAE hides weak LoRAs' changes in the pixels.
LORA_GAIN = 8.0


def thin_components(seed: int):
    from diffusers import AutoencoderKL, UNet2DConditionModel
    from transformers import CLIPTextConfig, CLIPTextModel

    torch.manual_seed(seed)
    unet = UNet2DConditionModel(
        sample_size=64, in_channels=4, out_channels=4, layers_per_block=1,
        block_out_channels=(320,), cross_attention_dim=768, attention_head_dim=8,
        down_block_types=("CrossAttnDownBlock2D",), up_block_types=("CrossAttnUpBlock2D",))
    vae = AutoencoderKL.from_config(
        json.loads((SD15_CONFIG / "vae" / "config.json").read_text()))
    text_encoder = CLIPTextModel(CLIPTextConfig.from_json_file(
        SD15_CONFIG / "text_encoder" / "config.json"))
    return SimpleNamespace(unet=unet.eval(), vae=vae.eval(), text_encoder=text_encoder.eval())


def thin_checkpoint(cache: Path, seed: int = 0) -> Path:
    """The checkpoint for this seed, built once into the cache folder."""
    path = cache / f"animo-thin-sd15-v{BUILDER_VERSION}-seed{seed}.safetensors"
    if not path.is_file():
        components = thin_components(seed)
        state = {key: value.half() for key, value in ldm_state_dict(
            components.unet, components.vae, components.text_encoder).items()}
        cache.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".partial")
        save_file(state, str(partial))
        partial.replace(path)  # a test run stopped while saving leaves no broken file
    return path


def thin_diffusers_folder(cache: Path, seed: int = 0) -> Path:
    """The same thin model as a diffusers folder, for local diffusion beside the server
    (ANIMO reads a single file with SD 1.5's configs, which the thin UNet does not fit)."""
    from diffusers import DPMSolverMultistepScheduler, StableDiffusionPipeline

    from animo_desktop.generation.clip_tokenizer import sd15_tokenizer

    folder = cache / f"animo-thin-sd15-v{BUILDER_VERSION}-seed{seed}"
    if not folder.is_dir():
        components = thin_components(seed)
        scheduler = DPMSolverMultistepScheduler.from_config(
            DPMSolverMultistepScheduler.load_config(SD15_CONFIG / "scheduler"))
        pipeline = StableDiffusionPipeline(
            vae=components.vae, text_encoder=components.text_encoder,
            tokenizer=sd15_tokenizer(), unet=components.unet, scheduler=scheduler,
            safety_checker=None, feature_extractor=None, requires_safety_checker=False)
        partial = folder.with_suffix(".partial")
        pipeline.save_pretrained(partial, safe_serialization=True)
        partial.replace(folder)
    return folder


def kohya_loras(cache: Path, seed: int = 0) -> Path:
    """A folder of random Kohya-format LoRAs for the thin checkpoint, one per emotion
    (`animo-EMOTION.safetensors`), built once into the cache folder."""
    folder = cache / f"animo-thin-loras-v{BUILDER_VERSION}-seed{seed}"
    if not folder.is_dir():
        components = thin_components(seed)
        partial = folder.with_suffix(".partial")
        partial.mkdir(parents=True, exist_ok=True)
        for index, emotion in enumerate(ALL_EMOTIONS):
            save_file(random_lora(components, seed + 1 + index, kohya=True, gain=LORA_GAIN),
                      str(partial / lora_file_name(emotion)))
        partial.replace(folder)
    return folder


def lora_file_name(emotion) -> str:
    return f"animo-{emotion.value}.safetensors"


def write_manifest(lora_dir: Path) -> None:
    """ANIMO's manifest naming those LoRAs; their files are on the server only."""
    lora_dir.mkdir(parents=True, exist_ok=True)
    lines = []
    for emotion in ALL_EMOTIONS:
        lines += [f"[emotions.{emotion.value}]", f'file = "{lora_file_name(emotion)}"',
                  "weight = 1.0", f'trigger_words = ["{emotion.value} artstyle"]', ""]
    (lora_dir / MANIFEST_NAME).write_text("\n".join(lines), encoding="utf-8")
