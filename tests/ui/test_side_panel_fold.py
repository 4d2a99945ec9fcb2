from PySide6.QtCore import QPoint

from animo_desktop.ui.main_window import FIRST_LAUNCH_SIZE


def test_the_groups_used_each_session_are_above_the_fold_at_the_first_launch_size(launch,
                                                                                   qtbot):
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

    # Used all session long, or given for each client: wholly in view, in this order.
    session_box = window.pause_button.parentWidget()
    theme_box = window.theme_edit.parentWidget()
    spans = [span(group) for group in (window.emotion_panel, session_box, theme_box)]
    assert spans == sorted(spans)
    assert all(0 <= top and bottom <= viewport.height() for top, bottom in spans)
    # The camera, set up once: its title and first row in view without scrolling.
    top, _ = span(window.camera_panel)
    assert spans[-1][1] <= top and top + 40 <= viewport.height()
