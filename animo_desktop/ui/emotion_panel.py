"""The therapist's view of the emotion: what is current, how sure, and the pin buttons.

The header is the emotion ANIMO paints: the one the camera confirmed (with the smoothed
confidence in it), or the pinned one. The bars are what the smoother believes, averaged
over the last few frames; the thin live trace under them is what each frame alone says."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (QButtonGroup, QGridLayout, QGroupBox, QLabel, QProgressBar,
                               QPushButton, QVBoxLayout, QWidget)

from animo_desktop.emotions import ALL_EMOTIONS, Emotion
from animo_desktop.messages import EmotionReading, FrameReading
from animo_desktop.ui.live_trace import LiveTrace

SOURCE_TEXT = {"pinned": "pinned by the therapist", "camera": "confirmed by the camera",
               "theme": "named in the theme",
               "default": "no emotion detected yet: pin one by hand"}


class EmotionPanel(QGroupBox):
    pin_requested = Signal(object)  # Emotion, or None to release

    def __init__(self, parent: QWidget | None = None):
        super().__init__("Emotion", parent)
        layout = QVBoxLayout(self)
        # Tight rows: the whole side panel, camera included, fits a 1280 x 860 window.
        layout.setSpacing(3)

        self.current_label = QLabel()
        self.current_label.setObjectName("currentEmotion")
        self.source_label = QLabel()
        self.source_label.setObjectName("emotionSource")
        layout.addWidget(self.current_label)
        layout.addWidget(self.source_label)

        bars = QGridLayout()
        bars.setVerticalSpacing(2)
        self.bars: dict[Emotion, QProgressBar] = {}
        for row, emotion in enumerate(ALL_EMOTIONS):
            bar = QProgressBar()
            bar.setRange(0, 100)
            bar.setTextVisible(False)
            bar.setFixedHeight(10)
            bar.setStyleSheet(f"QProgressBar::chunk {{ background: {emotion.style.ui_colour}; }}")
            bars.addWidget(QLabel(emotion.display_name), row, 0)
            bars.addWidget(bar, row, 1)
            self.bars[emotion] = bar
        layout.addLayout(bars)
        self.bars_label = QLabel("Smoothed over the last few frames")
        self.bars_label.setObjectName("emotionSource")
        layout.addWidget(self.bars_label)
        self.live_trace = LiveTrace()
        layout.addWidget(self.live_trace)
        self._reading: EmotionReading | None = None

        layout.addWidget(QLabel("Pin an emotion"))
        buttons = QGridLayout()
        buttons.setVerticalSpacing(3)
        self.pin_buttons: dict[Emotion, QPushButton] = {}
        self._group = QButtonGroup(self)
        for position, emotion in enumerate(ALL_EMOTIONS):
            digit = emotion.style.shortcut_digit
            button = QPushButton(emotion.display_name)
            button.setCheckable(True)
            button.setShortcut(QKeySequence(f"Ctrl+{digit}"))
            button.setToolTip(f"Make {emotion.display_name.lower()} the current emotion, "
                              f"whatever the camera sees (Ctrl+{digit})")
            button.setStyleSheet(f"QPushButton {{ border-left: 6px solid "
                                 f"{emotion.style.ui_colour}; }}")
            button.clicked.connect(lambda _=False, e=emotion: self.pin_requested.emit(e))
            self._group.addButton(button)
            self.pin_buttons[emotion] = button
            buttons.addWidget(button, position // 2, position % 2)
        self.release_button = QPushButton("Release pin")
        self.release_button.setShortcut(QKeySequence("Ctrl+0"))
        self.release_button.setToolTip("Follow the camera again (Ctrl+0)")
        self.release_button.clicked.connect(lambda: self.pin_requested.emit(None))
        buttons.addWidget(self.release_button, 3, 1)
        layout.addLayout(buttons)

    def show_probabilities(self, probabilities) -> None:
        for emotion, bar in self.bars.items():
            bar.setValue(round(100 * probabilities.get(emotion, 0.0)))

    def show_frame(self, frame: FrameReading) -> None:
        """A camera frame: the live trace always; the bars and the confidence in the header
        while the camera leads (not while an emotion is pinned)."""
        self.live_trace.add_frame(frame.timestamp,
                                  frame.probabilities if frame.face_present else None)
        if self._reading is None or self._reading.source == "pinned":
            return
        self.show_probabilities(frame.smoothed)
        if self._reading.source == "camera" and frame.confirmed is self._reading.emotion:
            self._show_header(self._reading, frame.smoothed.get(frame.confirmed))

    def show_reading(self, reading: EmotionReading) -> None:
        self._reading = reading
        confidence = reading.probabilities.get(reading.emotion) \
            if reading.source == "camera" else None
        self._show_header(reading, confidence)
        self.show_probabilities(reading.probabilities)
        pinned = reading.source == "pinned"
        self._group.setExclusive(pinned)
        for emotion, button in self.pin_buttons.items():
            button.setChecked(pinned and emotion is reading.emotion)
        self.release_button.setEnabled(pinned)

    def _show_header(self, reading: EmotionReading, confidence: float | None) -> None:
        colour = reading.emotion.style.ui_colour
        sure = f" <span style='font-size:12pt'>{confidence:.0%}</span>" \
            if confidence is not None else ""
        self.current_label.setText(f"<span style='color:{colour}'>●</span> "
                                   f"{reading.emotion.display_name}{sure}")
        source = SOURCE_TEXT.get(reading.source, reading.source)
        if confidence is not None:
            source += ", smoothed confidence"
        self.source_label.setText(source)
