"""A full disk (or a read-only folder) at autosave, at an artwork's save, at the canvas
export and at the session-record export: the therapist reads why, no partial or temporary
file is left, what was already written stays intact, and the session goes on."""

import errno
import json
import logging
import os
import tempfile
from pathlib import Path

import pytest
from PIL import Image
from PySide6.QtCore import Qt

from animo_desktop import session_export, storage
from animo_desktop.composition import CompositionMode, render_canvas
from animo_desktop.emotions import Emotion
from animo_desktop.session import SESSION_METADATA_KEY
from animo_desktop.storage import read_png_text
from tests.faults.conftest import logged, told
from tests.ui.conftest import (pause_when_settled, wait_for_artworks, wait_for_canvas,
                               wait_for_saved)

REASONS = {errno.ENOSPC: "No space left on device", errno.EACCES: "Permission denied"}


class Disk:
    """The disk under storage.py's atomic writes and the session-record export's folder.

    A place (a folder, or one file) can be made full: a write there stops half-way with
    ENOSPC, as on a real full disk, leaving a partial temporary file for ANIMO to clean
    up. Or read-only: no file or folder can be created in it (simulated because the tests
    run as root here, and root writes into a folder that chmod made read-only).
    """

    def __init__(self, monkeypatch):
        self._faults: dict[Path, int] = {}  # place: errno
        self._filling: set[int] = set()  # descriptors of temporary files on a full place
        monkeypatch.setattr(storage, "tempfile", _Replaced(tempfile, mkstemp=self._mkstemp))
        monkeypatch.setattr(storage, "os", _Replaced(os, fdopen=self._fdopen))
        monkeypatch.setattr(session_export, "tempfile",
                            _Replaced(tempfile, mkdtemp=self._mkdtemp))

    def fail(self, place: Path, code: int) -> None:
        self._faults[Path(place)] = code

    def free(self) -> None:
        self._faults.clear()

    def _fault(self, target: Path) -> int | None:
        return next((code for place, code in self._faults.items()
                     if place == target or place in target.parents), None)

    def _refuse_if_read_only(self, target: Path) -> None:
        if self._fault(target) == errno.EACCES:
            raise PermissionError(errno.EACCES, REASONS[errno.EACCES], str(target.parent))

    def _mkstemp(self, dir, prefix, suffix):
        target = Path(dir) / prefix[1:-1]  # storage names it ".NAME.XXXXXX.tmp"
        self._refuse_if_read_only(target)
        handle, temporary = tempfile.mkstemp(dir=dir, prefix=prefix, suffix=suffix)
        if self._fault(target) == errno.ENOSPC:
            self._filling.add(handle)
        return handle, temporary

    def _fdopen(self, handle, *args, **kwargs):
        stream = os.fdopen(handle, *args, **kwargs)
        if handle in self._filling:
            self._filling.discard(handle)
            return _FillingStream(stream)
        return stream

    def _mkdtemp(self, dir, prefix):
        self._refuse_if_read_only(Path(dir) / prefix.strip("."))
        return tempfile.mkdtemp(dir=dir, prefix=prefix)


class _Replaced:
    """A module with some of its functions replaced."""

    def __init__(self, module, **replacements):
        self._module = module
        self.__dict__.update(replacements)

    def __getattr__(self, name):
        return getattr(self._module, name)


class _FillingStream:
    """A file on a disk that fills up: half of the first write lands, then ENOSPC."""

    def __init__(self, stream):
        self._stream = stream

    def __enter__(self):
        return self

    def __exit__(self, *exception):
        self._stream.close()

    def write(self, data):
        self._stream.write(data[:len(data) // 2])
        self._stream.flush()
        raise OSError(errno.ENOSPC, REASONS[errno.ENOSPC])

    def __getattr__(self, name):
        return getattr(self._stream, name)


@pytest.fixture
def disk(monkeypatch):
    return Disk(monkeypatch)


def hidden_files(folder: Path) -> list[str]:
    """What an interrupted atomic write would leave: storage's temporaries are hidden."""
    return [path.name for path in folder.rglob(".*")]


def saved_indices(state_file: Path) -> list[int]:
    return [item["index"] for item in json.loads(state_file.read_text("utf-8"))["artworks"]]


# A disk that fills up, or a folder made read-only, while the session runs or at an export.
with_each_fault = pytest.mark.parametrize("code", REASONS, ids=["full", "read-only"])


@with_each_fault
def test_a_full_disk_at_autosave_keeps_the_last_good_state_and_the_next_autosave_succeeds(
        disk, launch, qtbot, shown, caplog, code):
    window, controller = launch("--emotion", "joy")
    controller.set_cadence(1.0)
    wait_for_artworks(qtbot, controller, 1)
    wait_for_saved(qtbot, controller)  # with that artwork
    state = controller.folder.state_file
    disk.fail(state, code)
    good = state.read_bytes()  # the last state written before the disk filled up
    count = len(controller.session.artworks)
    wait_for_artworks(qtbot, controller, count + 2)
    wait_for_saved(qtbot, controller)
    # Told once, not at each of the artworks that came while the disk was full.
    assert len(told(shown, "error", f"The session could not be autosaved ({REASONS[code]})",
                    "it goes on in memory")) == 1
    assert logged(caplog, logging.ERROR, "autosave failed", REASONS[code])
    assert state.read_bytes() == good and len(saved_indices(state)) >= 1
    assert hidden_files(controller.folder.path) == []
    records = controller.session.artworks
    assert all((controller.folder.path / r.file).is_file() for r in records)  # only it failed

    disk.free()
    wait_for_artworks(qtbot, controller, len(records) + 1)
    wait_for_saved(qtbot, controller)
    assert saved_indices(state) == [r.index for r in controller.session.artworks]
    assert controller.folder.load().artworks[-1].index == controller.session.artworks[-1].index
    assert told(shown, "info", "Autosave works again")


@with_each_fault
def test_a_full_disk_at_an_artworks_save_keeps_it_on_the_canvas_and_in_memory(
        disk, launch, qtbot, shown, caplog, code):
    window, controller = launch("--emotion", "sadness")
    wait_for_artworks(qtbot, controller, 1)
    pause_when_settled(qtbot, controller)
    artworks = controller.folder.path / "artworks"
    files_before = sorted(path.name for path in artworks.iterdir())
    disk.fail(artworks, code)
    controller.request_artwork(Emotion.JOY)
    wait_for_artworks(qtbot, controller, 2)
    saved, unsaved = controller.session.artworks
    assert unsaved.file is None and unsaved.metadata.emotion is Emotion.JOY
    assert told(shown, "error", f"The artwork could not be saved ({REASONS[code]})",
                "it stays on the canvas")
    assert logged(caplog, logging.ERROR, "could not be saved", REASONS[code])
    # No half-written PNG, no temporary, no sidecar without its image.
    assert sorted(path.name for path in artworks.iterdir()) == files_before
    wait_for_saved(qtbot, controller)
    assert hidden_files(controller.folder.path) == []
    assert saved_indices(controller.folder.state_file) == [saved.index, unsaved.index]

    # Painted from memory, also when the whole canvas is laid out anew.
    for mode in (CompositionMode.COLLAGE, CompositionMode.MOSAIC):
        window.set_composition(mode)
        wait_for_canvas(qtbot, controller)
        assert window.canvas_view.artwork_count == 2
        from_files_only = render_canvas(controller.session.canvas, mode,
                                        [(saved.placement, controller.folder.load_image(saved))])
        assert controller.render().tobytes() != from_files_only.tobytes()

    disk.free()
    controller.request_artwork(Emotion.FEAR)
    wait_for_artworks(qtbot, controller, 3)
    wait_for_saved(qtbot, controller)
    assert (controller.folder.path / controller.session.artworks[-1].file).is_file()
    # The artwork kept in memory is written at the first autosave with room on the disk,
    # so a crash from now on loses nothing.
    assert unsaved.file is not None
    with Image.open(controller.folder.path / unsaved.file) as written:
        assert written.size == controller.folder.load_image(saved).size
    restored = controller.folder.load()
    assert [r.file is not None for r in restored.artworks] == [True, True, True]
    assert told(shown, "error", "could not be autosaved") == []  # the state saved all along


@pytest.fixture
def exporting(launch, qtbot, tmp_path):
    """A session under way, with an artwork, that exports to a folder of its own."""
    exports = tmp_path / "exports"
    exports.mkdir()
    window, controller = launch("--emotion", "surprise")
    controller.settings.last_export_dir = str(exports)
    controller.set_cadence(1.0)
    wait_for_artworks(qtbot, controller, 1)
    return window, controller, exports


def export_action(window):
    return next(action for action in window.actions() if action.text() == "&Export canvas")


@with_each_fault
def test_a_failed_canvas_export_says_why_and_keeps_the_previous_export(
        disk, exporting, qtbot, shown, caplog, code):
    window, controller, exports = exporting
    export_action(window).trigger()
    previous, = exports.iterdir()
    previous_bytes = previous.read_bytes()
    exported_to = list(controller.session.exported_to)

    disk.fail(exports, code)
    export_action(window).trigger()
    assert not window.export_to(previous)  # nor over the previous export
    failures = told(shown, "error", f"Export failed: {REASONS[code]}", str(exports),
                    "Nothing was lost")
    assert len(failures) == 2 and failures[-1] in window.statusBar().currentMessage()
    assert logged(caplog, logging.ERROR, "export to", REASONS[code])
    assert list(exports.iterdir()) == [previous] and previous.read_bytes() == previous_bytes
    assert controller.session.exported_to == exported_to
    count = len(controller.session.artworks)
    wait_for_artworks(qtbot, controller, count + 1)  # the session goes on

    disk.free()
    export_action(window).trigger()
    latest = Path(controller.session.exported_to[-1])
    saved = json.loads(read_png_text(latest)[SESSION_METADATA_KEY])
    assert saved["artwork_count"] == len(controller.session.artworks)
    assert latest.parent == exports and hidden_files(exports) == []


@with_each_fault
def test_a_failed_session_record_export_leaves_no_partial_folder(
        disk, exporting, qtbot, shown, caplog, code):
    window, controller, exports = exporting
    disk.fail(exports, code)
    dialog = window.show_summary()
    dialog.include_data.setChecked(True)
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    assert dialog.result_label.text() == "Export failed: see the status bar."
    assert told(shown, "error", f"Export failed: {REASONS[code]}")
    assert told(shown, "error", f"Session data export failed: {REASONS[code]}", str(exports))
    assert logged(caplog, logging.ERROR, "session data export to", REASONS[code])
    assert list(exports.iterdir()) == []  # no canvas, no record, no staging folder
    count = len(controller.session.artworks)
    wait_for_artworks(qtbot, controller, count + 1)  # the session goes on

    disk.free()
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    assert dialog.result_label.text().startswith("Exported: ")
    record, = (path for path in exports.iterdir() if path.is_dir())
    exported = json.loads((record / "session.json").read_text("utf-8"))
    assert len(exported["artworks"]) >= count + 1
    assert len(list((record / "artworks").glob("*.png"))) == len(exported["artworks"])
    dialog.close()


@pytest.fixture
def unsaved_artwork(disk, launch, qtbot):
    """A session whose second artwork could not be saved: the disk is still full."""
    window, controller = launch("--emotion", "sadness")
    wait_for_artworks(qtbot, controller, 1)
    controller.pause()
    disk.fail(controller.folder.path / "artworks", errno.ENOSPC)
    controller.request_artwork(Emotion.JOY)
    wait_for_artworks(qtbot, controller, 2)
    assert controller.session.artworks[-1].file is None
    return window, controller


def test_quitting_with_an_unsaved_artwork_asks_naming_where_to_export_it(
        unsaved_artwork, monkeypatch, caplog):
    from PySide6.QtWidgets import QMessageBox
    window, controller = unsaved_artwork
    asked, answers = [], ["Keep working", "Quit and lose them"]

    def exec_(box):
        if not answers:
            pytest.fail("asked twice")
        asked.append(box.text())
        # Buttons in words that say what happens, not Yes / No.
        assert [b.text() for b in box.buttons()] == ["Quit and lose them", "Keep working"]
        assert box.defaultButton().text() == "Keep working"
        choice = answers.pop(0)
        next(b for b in box.buttons() if b.text() == choice).click()
        return 0

    monkeypatch.setattr(QMessageBox, "exec", exec_)
    monkeypatch.setattr(QMessageBox, "warning", lambda *_: pytest.fail("Yes / No buttons"))

    window.close()
    assert window.isVisible() and window.artworks_lost == 0  # the therapist said no
    (text,) = asked
    assert "1 artwork could not be saved to the session folder" in text
    assert str(controller.folder.path) in text
    assert "Export the canvas before quitting" in text
    window.close()  # and now yes: quits, without a second question
    assert not window.isVisible() and window.artworks_lost == 1
    assert logged(caplog, logging.WARNING, "1 artwork could not be saved", "quit anyway")


def test_an_unattended_quit_with_an_unsaved_artwork_logs_it_and_fails(
        unsaved_artwork, monkeypatch, caplog):
    from PySide6.QtWidgets import QMessageBox
    window, controller = unsaved_artwork
    monkeypatch.setattr(QMessageBox, "warning", lambda *_: pytest.fail("asked"))
    window.close_without_asking()
    assert not window.isVisible() and window.artworks_lost == 1
    assert logged(caplog, logging.ERROR, "1 artwork could not be saved to the session folder",
                  str(controller.folder.path), "lost")


def test_quitting_once_the_disk_has_room_again_saves_the_artwork_and_asks_nothing(
        unsaved_artwork, disk, monkeypatch):
    from PySide6.QtWidgets import QMessageBox
    window, controller = unsaved_artwork
    monkeypatch.setattr(QMessageBox, "warning", lambda *_: pytest.fail("asked"))
    disk.free()
    window.close_without_asking()
    assert window.artworks_lost == 0
    assert (controller.folder.path / controller.session.artworks[-1].file).is_file()


def test_an_unattended_run_that_lost_an_artwork_exits_non_zero(disk, tmp_path, monkeypatch):
    from animo_desktop.cli import build_parser
    from animo_desktop.ui import app as app_module
    from animo_desktop.session import SessionFolder
    sessions = tmp_path / "sessions"
    create = SessionFolder.create.__func__

    def created_on_a_disk_that_fills(cls, *args, **kwargs):
        folder = create(cls, *args, **kwargs)
        disk.fail(folder.path / "artworks", errno.ENOSPC)  # every artwork's save fails
        return folder

    monkeypatch.setattr(SessionFolder, "create", classmethod(created_on_a_disk_that_fills))
    args = build_parser().parse_args(["--source", "none", "--backend", "painter",
                                      "--emotion", "joy", "--session-dir", str(sessions),
                                      "--exit-after", "3"])
    monkeypatch.setattr(app_module, "save_settings_safely", lambda _: pytest.fail("saved"))
    assert app_module.run_app(args) == 1
