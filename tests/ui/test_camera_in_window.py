"""The camera in the real window: consent first, then detected emotions reach the session."""

from pathlib import Path

from PySide6.QtWidgets import QMessageBox

from animo_desktop.emotions import Emotion
from animo_desktop.ui.session_controller import SessionState
from tests.ui.conftest import wait_for_artworks

DATA = Path(__file__).parent.parent / "data"


def consent_box(window):
    return window.findChild(QMessageBox, "consentDialog")


def click(box, role):
    button = next(b for b in box.buttons() if box.buttonRole(b) == role)
    button.click()


def test_nothing_starts_before_the_consent_notice_is_answered_and_it_can_be_declined(launch, qtbot):
    window, controller = launch("--source", str(DATA / "0-f15-hao-ph.jpg"), ask_consent=True)
    box = consent_box(window)
    assert box is not None and box.isVisible()
    assert "No image of the face is stored" in box.text()
    assert not controller.camera.is_running  # nothing is read before the answer
    qtbot.wait(800)  # longer than a first artwork takes
    # Nothing starts behind the notice: no session, no artwork, no session clock.
    assert controller.session is None
    assert "Before the session" in window.statusBar().currentMessage()
    click(box, QMessageBox.ButtonRole.RejectRole)
    wait_for_artworks(qtbot, controller, 1)  # declined: the session goes on by hand
    assert controller.state is SessionState.RUNNING
    assert not controller.camera.is_running
    assert not window.camera_panel.calibrate_button.isEnabled()
    assert "Camera off" in window.camera_panel.status_label.text()


def test_a_smiling_face_becomes_the_session_emotion(launch, qtbot):
    window, controller = launch("--source", str(DATA / "0-f15-hao-ph.jpg"), ask_consent=True)
    click(consent_box(window), QMessageBox.ButtonRole.AcceptRole)
    qtbot.waitUntil(lambda: controller.current.emotion is Emotion.JOY, timeout=30000)
    assert controller.current.source == "camera"
    assert "Joy" in window.emotion_panel.current_label.text()
    assert "%" in window.emotion_panel.current_label.text()  # the smoothed confidence
    qtbot.waitUntil(lambda: any(r.metadata.emotion is Emotion.JOY
                                for r in controller.session.artworks), timeout=10000)
    assert window.camera_panel.calibrate_button.isEnabled()


def test_the_therapist_can_switch_the_source_off_and_to_a_file(launch, qtbot):
    window, controller = launch("--source", str(DATA / "0-f15-hao-ph.jpg"))
    panel = window.camera_panel
    assert panel.source_box.currentText() == "0-f15-hao-ph.jpg"
    assert [panel.source_box.itemText(i) for i in (0, panel.source_box.count() - 1)] == [
        "No camera", "Video or image file…"]
    panel.source_chosen.emit("none")
    assert controller.camera is None and not panel.calibrate_button.isEnabled()
    assert panel.source_box.currentText() == "No camera"
    panel.source_chosen.emit(str(DATA / "0-f1-su-ph.jpg"))
    box = consent_box(window)  # the client has not agreed yet in this session
    assert box is not None and not controller.camera.is_running
    click(box, QMessageBox.ButtonRole.AcceptRole)
    qtbot.waitUntil(lambda: controller.camera.is_running)
    assert panel.source_box.currentText() == "0-f1-su-ph.jpg"
