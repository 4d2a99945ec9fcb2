"""What the client is told before the camera starts."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget

CONSENT_TEXT = (
    "<p><b>Emotion recognition</b></p>"
    "<p>ANIMO will look at the face through the camera to sense the emotion it shows, and "
    "turn it into artworks.</p>"
    "<p>This runs on this computer only. No image of the face is stored or sent anywhere; "
    "only the artworks are kept.</p>"
    "<p>The camera can be turned off at any time, and emotions chosen by hand instead.</p>")


def consent_dialog(parent: QWidget) -> QMessageBox:
    box = QMessageBox(QMessageBox.Icon.Information, "Before the session", CONSENT_TEXT,
                      QMessageBox.StandardButton.NoButton, parent)
    box.setObjectName("consentDialog")
    box.addButton("Start with the camera", QMessageBox.ButtonRole.AcceptRole)
    box.addButton("Without the camera", QMessageBox.ButtonRole.RejectRole)
    return box
