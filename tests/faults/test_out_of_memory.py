"""Out of GPU memory while the app paints: the therapist is told, the artwork is made
anyway (with memory saving, smaller, or by the built-in painter) and nothing is lost."""

import logging

import torch
from diffusers import StableDiffusionPipeline
from PIL import Image

from animo_desktop.emotions import Emotion
from tests.faults.conftest import logged
from tests.ui.conftest import pause_when_settled, wait_for_artworks, wait_for_canvas

FULL, SMALLER, PAINTER = 64, 48, 512  # pixels: the tiny model's size, 3/4 of it, the painter's


class OutOfMemory:
    """The pipeline's call raises torch.OutOfMemoryError, as on a GPU that ran out of
    memory, whenever `failing(height)` says so."""

    def __init__(self, monkeypatch):
        self.failing = lambda height: False
        call = StableDiffusionPipeline.__call__

        def out_of_memory(pipeline, *args, **kwargs):
            if self.failing(kwargs["height"]):
                raise torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB "
                                             "(injected)")
            return call(pipeline, *args, **kwargs)

        monkeypatch.setattr(StableDiffusionPipeline, "__call__", out_of_memory)


def once():
    calls = []
    return lambda height: calls.append(height) or len(calls) == 1


PAINTED_ANYWAY = "Out of memory at 64 px; Out of memory at 64 px; Out of memory at 48 px: " \
                 "the built-in painter made this artwork."
FAULTS = [  # how memory runs out; who makes the artwork then, at what size, telling what
    (once, "diffusion", FULL, ["Out of memory at 64 px"]),
    (lambda: lambda height: height == FULL, "diffusion", SMALLER, ["Out of memory at 64 px"] * 2),
    (lambda: lambda height: True, "painter", PAINTER, [PAINTED_ANYWAY]),
    (lambda: lambda height: False, "diffusion", FULL, []),  # memory is back
]


def test_out_of_memory_falls_back_to_memory_saving_then_a_smaller_size_then_the_painter(
        launch_diffusion, qtbot, shown, caplog, monkeypatch, tiny_model):
    memory = OutOfMemory(monkeypatch)
    window, controller = launch_diffusion(tiny_model.folder, "--emotion", "fear")
    wait_for_artworks(qtbot, controller, 1, timeout=60000)
    pause_when_settled(qtbot, controller, timeout=60000)
    for count, (failing, backend, size, notices) in enumerate(FAULTS, start=2):
        memory.failing = failing()
        already_told = len(shown)
        controller.request_artwork(Emotion.FEAR)
        wait_for_artworks(qtbot, controller, count, timeout=60000)
        record = controller.session.artworks[-1]
        assert record.metadata.backend == backend
        with Image.open(controller.folder.path / record.file) as image:
            assert image.size == (size, size)
        assert list(record.metadata.extra.get("notices", [])) == notices
        assert [text for _, text in shown[already_told:]] == notices
        assert all(level == "warning" for level, _ in shown[already_told:])
    assert len(logged(caplog, logging.WARNING, "out of memory at 64 px", "(injected)")) == 5
    assert logged(caplog, logging.WARNING, PAINTED_ANYWAY)
    records = controller.session.artworks
    assert len(records) == len(FAULTS) + 1  # every artwork made, none lost
    assert all((controller.folder.path / r.file).is_file() for r in records)
    wait_for_canvas(qtbot, controller, timeout=30000)
    assert window.canvas_view.artwork_count == len(records)
