"""The whole app with the diffusion backend on the tiny model: artworks reach the canvas."""

import pytest

pytest.importorskip("pytestqt")

from tests.ui.conftest import launch, wait_for_artworks, wait_for_canvas  # noqa: E402,F401  (launch: fixture)


def test_the_app_puts_diffusion_artworks_on_the_canvas(launch, qtbot, tiny_model):
    window, controller = launch("--backend", "diffusion", "--model", str(tiny_model.folder),
                                "--lora-dir", str(tiny_model.lora_dir), "--device", "cpu",
                                "--emotion", "joy")
    qtbot.waitUntil(lambda: window.backend_label.text() == "Backend: diffusion", timeout=60000)
    wait_for_artworks(qtbot, controller, 1, timeout=120000)
    record = controller.session.artworks[0]
    assert (record.metadata.backend, record.metadata.lora) == ("diffusion", "joy.safetensors")
    wait_for_canvas(qtbot, controller)
    assert window.canvas_view.artwork_count >= 1
