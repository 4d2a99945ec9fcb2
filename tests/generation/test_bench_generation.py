"""The LoRAs `animo bench generation --full-size-random` makes (its own rank and gain), on
the tiny model: the full-size run needs a GPU."""

from animo_desktop.emotions import ALL_EMOTIONS
from animo_desktop.generation.diffusion_backend import DiffusionSettings
from animo_desktop.generation.tiny_model import (TINY_IMAGE_SIZE, build_tiny_pipeline,
                                                 write_random_loras)
from tests.generation.conftest import make_backend


def test_random_loras_of_another_rank_and_gain_are_all_loaded(tiny_model, tmp_path):
    write_random_loras(build_tiny_pipeline(), tmp_path / "lora", rank=8, gain=0.05)
    backend = make_backend(tiny_model, lora_dir=tmp_path / "lora",
                           settings=DiffusionSettings(steps=1, size=TINY_IMAGE_SIZE))
    assert not backend.warnings
    assert sorted(backend.loras.loaded) == sorted(ALL_EMOTIONS)
