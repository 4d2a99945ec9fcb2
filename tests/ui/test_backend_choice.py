"""The side panel's choice of what makes the artworks: the generation worker builds the
chosen backend and closes the one it replaces (and the last one at quit); a server
address that is refused changes nothing and connects nowhere (pytest-socket would fail
the test)."""

import pytest
from PySide6.QtCore import QThread

from animo_desktop.emotions import Emotion
from animo_desktop.generation import backend
from animo_desktop.generation.painter_backend import PainterBackend
from animo_desktop.messages import BackendInfo
from tests.ui.conftest import wait_for_artworks


class NamedBackend(PainterBackend):
    """Paints as the painter does, under the name of the choice that built it, and says
    in which thread it was closed."""

    def __init__(self, choice, server):
        self.info = BackendInfo(choice, "CPU", f"server {server.host}" if server else "")
        self.server = server
        self.closed_in: list[str] = []

    def close(self):
        self.closed_in.append(QThread.currentThread().objectName())


@pytest.fixture
def built(monkeypatch):
    """Every backend the app builds, in order; no model is looked for, no server reached."""
    backends = []

    def create_backend(choice, server=None, **options):
        backends.append(NamedBackend("comfyui" if backend.server_makes_artworks(choice, server)
                                     else choice, server))
        return backends[-1], []

    monkeypatch.setattr(backend, "create_backend", create_backend)
    return backends


def choose(window, choice):
    window.backend_box.setCurrentIndex(window.backend_box.findData(choice))


def test_another_choice_in_the_panel_rebuilds_the_backend_and_closes_the_old_one(
        launch, qtbot, built):
    window, controller = launch("--backend", "painter")
    qtbot.waitUntil(lambda: window.backend_label.text() == "Backend: painter")
    # Started with --backend painter, the panel says so (the setting is still auto).
    assert window.backend_box.currentData() == "painter"
    assert controller.settings.backend == "auto" and window.server_row.isHidden()
    choose(window, "diffusion")
    qtbot.waitUntil(lambda: window.backend_label.text() == "Backend: diffusion")
    assert built[0].closed_in == ["animo-generation"]
    assert controller.settings.backend == "diffusion" and controller.artwork_server is None
    controller.pause()
    controller.request_artwork(Emotion.JOY)
    wait_for_artworks(qtbot, controller, 1)
    assert controller.session.artworks[0].metadata.backend == "diffusion"
    window.close_without_asking()
    controller.shutdown()
    assert built[1].closed_in == ["animo-generation"]  # at quit, in its own thread


def test_the_clinics_server_chosen_in_the_panel_is_named_and_kept_in_the_settings(
        launch, qtbot, built):
    window, controller = launch("--backend", "painter")
    shown = []
    controller.message.connect(lambda level, text: shown.append((level, text)))
    choose(window, "comfyui")
    assert not window.server_row.isHidden() and len(built) == 1  # waits for the address
    window.server_edit.setText("https://gpu.clinic:8443")
    window.connect_button.click()
    qtbot.waitUntil(lambda: window.backend_label.text() == "Backend: comfyui")
    assert built[-1].server.http_url == "https://gpu.clinic:8443"
    assert controller.artwork_server == "gpu.clinic"  # the consent notice names it
    assert ("info", "The artworks are made on the ComfyUI server gpu.clinic from now on: it "
                    "is sent their prompts, never a camera image.") in shown
    assert (controller.settings.backend, controller.settings.server_url) == (
        "comfyui", "https://gpu.clinic:8443")
    choose(window, "painter")  # and back: the server is forgotten
    qtbot.waitUntil(lambda: window.backend_label.text() == "Backend: painter")
    assert (controller.settings.backend, controller.settings.server_url) == ("painter", "")
    assert controller.artwork_server is None and window.server_row.isHidden()


def test_plain_http_to_another_computer_is_refused_in_the_panel_and_nothing_changes(
        launch, qtbot, built):
    window, controller = launch("--backend", "painter")
    qtbot.waitUntil(lambda: window.backend_label.text() == "Backend: painter")
    choose(window, "comfyui")
    window.server_edit.setText("http://gpu.clinic:8188")
    qtbot.keyClick(window.server_edit, "\r")  # Enter connects too
    assert window.statusBar().currentMessage().startswith(
        "⚠ http:// sends emotion words unencrypted: it is allowed only to this computer")
    assert window.statusBar().currentMessage().endswith("The artworks are made as before.")
    qtbot.wait(200)
    assert len(built) == 1 and built[0].closed_in == []
    assert window.backend_label.text() == "Backend: painter"
    assert (controller.settings.backend, controller.settings.server_url) == ("auto", "")
    assert controller.artwork_server is None


def test_the_backend_setting_is_used_when_no_backend_is_given(launch, qtbot, built):
    from animo_desktop import paths
    from animo_desktop.settings import SETTINGS_FILE_NAME, Settings, save_settings

    save_settings(paths.config_dir() / SETTINGS_FILE_NAME, Settings(backend="painter"))
    window, controller = launch()
    qtbot.waitUntil(lambda: window.backend_label.text() == "Backend: painter")
    assert window.backend_box.currentData() == "painter"
