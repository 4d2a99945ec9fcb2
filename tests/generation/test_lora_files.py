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
