import pytest

from animo_desktop.cli import build_parser
from animo_desktop.ui.app import build_window, open_session


@pytest.fixture
def launch(qtbot, tmp_path):
    """Open the real main window as `animo` would, with these command-line options."""
    opened = []

    def _launch(*argv: str, restore: str = "no", session_dir=None, ask_consent=False):
        args = build_parser().parse_args(
            ["--session-dir", str(session_dir or tmp_path / "sessions"), "--source", "none",
             *argv])
        window, controller = build_window(args)
        window.show()
        qtbot.waitExposed(window)
        # Offscreen Qt has no window manager to activate the window; shortcuts need it.
        window.windowHandle().requestActivate()
        qtbot.waitUntil(window.isActiveWindow)
        open_session(window, controller, restore, ask_consent)
        opened.append((window, controller))
        return window, controller

    yield _launch
    for window, controller in opened:
        window.close_without_asking()
        controller.shutdown()


def wait_for_artworks(qtbot, controller, count, timeout=10000):
    qtbot.waitUntil(lambda: len(controller.session.artworks) >= count, timeout=timeout)


def wait_for_canvas(qtbot, controller, timeout=10000):
    """Until the canvas painter (its own thread) shows every artwork where it belongs."""
    qtbot.waitUntil(lambda: controller.canvas_is_current, timeout=timeout)


def wait_for_saved(qtbot, controller, timeout=10000):
    """Until the session writer (its own thread) has written every state asked for."""
    qtbot.waitUntil(lambda: controller.is_saved, timeout=timeout)


def pause_when_settled(qtbot, controller, timeout=10000):
    """Pause, then wait for the artworks already asked for: from here on, only those the
    test asks for come (one in progress at the pause would land among them)."""
    controller.pause()
    qtbot.waitUntil(lambda: controller.artworks_in_progress == 0, timeout=timeout)
