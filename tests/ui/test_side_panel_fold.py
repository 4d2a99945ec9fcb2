from PySide6.QtCore import QPoint

from animo_desktop.ui.main_window import FIRST_LAUNCH_SIZE


def test_all_but_the_canvas_settings_is_above_the_fold_at_the_first_launch_size(launch, qtbot):
    window, _ = launch()
    window.resize(*FIRST_LAUNCH_SIZE)
    window.show()
    qtbot.waitExposed(window)
    qtbot.wait(50)
    viewport = window.side_panel.viewport()
    assert window.side_panel.verticalScrollBar().value() == 0

    def span(widget) -> tuple[int, int]:
        top = widget.mapTo(viewport, QPoint(0, 0)).y()
        return top, top + widget.height()

    # Used all session long, given for each client, or set up once: wholly in view, in
    # this order, without scrolling.
    session_box = window.pause_button.parentWidget()
    theme_box = window.theme_edit.parentWidget()
    groups = (window.emotion_panel, session_box, theme_box, window.camera_panel)
    spans = [span(group) for group in groups]
    assert spans == sorted(spans)
    assert all(0 <= top and bottom <= viewport.height() for top, bottom in spans)
    # The camera's last row too (its widgets, not only its frame).
    assert span(window.camera_panel.calibrate_button)[1] <= viewport.height()
