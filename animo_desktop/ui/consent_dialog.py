"""What the client is told before the camera starts."""

from __future__ import annotations

import html

from PySide6.QtWidgets import QMessageBox, QWidget

CONSENT_TEXT = (
    "<p><b>Emotion recognition</b></p>"
    "<p>ANIMO will look at the face through the camera to sense the emotion it shows, and "
    "turn it into artworks.</p>"
    "<p>This runs on this computer only. No image of the face is stored or sent anywhere; "
    "only the artworks are kept.</p>"
    "<p>The camera can be turned off at any time, and emotions chosen by hand instead.</p>")


# When a ComfyUI server makes the artworks: what leaves this computer, and where to.
SERVER_TEXT = (
    "<p>The artworks are made on the clinic's server ({host}): it receives the words that "
    "describe the emotion and the drawing settings, never an image of the face, and keeps "
    "neither.</p>")


def consent_dialog(parent: QWidget, artwork_server: str | None = None) -> QMessageBox:
    """artwork_server: the host of the server that makes the artworks, if one does."""
    text = CONSENT_TEXT
    if artwork_server:
        text += SERVER_TEXT.format(host=html.escape(artwork_server))
    box = QMessageBox(QMessageBox.Icon.Information, "Before the session", text,
                      QMessageBox.StandardButton.NoButton, parent)
    box.setObjectName("consentDialog")
    box.addButton("Start with the camera", QMessageBox.ButtonRole.AcceptRole)
    box.addButton("Without the camera", QMessageBox.ButtonRole.RejectRole)
    return box
