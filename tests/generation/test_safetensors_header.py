"""Telling an SD 1.5 single-file checkpoint from the other files that share its folders,
from the header alone."""

import numpy as np
import pytest
from safetensors.numpy import save_file

from animo_desktop.generation.safetensors_header import (UNET_CROSS_ATTENTION, UNET_INPUT,
                                                         HeaderRefused, damaged, not_sd15,
                                                         read_header)
from tests.conftest import make_fifo, returns_in_time

SDXL_TEXT = "conditioner.embedders.1.model.ln_final.weight"
LORA = "lora_unet_down_blocks_0_attentions_0_proj_in.lora_down.weight"
VAE = "encoder.conv_in.weight"


def checkpoint(path, **shapes):
    """A .safetensors file whose tensors (zeros) have these names and shapes."""
    save_file({name: np.zeros(shape, np.float16) for name, shape in shapes.items()},
              str(path))
    return path


def ldm(input_channels=4, text_width=768):
    return {UNET_INPUT: (320, input_channels, 3, 3), UNET_CROSS_ATTENTION: (320, text_width)}


@pytest.mark.parametrize("shapes, verdict", [
    (ldm(), None),
    (ldm(input_channels=9), "an inpainting checkpoint"),
    (ldm(text_width=1024), "a Stable Diffusion 2 checkpoint"),
    (ldm(text_width=16), "a model of another shape (its UNet attends to 16-wide"),
    ({**ldm(text_width=2048), SDXL_TEXT: (1280,)}, "an SDXL checkpoint"),
    ({LORA: (4, 320)}, "a LoRA, not a checkpoint"),
    ({VAE: (128, 3, 3, 3)}, "not a Stable Diffusion 1.x checkpoint"),
])
def test_what_a_single_file_is_when_it_is_not_sd15(tmp_path, shapes, verdict):
    found = not_sd15(checkpoint(tmp_path / "model.safetensors", **shapes))
    assert found == verdict if verdict is None else found.startswith(verdict)


def test_files_it_cannot_read_are_left_to_the_loader(tmp_path):
    (tmp_path / "empty.safetensors").write_bytes(b"")
    (tmp_path / "text.safetensors").write_bytes(b"\x10\x00\x00\x00\x00\x00\x00\x00{not json}")
    assert not_sd15(tmp_path / "empty.safetensors") is None
    assert not_sd15(tmp_path / "text.safetensors") is None
    assert not_sd15(tmp_path / "absent.safetensors") is None


def test_a_file_cut_short_says_how_much_is_missing(tmp_path):
    whole = checkpoint(tmp_path / "model.safetensors", **ldm()).read_bytes()
    assert damaged(tmp_path / "model.safetensors") is None
    (tmp_path / "half.safetensors").write_bytes(whole[:len(whole) // 2])
    assert damaged(tmp_path / "half.safetensors").startswith(
        f"is cut short: {len(whole) // 2:,} of its {len(whole):,} bytes")
    (tmp_path / "head.safetensors").write_bytes(whole[:20])
    assert damaged(tmp_path / "head.safetensors").startswith(
        "is cut short: 20 bytes, less than its header alone")


def test_only_regular_files_are_read(tmp_path):
    fifo = make_fifo(tmp_path / "pipe.safetensors")
    (tmp_path / "folder.safetensors").mkdir()
    for path in (fifo, tmp_path / "folder.safetensors"):
        assert returns_in_time(lambda: read_header(path), fifo) is None
        assert returns_in_time(lambda: (not_sd15(path), damaged(path)), fifo) == (None, None)


def header_file(path, length, header):
    path.write_bytes(length.to_bytes(8, "little") + header)
    return path


def test_a_header_deeper_or_longer_than_the_format_allows_is_refused(tmp_path):
    depth = 100_000
    nested = b'{"a":' * depth + b"1" + b"}" * depth
    deep = header_file(tmp_path / "deep.safetensors", len(nested), nested)
    with pytest.raises(HeaderRefused):
        read_header(deep)
    assert damaged(deep) == "has a header nested too deeply to be read"
    assert not_sd15(deep) is None  # the loader has its say, with damaged()'s words
    # Past safetensors' own limit of 100 MB: refused unread, not taken for a file cut short.
    huge = header_file(tmp_path / "huge.safetensors", 200_000_000, b'{"a": 1}')
    assert damaged(huge) == ("has a header of 200,000,000 bytes, more than the 100,000,000 "
                             "the safetensors format allows")
