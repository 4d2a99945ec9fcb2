from PySide6.QtCore import QPoint

from animo_desktop.ui.main_window import FIRST_LAUNCH_SIZE


def test_the_camera_group_starts_above_the_fold_at_the_first_launch_size(launch, qtbot):
    window, controller = launch()
    window.resize(*FIRST_LAUNCH_SIZE)
    window.show()
    qtbot.waitExposed(window)
    qtbot.wait(50)
    viewport = window.side_panel.viewport()
    assert window.side_panel.verticalScrollBar().value() == 0
    top = window.camera_panel.mapTo(viewport, QPoint(0, 0)).y()
    # Its title and first row in view without scrolling.
    assert 0 <= top and top + 40 <= viewport.height()
