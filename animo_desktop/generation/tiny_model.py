"""A tiny random Stable Diffusion 1.5-shaped model and seven random emotion LoRAs.

For tests and demos only: built offline in about a second, its images are noise. It has
SD 1.5's layout (four UNet levels of two layers, cross-attention in the first three, a
four-level VAE, a CLIP text encoder) at a few thousandth of the width, and its own small
byte-level tokenizer vocabulary. Half of the LoRAs are written in the diffusers/PEFT
layout (fp32), half in the Kohya/AUTOMATIC1111 layout (fp16, alpha = rank / 2), so both
loading paths are exercised.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import torch
from safetensors.torch import save_file

from animo_desktop.emotions import ALL_EMOTIONS
from animo_desktop.generation.clip_tokenizer import MAX_PROMPT_TOKENS, build_clip_tokenizer
from animo_desktop.generation.lora_bank import TEXT_ENCODER_LORA_TARGETS, UNET_LORA_TARGETS
from animo_desktop.generation.lora_manifest import MANIFEST_NAME
from animo_desktop.generation.model_loading import quiet_libraries

TINY_IMAGE_SIZE = 64  # pixels; the latent is 8 x 8
TINY_LORA_RANK = 4
# Strong deltas: with a random VAE, weak LoRAs would barely change the pixels.
TINY_LORA_GAIN = 2.0
_TINY_MERGES = (("t", "h"), ("th", "e</w>"), ("a", "n"), ("i", "n"), ("e", "r"), ("o", "r"))
NOTICE = ("This is ANIMO's tiny RANDOM test model: its images are noise. It exists to test "
          "and demonstrate the diffusion code path without a real model.\n")


@dataclass(frozen=True)
class TinyModel:
    folder: Path  # diffusers folder
    lora_dir: Path  # emotions.toml and one LoRA per emotion
    few_step_lora: Path  # a random stand-in for an LCM-LoRA (not in the manifest)


def build_tiny_pipeline(seed: int = 0):
    quiet_libraries()  # no "requires torchvision" notes, no progress bar when it is saved
    from diffusers import (AutoencoderKL, DPMSolverMultistepScheduler, StableDiffusionPipeline,
                           UNet2DConditionModel)
    from transformers import CLIPTextConfig, CLIPTextModel

    torch.manual_seed(seed)
    tokenizer = build_clip_tokenizer(_TINY_MERGES)
    unet = UNet2DConditionModel(
        sample_size=TINY_IMAGE_SIZE // 8, in_channels=4, out_channels=4, layers_per_block=2,
        block_out_channels=(8, 8, 16, 16), norm_num_groups=4, cross_attention_dim=16,
        attention_head_dim=2,
        down_block_types=("CrossAttnDownBlock2D",) * 3 + ("DownBlock2D",),
        up_block_types=("UpBlock2D",) + ("CrossAttnUpBlock2D",) * 3)
    vae = AutoencoderKL(
        sample_size=TINY_IMAGE_SIZE, in_channels=3, out_channels=3, latent_channels=4,
        layers_per_block=2, block_out_channels=(8, 8, 16, 16), norm_num_groups=4,
        down_block_types=("DownEncoderBlock2D",) * 4, up_block_types=("UpDecoderBlock2D",) * 4)
    text_encoder = CLIPTextModel(CLIPTextConfig(
        vocab_size=len(tokenizer), hidden_size=16, intermediate_size=32, num_hidden_layers=2,
        num_attention_heads=2, projection_dim=16, max_position_embeddings=MAX_PROMPT_TOKENS,
        bos_token_id=tokenizer.bos_token_id, eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id))
    scheduler = DPMSolverMultistepScheduler(
        beta_start=0.00085, beta_end=0.012, beta_schedule="scaled_linear", steps_offset=1)
    return StableDiffusionPipeline(
        vae=vae, text_encoder=text_encoder, tokenizer=tokenizer, unet=unet, scheduler=scheduler,
        safety_checker=None, feature_extractor=None, requires_safety_checker=False)


def random_lora(pipeline, seed: int, kohya: bool, rank: int = TINY_LORA_RANK,
                gain: float = TINY_LORA_GAIN) -> dict[str, torch.Tensor]:
    """A random LoRA on the attention projections of the UNet and the text encoder."""
    generator = torch.Generator().manual_seed(seed)
    lora: dict[str, torch.Tensor] = {}
    for component, targets in (("unet", UNET_LORA_TARGETS),
                               ("text_encoder", TEXT_ENCODER_LORA_TARGETS)):
        for name, module in getattr(pipeline, component).named_modules():
            if not name.endswith(targets) or not isinstance(module, torch.nn.Linear):
                continue
            down = torch.randn(rank, module.in_features, generator=generator) / \
                module.in_features ** 0.5
            up = torch.randn(module.out_features, rank, generator=generator) * gain / rank ** 0.5
            if kohya:
                stem = "lora_unet_" if component == "unet" else "lora_te_text_model_"
                key = stem + name.removeprefix("text_model.").replace(".", "_")
                # alpha = rank / 2 halves the delta: double up to keep the same strength.
                lora[f"{key}.lora_down.weight"] = down.half()
                lora[f"{key}.lora_up.weight"] = (up * 2).half()
                lora[f"{key}.alpha"] = torch.tensor(rank / 2).half()
            else:
                lora[f"{component}.{name}.lora_A.weight"] = down
                lora[f"{component}.{name}.lora_B.weight"] = up
    return lora


def write_random_loras(pipeline, lora_dir: Path, seed: int = 0, rank: int = TINY_LORA_RANK,
                       gain: float = TINY_LORA_GAIN) -> Path:
    """Seven random emotion LoRAs for this pipeline and their manifest in lora_dir, every
    other one in the Kohya layout, and a random few-step LoRA beside them (not in the
    manifest), whose path is returned."""
    lora_dir.mkdir(parents=True, exist_ok=True)
    lines = ["# RANDOM test LoRAs made by ANIMO (make-tiny-model, bench generation): they "
             "carry no style, and the images are noise.", ""]
    for index, emotion in enumerate(ALL_EMOTIONS):
        kohya = index % 2 == 1
        file = f"{emotion.value}{'-kohya' if kohya else ''}.safetensors"
        save_file(random_lora(pipeline, seed + 1 + index, kohya, rank, gain), str(lora_dir / file))
        lines += [f"[emotions.{emotion.value}]", f'file = "{file}"', "weight = 1.0",
                  f'trigger_words = ["{emotion.display_name} artstyle"]', ""]
    (lora_dir / MANIFEST_NAME).write_text("\n".join(lines), encoding="utf-8")
    few_step = lora_dir / "few-step.safetensors"
    save_file(random_lora(pipeline, seed + 100, False, rank, gain), str(few_step))
    return few_step


def write_tiny_model(destination: Path, seed: int = 0) -> TinyModel:
    """Build and save the tiny model and its LoRAs under destination. No single-file
    version: a single file carries no configs, and read with SD 1.5's it is refused (its
    UNet is too narrow); the tests make one to read with the folder's configs."""
    destination = Path(destination)
    destination.mkdir(parents=True, exist_ok=True)
    pipeline = build_tiny_pipeline(seed)
    model_folder, lora_dir = destination / "tiny-sd15", destination / "lora"
    pipeline.save_pretrained(model_folder, safe_serialization=True)
    few_step = write_random_loras(pipeline, lora_dir, seed)
    (destination / "README.txt").write_text(NOTICE, encoding="utf-8")
    return TinyModel(model_folder, lora_dir, few_step)
