"""Qt's convention in scrollable forms (Krita, Qt Creator): the wheel scrolls the form,
and changes a spin box, combo box or slider only once it has been clicked or tabbed
into. Otherwise scrolling down the side panel would change whatever passes under the
pointer (the cadence from 6 s to 1 s) without anyone noticing."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import (QAbstractScrollArea, QAbstractSpinBox, QApplication,
                               QComboBox, QSlider, QWidget)

WHEEL_TAKING_CONTROLS = (QAbstractSpinBox, QComboBox, QSlider)


class WheelToScrollArea(QObject):
    """Event filter: a control without focus hands the wheel to the scroll area."""

    def __init__(self, scroll_area: QAbstractScrollArea):
        super().__init__(scroll_area)
        self._scroll_area = scroll_area

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.Wheel or watched.hasFocus():
            return False
        # Handed on here rather than ignored: Qt never passes a wheel event that did not
        # come from the window system (one sent by the application) on to the parent.
        QApplication.sendEvent(self._scroll_area.viewport(), event)
        event.accept()  # the panel had it; no widget further up scrolls as well
        return True


def scroll_past_unfocused_controls(scroll_area: QAbstractScrollArea,
                                   contents: QWidget) -> None:
    """Make the wheel over the controls in `contents` scroll `scroll_area` until one of
    them has focus (a click or Tab gives it; the wheel alone does not)."""
    guard = WheelToScrollArea(scroll_area)
    for control in contents.findChildren(QWidget):
        if isinstance(control, WHEEL_TAKING_CONTROLS):
            control.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
            control.installEventFilter(guard)
