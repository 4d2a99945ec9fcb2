"""Screenshots for the README, taken from a real run of the app (offscreen Qt).

    python docs/make_screenshots.py [OUTPUT_FOLDER] [--size 1280x860] [--prefix NAME]

Opens the main window as `animo` does, pins a sequence of emotions as a therapist would,
lets the built-in painter fill the canvas, and saves what the window shows: the main
the consent notice, the main window mid-session, installation mode, and the
end-of-session summary.

--size is the window's size in logical pixels (installation mode fills the screen). A
high-density screen is QT_SCALE_FACTOR, e.g. a 4K screen at 200 %:
    QT_SCALE_FACTOR=2 python docs/make_screenshots.py /tmp/4k --size 1920x1080
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEventLoop, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from animo_desktop.cli import build_parser  # noqa: E402
from animo_desktop.composition import CompositionMode  # noqa: E402
from animo_desktop.emotions import Emotion  # noqa: E402
from animo_desktop.ui.app import build_window, open_session  # noqa: E402
from animo_desktop.ui.consent_dialog import consent_dialog  # noqa: E402
from animo_desktop.ui.summary_dialog import SummaryDialog  # noqa: E402

# A session as a therapist might see it: each emotion and the minutes it lasts.
SEQUENCE = [(Emotion.NEUTRAL, 3.0), (Emotion.JOY, 4.5), (Emotion.SURPRISE, 1.5),
            (Emotion.JOY, 2.5), (Emotion.SADNESS, 5.0), (Emotion.FEAR, 2.0),
            (Emotion.ANGER, 3.5), (Emotion.DISGUST, 1.0), (Emotion.JOY, 4.0)]


class StoryClock:
    """The session clock, moved on by the minutes of the story rather than waited for."""

    def __init__(self) -> None:
        self.skipped = 0.0

    def __call__(self) -> float:
        return time.monotonic() + self.skipped


def wait(milliseconds: int) -> None:
    loop = QEventLoop()
    QTimer.singleShot(milliseconds, loop.quit)
    loop.exec()


def save(widget, path: Path) -> None:
    widget.grab().save(str(path))
    print(path)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output", nargs="?", type=Path, default=Path(__file__).parent)
    parser.add_argument("--size", default="1280x860", help="window size, WIDTHxHEIGHT")
    parser.add_argument("--prefix", default="", help="put before each file name")
    args = parser.parse_args()
    width, height = (int(side) for side in args.size.split("x"))
    output = args.output
    output.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix="animo-screenshots-"))
    os.environ["ANIMO_CONFIG_DIR"] = str(scratch / "config")
    os.environ["ANIMO_DATA_DIR"] = str(scratch / "data")

    app = QApplication(sys.argv[:1])
    window, controller = build_window(build_parser().parse_args(["--source", "none"]))
    clock = StoryClock()
    controller._clock = clock  # the story's minutes, not real ones (screenshots only)
    window.resize(width, height)
    window.show()
    notice = consent_dialog(window)  # what a session with a camera asks first
    notice.show()
    wait(300)
    save(notice, output / f"{args.prefix}consent_notice.png")
    notice.close()
    open_session(window, controller, "no")
    window.theme_edit.setText("a garden by the sea")
    for emotion, minutes in SEQUENCE:
        count = len(controller.session.artworks)
        controller.pin(emotion)
        while len(controller.session.artworks) == count:
            wait(50)
        clock.skipped += minutes * 60
    while not controller.canvas_is_current:
        wait(50)
    wait(1200)  # let the last fade finish
    save(window, output / f"{args.prefix}main_window.png")

    window.set_composition(CompositionMode.LAYERS)
    while not controller.canvas_is_current:  # the relayout runs in the painter's thread
        wait(50)
    window.set_kiosk(True)
    wait(300)
    save(window, output / f"{args.prefix}installation_mode.png")
    window.set_kiosk(False)
    window.set_composition(CompositionMode.COLLAGE)

    window.end_button.click()
    wait(300)
    dialog = window.findChild(SummaryDialog)
    save(dialog, output / f"{args.prefix}session_summary.png")
    dialog.close()
    window.close_without_asking()
    controller.shutdown()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
