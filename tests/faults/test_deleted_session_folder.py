"""The session folder deleted while its session runs: the therapist is told, the session
goes on in memory, nothing makes the folder again, and what the canvas shows, the
session's figures and the exported canvas's metadata keep counting the same artworks."""

import logging
import shutil

from animo_desktop.composition import CompositionMode
from animo_desktop.emotions import Emotion
from animo_desktop.session import unfinished_sessions
from tests.faults.conftest import exported_count, logged, told
from tests.ui.conftest import (pause_when_settled, wait_for_artworks, wait_for_canvas,
                               wait_for_saved)


def test_a_session_folder_deleted_mid_session_is_told_and_the_session_goes_on_in_memory(
        launch, qtbot, shown, caplog, tmp_path):
    window, controller = launch("--emotion", "joy")
    controller.set_cadence(1.0)
    wait_for_artworks(qtbot, controller, 2)
    pause_when_settled(qtbot, controller)
    wait_for_saved(qtbot, controller)
    folder, sessions = controller.folder.path, controller.sessions_root
    made_before = len(controller.session.artworks)
    shutil.rmtree(folder)

    controller.request_artwork(Emotion.FEAR)
    wait_for_artworks(qtbot, controller, made_before + 1)
    wait_for_saved(qtbot, controller)
    wait_for_canvas(qtbot, controller)
    warning = told(shown, "error", f"The session folder {folder} was deleted",
                   f"its {made_before} artworks", "goes on in memory", "Export the canvas")
    assert len(warning) == 1 and warning[0] in window.statusBar().currentMessage()
    assert logged(caplog, logging.ERROR, "session folder", str(folder), "is gone")
    assert not told(shown, "error", "could not be saved")  # no save was even tried
    assert not folder.exists()  # not made again, by the artwork's save or the autosave
    assert unfinished_sessions(sessions) == []  # nothing claims those artworks on restore

    # Until the canvas is laid out anew, it still shows every artwork, and says so.
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    assert window.canvas_view.artwork_count == made_before + 1
    assert exported_count(window, elsewhere / "all.png") == made_before + 1

    window.set_composition(CompositionMode.MOSAIC)
    wait_for_canvas(qtbot, controller)
    assert told(shown, "warning", f"{made_before} artworks gone with the session folder left "
                                  "the canvas")
    kept = controller.session.artworks
    assert [record.metadata.emotion for record in kept] == [Emotion.FEAR]
    assert window.canvas_view.artwork_count == 1
    assert exported_count(window, elsewhere / "kept.png") == 1
    summary = window.show_summary()
    assert summary.figure_labels["Artworks"].text() == "1"
    summary.close()

    controller.request_artwork(Emotion.JOY)  # the session goes on
    wait_for_artworks(qtbot, controller, 2)
    wait_for_saved(qtbot, controller)
    assert not folder.exists() and len(told(shown, "error", "was deleted")) == 1

    window.close_without_asking()  # unattended: the artworks only in memory are lost
    assert window.artworks_lost == 2
    assert logged(caplog, logging.ERROR, "could not be saved to the session folder",
                  str(folder), "it was deleted", "lost")


def test_an_artwork_file_deleted_mid_session_leaves_the_session_when_found_gone(
        launch, qtbot, shown, caplog, tmp_path):
    window, controller = launch("--emotion", "joy")
    controller.set_cadence(1.0)
    wait_for_artworks(qtbot, controller, 3)
    controller.pause()
    wait_for_saved(qtbot, controller)
    gone, *kept = controller.session.artworks
    deleted = controller.folder.path / gone.file
    deleted.unlink()

    window.set_composition(CompositionMode.MOSAIC)  # painted anew from the files
    qtbot.waitUntil(lambda: gone not in controller.session.artworks)
    wait_for_canvas(qtbot, controller)
    wait_for_saved(qtbot, controller)
    assert told(shown, "warning", f"The artwork {deleted} was deleted", "leaves the canvas")
    assert logged(caplog, logging.WARNING, str(deleted), "is gone")
    assert controller.session.artworks == kept
    assert window.canvas_view.artwork_count == len(kept)
    assert exported_count(window, tmp_path / "canvas.png") == len(kept)
    restored = controller.folder.load()  # what the next launch would offer to restore
    assert [record.index for record in restored.artworks] == [record.index for record in kept]
