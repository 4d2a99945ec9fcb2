"""The therapist's camera controls: what the camera worker is doing, an optional preview
with the face mesh, and the neutral calibration."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import (QCheckBox, QComboBox, QFileDialog, QGroupBox, QHBoxLayout,
                               QLabel, QPushButton, QVBoxLayout, QWidget)

from animo_desktop.vision.cameras import camera_index, list_cameras

CALIBRATION_SECONDS = 4.0


NO_CAMERA = "none"
CHOOSE_FILE = "file"
MEDIA_FILTER = "Videos and images (*.mp4 *.mov *.avi *.mkv *.webm *.jpg *.jpeg *.png *.bmp)"


class CameraPanel(QGroupBox):
    calibrate_requested = Signal(float)  # seconds of resting face to record
    preview_toggled = Signal(bool)
    source_chosen = Signal(str)  # a camera number, a file path, or NO_CAMERA

    def __init__(self, parent: QWidget | None = None):
        super().__init__("Camera", parent)
        layout = QVBoxLayout(self)
        self.consented = False  # the client agreed to the camera this session
        self.source_box = QComboBox()
        self.source_box.setToolTip("What ANIMO watches: a camera found on this computer, a "
                                   "video or image file, or nothing (emotions by hand)")
        self.source_box.addItem("No camera", NO_CAMERA)
        for camera in list_cameras():
            self.source_box.addItem(f"Camera {camera}", camera)
        self.source_box.addItem("Video or image file…", CHOOSE_FILE)
        self.source_box.activated.connect(self._source_activated)
        layout.addWidget(self.source_box)
        self.status_label = QLabel("Camera off")
        self.status_label.setObjectName("cameraStatus")
        self.status_label.setWordWrap(True)
        layout.addWidget(self.status_label)
        self.preview_label = QLabel()
        self.preview_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.preview_label.setMinimumHeight(150)
        self.preview_label.hide()
        layout.addWidget(self.preview_label)
        self.preview_box = QCheckBox("Preview")
        self.preview_box.setToolTip("Show a small live image with the face mesh, for the "
                                    "therapist only; it is never saved")
        self.preview_box.toggled.connect(self._toggle_preview)
        self.calibrate_button = QPushButton("Calibrate neutral")
        self.calibrate_button.setToolTip(
            f"Ask the client to relax their face, then press: the next "
            f"{CALIBRATION_SECONDS:.0f} seconds become their neutral expression")
        self.calibrate_button.clicked.connect(self._calibrate)
        # Side by side: the panel fits a 1280 x 860 window without scrolling.
        controls = QHBoxLayout()
        controls.addWidget(self.preview_box)
        controls.addWidget(self.calibrate_button)
        layout.addLayout(controls)
        self.set_active(False)

    def show_source(self, source: str | None) -> None:
        """Select `source` in the list (adding a file or an unlisted camera first)."""
        value = source or NO_CAMERA
        if self.source_box.findData(value) < 0:
            label = f"Camera {value}" if camera_index(value) is not None else Path(value).name
            self.source_box.insertItem(self.source_box.count() - 1, label, value)
        self.source_box.setCurrentIndex(self.source_box.findData(value))

    def _source_activated(self) -> None:
        value = self.source_box.currentData()
        if value == CHOOSE_FILE:
            path, _ = QFileDialog.getOpenFileName(self, "Watch a video or an image", "",
                                                  MEDIA_FILTER)
            if not path:
                return
            value = path
        self.source_chosen.emit(value)

    def set_active(self, active: bool) -> None:
        self.calibrate_button.setEnabled(active)
        self.preview_box.setEnabled(active)

    @Slot(str)
    def show_status(self, text: str) -> None:
        self.status_label.setText(text)

    @Slot(QImage)
    def show_preview(self, image: QImage) -> None:
        if self.preview_box.isChecked():
            self.preview_label.setPixmap(QPixmap.fromImage(image).scaledToWidth(
                self.preview_label.width() or image.width(),
                Qt.TransformationMode.SmoothTransformation))

    @Slot(bool, str)
    def show_calibrated(self, success: bool, message: str) -> None:
        self.calibrate_button.setEnabled(True)
        self.calibrate_button.setText("Calibrate neutral")
        self.status_label.setText(message)

    def _toggle_preview(self, enabled: bool) -> None:
        self.preview_label.setVisible(enabled)
        if not enabled:
            self.preview_label.clear()
        self.preview_toggled.emit(enabled)

    def _calibrate(self) -> None:
        self.calibrate_button.setEnabled(False)
        self.calibrate_button.setText("Calibrating… (relaxed face)")
        self.calibrate_requested.emit(CALIBRATION_SECONDS)
