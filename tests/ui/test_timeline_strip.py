import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QHelpEvent, QMouseEvent
from PySide6.QtWidgets import QApplication, QToolTip

from animo_desktop.emotions import Emotion
from animo_desktop.timeline import Segment
from animo_desktop.ui.timeline_strip import TimelineStrip


@pytest.fixture
def strip(qtbot):
    strip = TimelineStrip()
    qtbot.addWidget(strip)
    strip.resize(316, 34)  # 300 px for 150 s: x = 8 + 2 * seconds
    strip.show()
    qtbot.waitExposed(strip)
    strip.show_timeline([Segment(Emotion.JOY, 0.0, 60.0), Segment(None, 60.0, 75.0),
                         Segment(Emotion.SADNESS, 75.0, 150.0)], [30.0, 100.0], 150.0)
    yield strip
    QToolTip.hideText()


def test_a_band_tells_its_emotion_times_and_duration_and_a_tick_its_artwork(strip):
    assert strip.tooltip_at(8 + 2 * 15).startswith("Joy: 0:00 – 1:00 (1:00)")
    assert strip.tooltip_at(8 + 2 * 66).startswith("Paused: 1:00 – 1:15 (0:15)")
    assert strip.tooltip_at(8 + 2 * 130).startswith("Sadness: 1:15 – 2:30 (1:15)")
    assert strip.tooltip_at(8 + 2 * 30) == "Artwork at 0:30"
    assert strip.tooltip_at(8 + 2 * 100 + 1) == "Artwork at 1:40"


def test_hovering_shows_the_times_not_a_generic_tooltip(strip, qtbot):
    point = QPoint(8 + 2 * 130, 17)
    help_event = QHelpEvent(QEvent.Type.ToolTip, point, strip.mapToGlobal(point))
    QApplication.sendEvent(strip, help_event)
    qtbot.waitUntil(QToolTip.isVisible)
    assert QToolTip.text() == strip.tooltip_at(point.x())
    assert QToolTip.text().startswith("Sadness: 1:15 – 2:30 (1:15)")
    tick = QPointF(8 + 2 * 30, 5)
    move = QMouseEvent(QEvent.Type.MouseMove, tick, strip.mapToGlobal(tick),
                       Qt.MouseButton.NoButton, Qt.MouseButton.NoButton,
                       Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(strip, move)
    qtbot.waitUntil(lambda: QToolTip.text() == "Artwork at 0:30")
