"""End of session: how long, which emotions for how long, how many artworks, and export
(the canvas always; the session's emotional record only when the therapist ticks it)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent
from PySide6.QtWidgets import (QCheckBox, QDialog, QDialogButtonBox, QGridLayout, QLabel,
                               QVBoxLayout, QWidget)

from animo_desktop.emotions import ALL_EMOTIONS, Emotion
from animo_desktop.ui.timeline_strip import format_duration

HEALTH_DATA_NOTE = ("Emotion data is health data. The session record (each artwork, and "
                    "the emotions over time in session.json and session.csv) is written "
                    "only if you tick this box; keep it as you keep clinical records.")


class EmotionDurationChart(QWidget):
    """Horizontal bars: time spent in each emotion."""

    ROW = 22

    def __init__(self, durations: dict[Emotion, float], parent: QWidget | None = None):
        super().__init__(parent)
        self.durations = durations
        self.setMinimumHeight(self.ROW * len(ALL_EMOTIONS))

    def sizeHint(self) -> QSize:
        return QSize(360, self.ROW * len(ALL_EMOTIONS))

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        longest = max(self.durations.values(), default=0.0) or 1.0
        label_width, value_width = 80, 52
        bar_space = self.width() - label_width - value_width
        for row, emotion in enumerate(ALL_EMOTIONS):
            top = row * self.ROW
            seconds = self.durations.get(emotion, 0.0)
            painter.setPen(QColor("#cfcac0"))
            painter.drawText(QRectF(0, top, label_width, self.ROW),
                             Qt.AlignmentFlag.AlignVCenter, emotion.display_name)
            if seconds > 0:
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(QColor(emotion.style.ui_colour))
                painter.drawRoundedRect(QRectF(label_width, top + 5,
                                               max(3.0, bar_space * seconds / longest),
                                               self.ROW - 10), 3, 3)
            painter.setPen(QColor("#9a958c"))
            painter.drawText(QRectF(self.width() - value_width, top, value_width, self.ROW),
                             Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight,
                             format_duration(seconds))
        painter.end()


class SummaryDialog(QDialog):
    def __init__(self, window, parent: QWidget | None = None):
        super().__init__(parent or window)
        self.window_ = window
        controller = window.controller
        self.setWindowTitle("Session summary")
        self.setModal(True)

        layout = QVBoxLayout(self)
        heading = QLabel("Session summary")
        heading.setObjectName("dialogHeading")
        layout.addWidget(heading)
        figures = QGridLayout()
        self.figure_labels: dict[str, QLabel] = {}
        for row, name in enumerate(("Started", "Duration", "Artworks")):
            figures.addWidget(QLabel(name), row, 0)
            value_label = QLabel()
            value_label.setObjectName(f"summary{name}")
            figures.addWidget(value_label, row, 1)
            self.figure_labels[name] = value_label
        layout.addLayout(figures)
        layout.addWidget(QLabel("Time per emotion"))
        self.chart = EmotionDurationChart({})
        layout.addWidget(self.chart)
        self.refresh()
        # Opened mid-session (File > Session summary), the session goes on behind it: the
        # figures follow each artwork that arrives, is removed or relaid, and the timeline.
        for changed in (controller.artwork_placed, controller.canvas_relaid,
                        controller.artwork_removed, controller.timeline_changed,
                        controller.state_changed):
            changed.connect(self.refresh)

        self.include_data = QCheckBox("Also export the session record")
        self.include_data.setChecked(False)
        self.include_data.setToolTip(HEALTH_DATA_NOTE)
        note = QLabel(HEALTH_DATA_NOTE)
        note.setWordWrap(True)
        note.setObjectName("healthDataNote")
        layout.addWidget(self.include_data)
        layout.addWidget(note)
        self.result_label = QLabel("")
        self.result_label.setWordWrap(True)
        layout.addWidget(self.result_label)

        buttons = QDialogButtonBox()
        self.export_button = buttons.addButton("Export", QDialogButtonBox.ButtonRole.ActionRole)
        self.export_button.setToolTip("Save the canvas as a PNG in the export folder")
        buttons.addButton(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        self.export_button.clicked.connect(self.export)
        layout.addWidget(buttons)

    def refresh(self, *_) -> None:
        """Show the session's figures as of now."""
        session = self.window_.controller.session
        if session is None:
            return
        duration = session.elapsed
        self.figure_labels["Started"].setText(session.started_at[11:16])
        self.figure_labels["Duration"].setText(format_duration(duration))
        self.figure_labels["Artworks"].setText(str(len(session.artworks)))
        self.chart.durations = session.timeline.time_per_emotion(duration)
        self.chart.update()

    def export(self) -> None:
        canvas_path = self.window_.default_export_path()
        written = []
        if self.window_.export_to(canvas_path):
            written.append(str(canvas_path))
        if self.include_data.isChecked():
            folder = canvas_path.with_suffix("")
            if self.window_.controller.export_session_data(Path(folder)):
                written.append(str(folder))
        self.result_label.setText("Exported: " + ", ".join(written) if written
                                  else "Export failed: see the status bar.")
