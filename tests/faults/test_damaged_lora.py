"""An emotion LoRA file damaged before the start costs only its own emotion, with a
warning naming it; one damaged while the app runs changes nothing, since every LoRA was
read once at the start."""

import logging
import shutil
from types import SimpleNamespace

import numpy as np
import pytest
import safetensors.torch
from PIL import Image

from animo_desktop.emotions import Emotion
from animo_desktop.ui import session_controller
from tests.faults.conftest import logged, told
from tests.ui.conftest import wait_for_artworks, wait_for_canvas


def cut_short(path):
    data = path.read_bytes()
    path.write_bytes(data[:len(data) * 3 // 4])


def garble(path, start=8, stop=64):
    """Invert bytes start..stop in place (by default the start of the header)."""
    data = path.read_bytes()
    stop = len(data) if stop is None else stop
    path.write_bytes(data[:start] + bytes(255 - byte for byte in data[start:stop]) + data[stop:])


@pytest.fixture
def loras(tiny_model, tmp_path):
    """A copy of the tiny model's LoRA folder, to damage."""
    return shutil.copytree(tiny_model.lora_dir, tmp_path / "lora")


def made(controller, emotion):
    return [r for r in controller.session.artworks if r.metadata.emotion is emotion]


def pixels(controller, record):
    with Image.open(controller.folder.path / record.file) as image:
        return np.asarray(image.convert("RGB"))


def test_damaged_loras_at_start_cost_only_their_emotions(launch_diffusion, qtbot, shown,
                                                         caplog, tiny_model, loras):
    cut_short(loras / "sadness-kohya.safetensors")
    garble(loras / "fear.safetensors")
    window, controller = launch_diffusion(tiny_model.folder, "--emotion", "sadness",
                                          lora_dir=loras)
    assert window.backend_label.text() == "Backend: diffusion"
    assert "5 emotion LoRAs" in window.backend_label.toolTip()
    for file, emotion, reason in (("sadness-kohya.safetensors", "sadness", "is cut short"),
                                  ("fear.safetensors", "fear", "not a readable safetensors")):
        assert len(told(shown, "warning", f"The {emotion} LoRA ({file}) could not be used",
                        reason, "generated from the prompt alone")) == 1
        assert logged(caplog, logging.WARNING, file, "falls back to prompt-only", reason)
    assert "fear.safetensors" in window.statusBar().currentMessage()  # the latest warning
    for emotion in (Emotion.FEAR, Emotion.JOY):
        qtbot.waitUntil(lambda: bool(made(controller, controller.current.emotion)),
                        timeout=60000)
        controller.pin(emotion)
    qtbot.waitUntil(lambda: bool(made(controller, Emotion.JOY)), timeout=60000)
    for emotion in (Emotion.SADNESS, Emotion.FEAR):
        damaged = made(controller, emotion)[0].metadata
        assert damaged.backend == "diffusion" and damaged.lora is None
        assert damaged.extra["lora_weight"] == 0
        assert f"{emotion.display_name} artstyle" not in damaged.prompt  # no trigger words
    joyful = made(controller, Emotion.JOY)[0].metadata
    assert (joyful.backend, joyful.lora) == ("diffusion", "joy.safetensors")
    assert "Joy artstyle" in joyful.prompt
    controller.pause()
    wait_for_canvas(qtbot, controller, timeout=30000)
    assert window.canvas_view.artwork_count == len(controller.session.artworks)


def test_a_lora_damaged_mid_session_changes_nothing(launch_diffusion, qtbot, shown,
                                                    monkeypatch, tiny_model, loras):
    # One seed for every artwork: the same LoRA weights give the same pixels.
    monkeypatch.setattr(session_controller, "secrets", SimpleNamespace(randbits=lambda n: 77))
    window, controller = launch_diffusion(tiny_model.folder, "--emotion", "joy",
                                          lora_dir=loras)
    controller.set_cadence(1.0)
    wait_for_artworks(qtbot, controller, 1, timeout=60000)
    reads = []
    load_file = safetensors.torch.load_file
    monkeypatch.setattr(safetensors.torch, "load_file",
                        lambda *args, **kwargs: reads.append(args) or load_file(*args, **kwargs))
    # Every byte rewritten in place: weights still mapped from the file would change.
    garble(loras / "joy.safetensors", 0, None)
    already_told = len(shown)
    wait_for_artworks(qtbot, controller, 3, timeout=60000)
    first, *later = controller.session.artworks
    assert all(r.metadata.lora == "joy.safetensors" and r.metadata.extra["lora_weight"] == 1
               for r in (first, *later))
    assert all(np.array_equal(pixels(controller, r), pixels(controller, first)) for r in later)
    assert reads == []  # never read again
    assert not [text for level, text in shown[already_told:] if level != "info"]
