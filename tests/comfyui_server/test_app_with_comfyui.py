"""The whole app offscreen with the comfyui backend: the server's artworks reach the
canvas, and the consent notice names the server."""

import pytest

pytest.importorskip("pytestqt")

from animo_desktop.generation.comfyui import job_graph  # noqa: E402
from tests.comfyui_server.conftest import only_loopback  # noqa: E402
from tests.ui.conftest import launch, wait_for_artworks, wait_for_canvas  # noqa: E402,F401  (launch: fixture)

pytestmark = only_loopback


def assert_the_servers_joy_artwork_on_the_canvas(qtbot, window, controller, server) -> None:
    wait_for_artworks(qtbot, controller, 1, timeout=240000)
    record = controller.session.artworks[0]
    assert (record.metadata.backend, record.metadata.lora) == ("comfyui",
                                                               "animo-joy.safetensors")
    assert record.metadata.extra["server"] == server.url
    wait_for_canvas(qtbot, controller)


def test_the_app_puts_the_servers_artworks_on_the_canvas(launch, qtbot, comfyui_server,
                                                         lora_dir, monkeypatch):
    # SD 1.5's 512 pixels take minutes on this CPU; the thin checkpoint draws 64 as well.
    monkeypatch.setattr(job_graph, "SD15_SIZE", 64)
    window, controller = launch("--backend", "comfyui", "--server", comfyui_server.url,
                                "--lora-dir", str(lora_dir), "--emotion", "joy")
    assert controller.artwork_server == "127.0.0.1"  # named in the consent notice
    qtbot.waitUntil(lambda: window.backend_label.text() == "Backend: comfyui", timeout=60000)
    assert_the_servers_joy_artwork_on_the_canvas(qtbot, window, controller, comfyui_server)
    assert window.canvas_view.artwork_count >= 1


def test_the_server_chosen_in_the_side_panel_makes_the_next_artwork(launch, qtbot,
                                                                    comfyui_server, lora_dir,
                                                                    monkeypatch):
    from animo_desktop.emotions import Emotion

    monkeypatch.setattr(job_graph, "SD15_SIZE", 64)
    window, controller = launch("--backend", "painter", "--lora-dir", str(lora_dir))
    qtbot.waitUntil(lambda: window.backend_label.text() == "Backend: painter")
    controller.pause()  # one artwork, asked for below
    window.backend_box.setCurrentIndex(window.backend_box.findData("comfyui"))
    window.server_edit.setText(comfyui_server.url)
    window.connect_button.click()
    assert controller.artwork_server == "127.0.0.1"  # named in the consent notice
    qtbot.waitUntil(lambda: window.backend_label.text() == "Backend: comfyui", timeout=60000)
    controller.request_artwork(Emotion.JOY)
    assert_the_servers_joy_artwork_on_the_canvas(qtbot, window, controller, comfyui_server)
    assert window.canvas_view.artwork_count == 1
