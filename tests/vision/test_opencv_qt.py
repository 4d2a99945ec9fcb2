"""Importing OpenCV (and MediaPipe) must not break Qt: GUI builds of OpenCV point Qt's
plugin and font paths at their own Qt 5 on import."""

import os
import subprocess
import sys

QT_VARIABLES = ("QT_QPA_PLATFORM_PLUGIN_PATH", "QT_QPA_FONTDIR", "LD_LIBRARY_PATH")

_START_QT = """
from PySide6.QtWidgets import QApplication, QLabel
app = QApplication([])
label = QLabel("ANIMO")
label.show()
app.processEvents()
assert app.platformName() == "offscreen", app.platformName()
"""

_IMPORT_VISION = """
import os
before = {name: os.environ.get(name) for name in %r}
from animo_desktop.vision import opencv
from animo_desktop.vision.analyzer import EmotionAnalyzer
after = {name: os.environ.get(name) for name in before}
assert after == before, (before, after)
assert opencv.cv2.__version__
""" % (QT_VARIABLES,)


def _run(code):
    environment = {name: value for name, value in os.environ.items()
                   if name not in QT_VARIABLES}
    environment["QT_QPA_PLATFORM"] = "offscreen"
    return subprocess.run([sys.executable, "-c", code], env=environment, capture_output=True,
                          text=True, timeout=120)


def test_pyside6_starts_after_the_vision_package_imported_opencv():
    result = _run(_IMPORT_VISION + _START_QT)
    assert result.returncode == 0, result.stderr


def test_the_vision_package_imports_after_pyside6_started():
    result = _run(_START_QT + _IMPORT_VISION + "label.setText('still running')\napp.processEvents()\n")
    assert result.returncode == 0, result.stderr


def test_the_guard_undoes_every_kind_of_change(monkeypatch):
    from animo_desktop.vision.opencv import environment_restored

    monkeypatch.setenv("ANIMO_TEST_CHANGED", "before")
    monkeypatch.setenv("ANIMO_TEST_REMOVED", "before")
    monkeypatch.delenv("ANIMO_TEST_ADDED", raising=False)
    with environment_restored():
        os.environ["ANIMO_TEST_CHANGED"] = "after"
        del os.environ["ANIMO_TEST_REMOVED"]
        os.environ["ANIMO_TEST_ADDED"] = "after"
    assert os.environ["ANIMO_TEST_CHANGED"] == "before"
    assert os.environ["ANIMO_TEST_REMOVED"] == "before"
    assert "ANIMO_TEST_ADDED" not in os.environ
