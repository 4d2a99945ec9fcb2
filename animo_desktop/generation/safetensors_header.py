"""What a .safetensors file says about itself, read from its header alone: no tensor is
loaded and torch is not imported, so `animo doctor` and model discovery stay fast.

The header is 8 bytes of little-endian length, then JSON naming each tensor with its
dtype, shape and byte range (https://github.com/huggingface/safetensors#format).
"""

from __future__ import annotations

import json
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# In the LDM layout of AUTOMATIC1111 and Civitai checkpoints: the UNet's first layer (its
# input channels: 4, or 9 for inpainting) and its first cross-attention key projection
# (the width of the text embeddings it attends to: 768 for SD 1.x, 1024 for SD 2.x).
UNET_INPUT = "model.diffusion_model.input_blocks.0.0.weight"
UNET_CROSS_ATTENTION = "model.diffusion_model.input_blocks.1.1.transformer_blocks.0.attn2.to_k.weight"
SD15_TEXT_WIDTH = 768
SD15_LATENT_CHANNELS = 4
# The safetensors format's own limit on the JSON header (MAX_HEADER_SIZE in its reader).
MAX_HEADER_LENGTH = 100_000_000


@dataclass(frozen=True)
class Header:
    length: int  # of the JSON, in bytes
    file_size: int
    entries: dict[str, Any] | None  # None when the file ends inside its header


class HeaderRefused(ValueError):
    """A header larger or deeper than the format allows; the message follows the file's
    name."""


def read_header(path: Path) -> Header | None:
    """The header of a .safetensors file; None when it is no safetensors file (or not a
    regular file). HeaderRefused for a header larger or deeper than the format allows,
    OSError when it cannot be read."""
    status = path.stat()
    # Opening a FIFO would wait for a writer forever; a folder cannot be read at all.
    if not stat.S_ISREG(status.st_mode):
        return None
    with path.open("rb") as stream:
        head = stream.read(9)
        if len(head) < 9 or head[8:] != b"{":
            return None
        length = int.from_bytes(head[:8], "little")
        if length > MAX_HEADER_LENGTH:
            raise HeaderRefused(f"has a header of {length:,} bytes, more than the "
                                f"{MAX_HEADER_LENGTH:,} the safetensors format allows")
        if 8 + length > status.st_size:
            return Header(length, status.st_size, None)
        try:
            entries = json.loads(b"{" + stream.read(length - 1))
        except RecursionError:  # {"a":{"a":...}} deeper than Python's parser goes
            raise HeaderRefused("has a header nested too deeply to be read") from None
        except ValueError:
            return None
    return Header(length, status.st_size, entries) if isinstance(entries, dict) else None


def damaged(path: Path) -> str | None:
    """What is wrong with a damaged .safetensors file: cut short (an interrupted copy or
    download), or a header past the format's limits, as words that follow its name; None
    when it is whole, or when it is no safetensors file at all (the loader says so)."""
    try:
        header = read_header(path)
        if header is None:
            return None
        if header.entries is None:
            return (f"is cut short: {header.file_size:,} bytes, less than its header alone "
                    f"({8 + header.length:,} bytes; an interrupted copy or download?)")
        needed = 8 + header.length + max((entry["data_offsets"][1]
                                          for key, entry in header.entries.items()
                                          if key != "__metadata__"), default=0)
    except HeaderRefused as refusal:
        return str(refusal)
    except (OSError, TypeError, KeyError, IndexError, AttributeError):
        return None
    if header.file_size >= needed:
        return None
    return (f"is cut short: {header.file_size:,} of its {needed:,} bytes (an interrupted "
            "copy or download?)")


def not_sd15(path: Path) -> str | None:
    """What a single-file checkpoint is instead of a Stable Diffusion 1.5 one, as words
    that follow "it is" (an SDXL checkpoint, a LoRA, ...); None when it has SD 1.5's shape
    or cannot be told (the loader then has its say)."""
    try:
        read = read_header(path)
    except (OSError, HeaderRefused):
        return None
    if read is None or read.entries is None:
        return None
    header = read.entries
    try:
        if any(key.startswith("conditioner.embedders.") for key in header):
            return "an SDXL checkpoint"
        if UNET_CROSS_ATTENTION not in header:
            if any("lora" in key for key in header):
                return "a LoRA, not a checkpoint (LoRAs go in the LoRA folder and manifest)"
            return "not a Stable Diffusion 1.x checkpoint (it has no SD 1.x UNet)"
        width = header[UNET_CROSS_ATTENTION]["shape"][1]
        if width == 1024:
            return "a Stable Diffusion 2 checkpoint"
        if width != SD15_TEXT_WIDTH:
            return (f"a model of another shape (its UNet attends to {width}-wide text "
                    f"embeddings, SD 1.5's to {SD15_TEXT_WIDTH})")
        channels = header.get(UNET_INPUT, {}).get("shape", [0, SD15_LATENT_CHANNELS])[1]
        if channels != SD15_LATENT_CHANNELS:
            return "an inpainting checkpoint (it paints into masked images)"
    except (TypeError, KeyError, IndexError, AttributeError):
        return None
    return None
