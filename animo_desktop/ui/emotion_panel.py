"""The therapist's view of the emotion: what is current, how sure, and the pin buttons."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (QButtonGroup, QGridLayout, QGroupBox, QLabel, QProgressBar,
                               QPushButton, QVBoxLayout, QWidget)

from animo_desktop.emotions import ALL_EMOTIONS, Emotion
from animo_desktop.messages import EmotionReading

SOURCE_TEXT = {"pinned": "pinned by the therapist", "camera": "detected by the camera",
               "theme": "named in the theme",
               "default": "no emotion detected yet: pin one by hand"}


class EmotionPanel(QGroupBox):
    pin_requested = Signal(object)  # Emotion, or None to release

    def __init__(self, parent: QWidget | None = None):
        super().__init__("Emotion", parent)
        layout = QVBoxLayout(self)

        self.current_label = QLabel()
        self.current_label.setObjectName("currentEmotion")
        self.source_label = QLabel()
        self.source_label.setObjectName("emotionSource")
        layout.addWidget(self.current_label)
        layout.addWidget(self.source_label)

        bars = QGridLayout()
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

        layout.addWidget(QLabel("Pin an emotion"))
        buttons = QGridLayout()
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

    def show_reading(self, reading: EmotionReading) -> None:
        colour = reading.emotion.style.ui_colour
        self.current_label.setText(f"<span style='color:{colour}'>●</span> "
                                   f"{reading.emotion.display_name}")
        self.source_label.setText(SOURCE_TEXT.get(reading.source, reading.source))
        self.show_probabilities(reading.probabilities)
        pinned = reading.source == "pinned"
        self._group.setExclusive(pinned)
        for emotion, button in self.pin_buttons.items():
            button.setChecked(pinned and emotion is reading.emotion)
        self.release_button.setEnabled(pinned)
