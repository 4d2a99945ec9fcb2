"""The LoRAs `animo bench generation --full-size-random` makes, on the tiny model (the
full-size run needs a GPU)."""

from animo_desktop.benchmarks.generation import write_random_loras
from animo_desktop.emotions import ALL_EMOTIONS
from animo_desktop.generation.diffusion_backend import DiffusionSettings
from animo_desktop.generation.tiny_model import TINY_IMAGE_SIZE, build_tiny_pipeline
from tests.generation.conftest import make_backend


def test_the_benchmarks_random_loras_are_all_loaded_and_switched(tiny_model, tmp_path):
    write_random_loras(build_tiny_pipeline(), tmp_path / "lora", rank=4, gain=0.05)
    backend = make_backend(tiny_model, lora_dir=tmp_path / "lora",
                           settings=DiffusionSettings(steps=1, size=TINY_IMAGE_SIZE))
    assert not backend.warnings
    assert sorted(backend.loras.loaded) == sorted(ALL_EMOTIONS)
