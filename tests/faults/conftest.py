"""What the fault tests share: the real window (tests/ui) on the painter or on the tiny
model (tests/generation), and a record of what the window told the therapist."""

import json
from functools import partial

import pytest

from animo_desktop.generation import diffusion_backend
from animo_desktop.session import SESSION_METADATA_KEY
from animo_desktop.storage import read_png_text
from animo_desktop.ui.main_window import MainWindow
from tests.generation.conftest import tiny_checkpoint, tiny_model  # noqa: F401  (fixtures)
from tests.ui.conftest import launch  # noqa: F401  (fixture)


@pytest.fixture
def shown(monkeypatch):
    """Every (level, text) the window shows in its status bar, in order, from the start:
    a worker's first messages can arrive before a test could connect to a signal."""
    messages = []
    show = MainWindow.show_message

    def recorded(window, level, text):
        messages.append((level, text))
        show(window, level, text)

    monkeypatch.setattr(MainWindow, "show_message", recorded)
    return messages


def told(shown, level, *words):
    """The messages of this level that hold all these words."""
    return [text for kind, text in shown if kind == level and all(w in text for w in words)]


def exported_count(window, path) -> int:
    """The artwork count of the canvas the window exports to path (its PNG's metadata)."""
    assert window.export_to(path)
    return json.loads(read_png_text(path)[SESSION_METADATA_KEY])["artwork_count"]


def logged(caplog, level, *words):
    """The log records of this level (logging.WARNING, ...) whose text, traceback
    included, holds all these words."""
    return [record for record in caplog.records if record.levelno == level
            and all(word in caplog.handler.format(record) for word in words)]


@pytest.fixture
def launch_diffusion(launch, qtbot, monkeypatch):
    """Open the window as `animo --backend diffusion --model MODEL --device cpu` would, and
    wait until the backend is ready (the model loaded, or the painter in its place). The
    app's sampler runs 4 steps instead of 20: the same code, five times sooner."""
    monkeypatch.setattr(diffusion_backend, "DiffusionSettings",
                        partial(diffusion_backend.DiffusionSettings, steps=4))

    def _launch(model, *argv, lora_dir=None):
        window, controller = launch("--backend", "diffusion", "--model", str(model),
                                    "--device", "cpu",
                                    *(("--lora-dir", str(lora_dir)) if lora_dir else ()), *argv)
        qtbot.waitUntil(lambda: window.backend_label.text() != "Backend: starting…",
                        timeout=60000)
        return window, controller

    return _launch
