"""Screenshots for the README, taken from a real run of the app (offscreen Qt).

    python docs/make_screenshots.py [OUTPUT_FOLDER]

Opens the main window as `animo` does, pins a sequence of emotions as a therapist would,
lets the built-in painter fill the canvas, and saves what the window shows: the main
window mid-session, installation mode, and the end-of-session summary.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEventLoop, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from animo_desktop.cli import build_parser  # noqa: E402
from animo_desktop.composition import CompositionMode  # noqa: E402
from animo_desktop.emotions import Emotion  # noqa: E402
from animo_desktop.ui.app import build_window, open_session  # noqa: E402
from animo_desktop.ui.summary_dialog import SummaryDialog  # noqa: E402

SEQUENCE = [Emotion.NEUTRAL, Emotion.JOY, Emotion.SURPRISE, Emotion.JOY, Emotion.SADNESS,
            Emotion.FEAR, Emotion.ANGER, Emotion.DISGUST, Emotion.JOY]


def wait(milliseconds: int) -> None:
    loop = QEventLoop()
    QTimer.singleShot(milliseconds, loop.quit)
    loop.exec()


def save(widget, path: Path) -> None:
    widget.grab().save(str(path))
    print(path)


def main() -> int:
    output = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).parent)
    output.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix="animo-screenshots-"))
    os.environ["ANIMO_CONFIG_DIR"] = str(scratch / "config")
    os.environ["ANIMO_DATA_DIR"] = str(scratch / "data")

    app = QApplication(sys.argv[:1])
    window, controller = build_window(build_parser().parse_args(["--source", "none"]))
    window.resize(1280, 860)
    window.show()
    open_session(window, controller, "no")
    window.theme_edit.setText("a garden by the sea")
    for emotion in SEQUENCE:
        count = len(controller.session.artworks)
        controller.pin(emotion)
        while len(controller.session.artworks) == count:
            wait(50)
    wait(1200)  # let the last fade finish
    save(window, output / "main_window.png")

    window.set_composition(CompositionMode.LAYERS)
    window.set_kiosk(True)
    wait(300)
    save(window, output / "installation_mode.png")
    window.set_kiosk(False)
    window.set_composition(CompositionMode.COLLAGE)

    window.end_button.click()
    wait(300)
    dialog = window.findChild(SummaryDialog)
    save(dialog, output / "session_summary.png")
    dialog.close()
    window.close_without_asking()
    controller.shutdown()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
