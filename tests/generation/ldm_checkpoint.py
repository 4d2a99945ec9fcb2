"""Write a pipeline as one AUTOMATIC1111-style checkpoint (the original LDM key layout).

ANIMO only reads such files (diffusers converts them at load); the tests write one to
make a single-file version of the tiny test model, so that the real single-file loading
path is exercised offline. Handles the SD 1.x layout for any number of blocks and layers
per block (the tiny model has the SD 1.5 layout).
"""

from __future__ import annotations

import re
from pathlib import Path

import torch
from safetensors.torch import save_file

UNET_PREFIX = "model.diffusion_model."
VAE_PREFIX = "first_stage_model."
TEXT_ENCODER_PREFIX = "cond_stage_model.transformer."

_UNET_RESNET_PARTS = {"norm1": "in_layers.0", "conv1": "in_layers.2", "norm2": "out_layers.0",
                      "conv2": "out_layers.3", "time_emb_proj": "emb_layers.1",
                      "conv_shortcut": "skip_connection"}
_UNET_TOP_LEVEL = {"time_embedding.linear_1": "time_embed.0", "time_embedding.linear_2": "time_embed.2",
                   "conv_in": "input_blocks.0.0", "conv_norm_out": "out.0", "conv_out": "out.2"}
_VAE_ATTENTION_PARTS = {"group_norm": "norm", "to_q": "q", "to_k": "k", "to_v": "v",
                        "to_out.0": "proj_out"}


def _unet_key(key: str, layers_per_block: int) -> str:
    """The LDM name of one diffusers UNet parameter."""
    module, _, leaf = key.rpartition(".")
    for diffusers_name, ldm_name in _UNET_TOP_LEVEL.items():
        if module == diffusers_name:
            return f"{ldm_name}.{leaf}"
    stride = layers_per_block + 1  # each LDM level: its layers, then its resampler
    match = re.match(r"(down|up)_blocks\.(\d+)\.(resnets|attentions|downsamplers|upsamplers)\.(\d+)\.(.*)", key)
    if match:
        direction, block, kind, index, rest = match.groups()
        block, index = int(block), int(index)
        if direction == "down":
            if kind == "downsamplers":
                return f"input_blocks.{(block + 1) * stride}.0.op.{rest.removeprefix('conv.')}"
            position = f"input_blocks.{1 + block * stride + index}"
        else:
            if kind == "upsamplers":
                # The upsampler follows the level's last layer, after its attention if any.
                slot = 1 if block == 0 else 2
                return f"output_blocks.{block * stride + layers_per_block}.{slot}.{rest}"
            position = f"output_blocks.{block * stride + index}"
        if kind == "attentions":
            return f"{position}.1.{rest}"
        return f"{position}.0.{_resnet_rest(rest, _UNET_RESNET_PARTS)}"
    match = re.match(r"mid_block\.(resnets|attentions)\.(\d+)\.(.*)", key)
    if match:
        kind, index, rest = match.groups()
        if kind == "attentions":
            return f"middle_block.1.{rest}"
        return f"middle_block.{2 * int(index)}.{_resnet_rest(rest, _UNET_RESNET_PARTS)}"
    raise ValueError(f"no LDM name for UNet parameter {key}")


def _resnet_rest(rest: str, parts: dict[str, str]) -> str:
    module, _, leaf = rest.rpartition(".")
    return f"{parts.get(module, module)}.{leaf}"


def _vae_key(key: str, block_count: int) -> str:
    """The LDM name of one diffusers VAE parameter (decoder levels are numbered in reverse)."""
    key = key.replace("conv_norm_out", "norm_out")
    match = re.match(r"(encoder|decoder)\.(down|up)_blocks\.(\d+)\.(resnets|downsamplers|upsamplers)\.(\d+)\.(.*)", key)
    if match:
        part, direction, block, kind, index, rest = match.groups()
        level = int(block) if direction == "down" else block_count - 1 - int(block)
        stem = f"{part}.{direction}.{level}"
        if kind in ("downsamplers", "upsamplers"):
            return f"{stem}.{kind[:-2]}.{rest}"
        return f"{stem}.block.{index}.{rest.replace('conv_shortcut', 'nin_shortcut')}"
    match = re.match(r"(encoder|decoder)\.mid_block\.(resnets|attentions)\.(\d+)\.(.*)", key)
    if match:
        part, kind, index, rest = match.groups()
        if kind == "resnets":
            return f"{part}.mid.block_{int(index) + 1}.{rest.replace('conv_shortcut', 'nin_shortcut')}"
        module, _, leaf = rest.rpartition(".")
        return f"{part}.mid.attn_1.{_VAE_ATTENTION_PARTS[module]}.{leaf}"
    return key  # conv_in, conv_out, norm_out, quant_conv, post_quant_conv keep their names


def ldm_state_dict(unet: torch.nn.Module, vae: torch.nn.Module,
                   text_encoder: torch.nn.Module) -> dict[str, torch.Tensor]:
    state: dict[str, torch.Tensor] = {}
    layers_per_block = unet.config.layers_per_block
    for key, value in unet.state_dict().items():
        state[UNET_PREFIX + _unet_key(key, layers_per_block)] = value
    block_count = len(vae.config.block_out_channels)
    for key, value in vae.state_dict().items():
        name = _vae_key(key, block_count)
        if ".mid.attn_1." in name and name.endswith("weight") and value.ndim == 2:
            value = value[:, :, None, None]  # LDM's VAE attention uses 1x1 convolutions
        state[VAE_PREFIX + name] = value
    for key, value in text_encoder.state_dict().items():
        # Checkpoints name CLIP's parameters under text_model. (recent transformers drop it).
        state[TEXT_ENCODER_PREFIX + ("" if key.startswith("text_model.") else "text_model.") + key] = value
    return {key: value.contiguous() for key, value in state.items()}


def save_single_file(pipeline, path: Path) -> None:
    """Save the pipeline's UNet, VAE and text encoder as one LDM-layout .safetensors."""
    save_file(ldm_state_dict(pipeline.unet, pipeline.vae, pipeline.text_encoder), str(path))
