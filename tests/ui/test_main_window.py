import json
import shutil

import pytest

from PIL import Image
from PySide6.QtCore import Qt

from animo_desktop.emotions import Emotion
from animo_desktop.session import LOCK_FILE, find_unfinished_session
from animo_desktop.storage import read_png_text
from animo_desktop.ui.session_controller import SessionState
from animo_desktop.ui.summary_dialog import SummaryDialog
from PySide6.QtWidgets import QLabel
from tests.ui.conftest import wait_for_artworks, wait_for_canvas, wait_for_saved


QUIT_WITHOUT_EXPORTING = "Quit without exporting"
KEEP_WORKING = "Keep working"


def answer_quit(monkeypatch, choice, questions):
    """The quit question, answered by clicking the button that reads CHOICE; what it asked
    (text, buttons with whether their icon is empty, default and Escape buttons) is kept."""
    from PySide6.QtWidgets import QMessageBox

    def exec_(box):
        questions.append({"text": box.text(),
                          "buttons": [(b.text(), b.icon().isNull()) for b in box.buttons()],
                          "default": box.defaultButton().text() if box.defaultButton() else None,
                          "escape": box.escapeButton().text() if box.escapeButton() else None})
        next(b for b in box.buttons() if b.text() == choice).click()
        return 0
    monkeypatch.setattr(QMessageBox, "exec", exec_)
    monkeypatch.setattr(QMessageBox, "question",
                        lambda *a: pytest.fail("asked with Yes / No buttons"))


def shows_exactly(view, image):
    """Whether the view's painting is this canvas image, pixel for pixel."""
    from PySide6.QtGui import QImage
    from animo_desktop.ui.images import to_qimage
    shown = view.shown_painting().toImage().convertToFormat(QImage.Format.Format_RGB888)
    return shown == to_qimage(image)


def rendered_from_files(controller):
    """The canvas rendered here from the artwork files, independently of the app."""
    from animo_desktop.composition import render_canvas
    session = controller.session
    return render_canvas(session.canvas, session.composition,
                         [(record.placement, controller.folder.load_image(record))
                          for record in session.artworks])


def test_window_opens_with_the_painter_and_closes_cleanly(launch, qtbot):
    window, controller = launch()
    assert window.isVisible()
    qtbot.waitUntil(lambda: window.backend_label.text() == "Backend: painter")
    assert window.device_label.text() == "Device: CPU"
    assert controller.state is SessionState.RUNNING
    wait_for_artworks(qtbot, controller, 1)
    wait_for_canvas(qtbot, controller)
    assert window.canvas_view.artwork_count == 1
    assert "ms" in window.timing_label.text()


def test_clicking_an_emotion_button_puts_that_emotion_on_the_canvas(launch, qtbot):
    window, controller = launch()
    qtbot.mouseClick(window.emotion_panel.pin_buttons[Emotion.ANGER], Qt.MouseButton.LeftButton)
    assert window.emotion_panel.current_label.text().endswith("Anger")
    assert window.emotion_panel.bars[Emotion.ANGER].value() == 100
    qtbot.waitUntil(lambda: any(r.metadata.emotion is Emotion.ANGER
                                for r in controller.session.artworks), timeout=5000)
    controller.pause()
    wait_for_canvas(qtbot, controller)
    assert window.canvas_view.artwork_count == len(controller.session.artworks)
    qtbot.mouseClick(window.emotion_panel.release_button, Qt.MouseButton.LeftButton)
    assert window.emotion_panel.current_label.text().endswith("Neutral")
    assert not any(b.isChecked() for b in window.emotion_panel.pin_buttons.values())


def test_pinned_emotion_from_the_command_line(launch, qtbot):
    _, controller = launch("--emotion", "happy")
    wait_for_artworks(qtbot, controller, 1)
    assert controller.session.artworks[0].metadata.emotion is Emotion.JOY


def test_each_artwork_is_saved_at_once_and_the_state_autosaved(launch, qtbot):
    _, controller = launch("--emotion", "fear")
    wait_for_artworks(qtbot, controller, 1)
    record = controller.session.artworks[0]
    assert (controller.folder.path / record.file).is_file()
    wait_for_saved(qtbot, controller)
    saved = json.loads(controller.folder.state_file.read_text())
    assert [a["seed"] for a in saved["artworks"]] == [record.metadata.seed]


def test_export_writes_the_canvas_with_session_metadata(launch, qtbot, tmp_path):
    window, controller = launch("--emotion", "surprise")
    controller.set_theme("the sea")
    wait_for_artworks(qtbot, controller, 1)
    with qtbot.waitSignal(controller.exported):
        assert window.export_to(tmp_path / "exports" / "canvas.png")
    path = tmp_path / "exports" / "canvas.png"
    assert Image.open(path).size == (720, 985)
    data = json.loads(read_png_text(path)["animo:session"])
    assert data["app_version"] and data["started_at"] and data["ended_at"]
    # Emotions are health data: no artwork's details unless the therapist opts in.
    assert data["artwork_count"] == len(controller.session.artworks) >= 1
    assert data["backends"] == ["painter"] and "artworks" not in data
    assert [p.name for p in path.parent.iterdir()] == ["canvas.png"]  # no temp file left
    assert "canvas.png" in window.statusBar().currentMessage()
    assert not controller.has_unexported_work


def test_export_to_an_unwritable_place_reports_and_keeps_the_session(launch, qtbot, tmp_path):
    window, controller = launch()
    wait_for_artworks(qtbot, controller, 1)
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    assert not window.export_to(blocker / "canvas.png")
    assert "Export failed" in window.statusBar().currentMessage()
    assert controller.state is SessionState.RUNNING and controller.has_unexported_work


def export_as_with(window, monkeypatch, typed, answer=None):
    """Export as… with this name typed in the dialog; the questions asked, answered so."""
    from PySide6.QtWidgets import QFileDialog, QMessageBox
    questions = []

    def exec_(box):
        questions.append(box.text())
        texts = [b.text() for b in box.buttons()]
        assert texts == ["Replace the file", "Keep the old file"]  # words, not Yes / No
        assert box.defaultButton().text() == "Keep the old file"
        next(b for b in box.buttons() if b.text() == answer).click()
        return 0

    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a: (str(typed), "PNG (*.png)"))
    monkeypatch.setattr(QMessageBox, "exec", exec_)
    monkeypatch.setattr(QMessageBox, "question", lambda *a: pytest.fail("Yes / No buttons"))
    window.export_as()
    return questions


def test_export_as_appends_png_and_asks_before_replacing_another_file(launch, qtbot, tmp_path,
                                                                      monkeypatch):
    window, controller = launch()
    wait_for_artworks(qtbot, controller, 1)
    controller.pause()
    other = tmp_path / "client-A.png"
    other.write_bytes(b"another client's canvas")
    questions = export_as_with(window, monkeypatch, tmp_path / "client-A",
                               "Keep the old file")
    assert len(questions) == 1 and "client-A.png" in questions[0]
    assert other.read_bytes() == b"another client's canvas"
    export_as_with(window, monkeypatch, tmp_path / "client-A", "Replace the file")
    assert Image.open(other).size == (720, 985)
    # A dot in the name is no extension to replace: "session 12.png" stays as it was.
    (tmp_path / "session 12.png").write_bytes(b"session 12")
    assert export_as_with(window, monkeypatch, tmp_path / "session 12.03") == []
    assert (tmp_path / "session 12.png").read_bytes() == b"session 12"
    assert Image.open(tmp_path / "session 12.03.png").size == (720, 985)
    # The dialog itself confirmed a name that already ends in .png, whatever its case.
    (tmp_path / "final.PNG").write_bytes(b"old")
    assert export_as_with(window, monkeypatch, tmp_path / "final.PNG") == []
    assert Image.open(tmp_path / "final.PNG").size == (720, 985)


def test_default_export_name_holds_date_and_time(launch):
    window, _ = launch()
    assert window.default_export_path().name.startswith("animo-session-20")


def test_f11_toggles_full_screen(launch, qtbot):
    window, _ = launch()
    qtbot.keyClick(window, Qt.Key.Key_F11)
    qtbot.waitUntil(window.isFullScreen)
    qtbot.keyClick(window, Qt.Key.Key_F11)
    qtbot.waitUntil(lambda: not window.isFullScreen())


def test_kiosk_hides_everything_and_only_the_therapist_keys_leave(launch, qtbot):
    window, _ = launch("--kiosk")
    window.set_kiosk(True)
    qtbot.waitUntil(window.isFullScreen)
    assert not window.side_panel.isVisible() and not window.menuBar().isVisible()
    assert not window.statusBar().isVisible()
    assert window.cursor().shape() == Qt.CursorShape.BlankCursor
    for key, modifiers in [(Qt.Key.Key_Escape, Qt.KeyboardModifier.NoModifier),
                           (Qt.Key.Key_F11, Qt.KeyboardModifier.NoModifier),
                           (Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)]:
        qtbot.keyClick(window, key, modifiers)
        qtbot.wait(50)
        assert window.kiosk and window.isFullScreen() and window.isVisible()
    window.close()  # a close request from the window system is refused too
    assert window.isVisible()
    qtbot.keyClick(window, Qt.Key.Key_X, Qt.KeyboardModifier.ControlModifier
                   | Qt.KeyboardModifier.AltModifier | Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: not window.kiosk)
    assert window.side_panel.isVisible()
    qtbot.waitUntil(lambda: not window.isFullScreen())


def test_pause_stops_new_artworks_and_resume_continues(launch, qtbot):
    window, controller = launch()
    wait_for_artworks(qtbot, controller, 1)
    qtbot.mouseClick(window.pause_button, Qt.MouseButton.LeftButton)
    assert controller.state is SessionState.PAUSED and window.start_button.text() == "Resume"
    count = len(controller.session.artworks)
    controller.pin(Emotion.JOY)  # a change while paused makes nothing
    qtbot.wait(600)
    assert len(controller.session.artworks) == count
    qtbot.mouseClick(window.start_button, Qt.MouseButton.LeftButton)
    wait_for_artworks(qtbot, controller, count + 1)


def copy_as_a_crash_leaves_it(folder, root):
    """The session folder as if its ANIMO had died: a copy, without the lock this process
    (alive, so never stale) holds."""
    shutil.copytree(folder, root / folder.name, ignore=shutil.ignore_patterns(LOCK_FILE))


def test_restore_after_a_crash_brings_back_the_canvas(launch, qtbot, tmp_path):
    window, controller = launch("--emotion", "joy")
    controller.set_cadence(1.0)
    wait_for_artworks(qtbot, controller, 3)
    controller.pause()
    qtbot.wait(300)  # let an artwork in flight land
    before = controller.render()
    count = len(controller.session.artworks)
    # The app dies here: the session folder is left as it is, never ended.
    crashed_root = tmp_path / "crashed"
    crashed_root.mkdir()
    copy_as_a_crash_leaves_it(controller.folder.path, crashed_root)
    assert find_unfinished_session(crashed_root) is not None

    window2, controller2 = launch(restore="yes", session_dir=crashed_root)
    assert len(controller2.session.artworks) == count
    # Read back from the folder before the painter is done, and as the painter shows it.
    assert controller2.render().tobytes() == before.tobytes()
    wait_for_canvas(qtbot, controller2)
    assert window2.canvas_view.artwork_count == count
    assert controller2.render().tobytes() == before.tobytes()
    assert shows_exactly(window2.canvas_view, before)
    assert "restored" in window2.statusBar().currentMessage()


def test_declining_restore_closes_the_old_session_and_starts_anew(launch, qtbot, tmp_path):
    _, controller = launch()
    wait_for_artworks(qtbot, controller, 1)
    wait_for_saved(qtbot, controller)
    root = tmp_path / "declined"
    copy_as_a_crash_leaves_it(controller.folder.path, root)
    _, controller2 = launch(restore="no", session_dir=root)
    assert controller2.session.artworks == [] or controller2.folder.path.name != \
        controller.folder.path.name
    assert find_unfinished_session(root).path == controller2.folder.path


def test_a_corrupt_settings_file_gives_defaults_and_a_warning(launch, isolated_user_folders):
    config = isolated_user_folders / "config"
    config.mkdir()
    (config / "settings.json").write_text("{ this is not json")
    window, controller = launch()
    assert controller.settings.canvas_width == 720
    assert "settings" in window.statusBar().currentMessage()


def test_ctrl_q_asks_before_quitting_an_unexported_session(launch, qtbot, monkeypatch):
    window, controller = launch()
    wait_for_artworks(qtbot, controller, 1)
    questions = []
    answer_quit(monkeypatch, KEEP_WORKING, questions)
    qtbot.keyClick(window, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)
    assert len(questions) == 1 and "not been exported" in questions[0]["text"]
    assert window.isVisible()
    answer_quit(monkeypatch, QUIT_WITHOUT_EXPORTING, questions)
    qtbot.keyClick(window, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: not window.isVisible())


def test_the_quit_question_has_clear_words_and_no_icons_on_its_buttons(launch, qtbot,
                                                                       monkeypatch):
    window, controller = launch()
    wait_for_artworks(qtbot, controller, 1)
    questions = []
    answer_quit(monkeypatch, KEEP_WORKING, questions)
    window.close()
    assert window.isVisible() and len(questions) == 1
    asked = questions[0]
    # Words only: no Yes / No, no standard icons on the buttons.
    assert sorted(asked["buttons"]) == [(KEEP_WORKING, True), (QUIT_WITHOUT_EXPORTING, True)]
    assert not any(text in ("&Yes", "&No", "Yes", "No") for text, _ in asked["buttons"])
    assert asked["default"] == KEEP_WORKING and asked["escape"] == KEEP_WORKING


def test_ctrl_q_after_export_quits_without_asking(launch, qtbot, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QMessageBox
    window, controller = launch()
    wait_for_artworks(qtbot, controller, 1)
    controller.pause()
    assert window.export_to(tmp_path / "done.png")
    monkeypatch.setattr(QMessageBox, "question", lambda *a: pytest.fail("asked"))
    monkeypatch.setattr(QMessageBox, "exec", lambda *a: pytest.fail("asked"))
    qtbot.keyClick(window, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: not window.isVisible())


def test_ending_the_session_shows_the_summary_and_exports_on_request(launch, qtbot, tmp_path):
    window, controller = launch("--emotion", "joy")
    wait_for_artworks(qtbot, controller, 2)
    controller.settings.last_export_dir = str(tmp_path / "exports")
    qtbot.mouseClick(window.end_button, Qt.MouseButton.LeftButton)
    dialog = window.findChild(SummaryDialog)
    assert dialog is not None and dialog.isVisible()
    count = len(controller.session.artworks)
    assert dialog.findChild(QLabel, "summaryArtworks").text() == str(count)
    assert dialog.chart.durations[Emotion.JOY] > 0
    assert not dialog.include_data.isChecked()  # health data: opt-in, off by default
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    exported = list((tmp_path / "exports").iterdir())
    assert len(exported) == 1 and exported[0].suffix == ".png"  # the canvas only
    dialog.include_data.setChecked(True)
    exported[0].unlink()
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    folders = [p for p in (tmp_path / "exports").iterdir() if p.is_dir()]
    assert len(folders) == 1
    assert (folders[0] / "session.csv").read_text().startswith("emotion,start_s")
    assert len(list((folders[0] / "artworks").glob("*.png"))) == count
    dialog.close()


def test_switching_composition_keeps_every_artwork_and_survives_restore(launch, qtbot,
                                                                       tmp_path):
    from animo_desktop.composition import CompositionMode
    window, controller = launch("--emotion", "surprise")
    controller.set_cadence(1.0)
    wait_for_artworks(qtbot, controller, 3)
    controller.pause()
    qtbot.wait(300)
    indices = [record.index for record in controller.session.artworks]
    for mode in (CompositionMode.MOSAIC, CompositionMode.LAYERS, CompositionMode.COLLAGE,
                 CompositionMode.LAYERS):
        window.set_composition(mode)
        assert controller.session.composition is mode
        assert [record.index for record in controller.session.artworks] == indices
        wait_for_canvas(qtbot, controller)
        assert window.canvas_view.artwork_count == len(indices)
        assert shows_exactly(window.canvas_view, rendered_from_files(controller))
    assert window.composition_box.currentData() == CompositionMode.LAYERS.value
    before = controller.render()
    crashed = tmp_path / "crashed"
    copy_as_a_crash_leaves_it(controller.folder.path, crashed)
    _, restored = launch(restore="yes", session_dir=crashed)
    assert restored.session.composition is CompositionMode.LAYERS
    assert restored.render().tobytes() == before.tobytes()


def test_an_artwork_can_be_inspected_removed_and_varied(launch, qtbot):
    window, controller = launch("--emotion", "fear")
    controller.set_cadence(600.0)
    wait_for_artworks(qtbot, controller, 1)
    record = controller.session.artworks[0]
    menu = window.show_artwork_menu(record.index, window.canvas_view.mapToGlobal(
        window.canvas_view.rect().center()))
    texts = [action.text() for action in menu.actions()]
    assert texts[0].startswith("Fear") and f"Seed {record.metadata.seed}" in texts[1]
    variant = next(a for a in menu.actions() if a.text().startswith("New variant"))
    variant.trigger()
    wait_for_artworks(qtbot, controller, 2)
    second = controller.session.artworks[1]
    assert second.metadata.emotion is Emotion.FEAR
    assert second.metadata.seed != record.metadata.seed
    menu.close()
    menu = window.show_artwork_menu(record.index, window.canvas_view.mapToGlobal(
        window.canvas_view.rect().center()))
    next(a for a in menu.actions() if a.text() == "Remove from canvas").trigger()
    assert [r.index for r in controller.session.artworks] == [second.index]
    wait_for_canvas(qtbot, controller)
    assert window.canvas_view.artwork_count == 1
    assert shows_exactly(window.canvas_view, rendered_from_files(controller))
    assert (controller.folder.path / record.file).exists()  # nothing the client made is lost
    wait_for_saved(qtbot, controller)
    saved = controller.folder.load()
    assert [r.index for r in saved.artworks] == [second.index]
    menu.close()


def test_clicking_an_artwork_on_the_canvas_opens_its_menu(launch, qtbot):
    window, controller = launch()
    controller.set_cadence(600.0)
    wait_for_artworks(qtbot, controller, 1)
    qtbot.wait(800)  # the fade-in
    record = controller.session.artworks[0]
    centre = window.canvas_view.mapFromScene(record.placement.x + record.placement.width / 2,
                                             record.placement.y + record.placement.height / 2)
    with qtbot.waitSignal(window.canvas_view.artwork_clicked) as clicked:
        qtbot.mouseClick(window.canvas_view.viewport(), Qt.MouseButton.LeftButton, pos=centre)
    assert clicked.args[0] == record.index
    from PySide6.QtCore import QEvent
    from PySide6.QtGui import QHelpEvent
    from PySide6.QtWidgets import QToolTip
    viewport = window.canvas_view.viewport()
    window.canvas_view.viewportEvent(QHelpEvent(QEvent.Type.ToolTip, centre,
                                                viewport.mapToGlobal(centre)))
    assert QToolTip.text() == (f"{record.metadata.emotion.display_name} · "
                               f"{record.metadata.created_at[11:19]} · seed {record.metadata.seed}")
    QToolTip.hideText()


def test_the_wheel_zooms_and_a_double_click_shows_the_whole_canvas(launch, qtbot):
    window, _ = launch()
    view = window.canvas_view
    fitted_scale = view.transform().m11()
    from PySide6.QtCore import QPoint, QPointF
    from PySide6.QtGui import QWheelEvent
    centre = QPointF(view.viewport().rect().center())
    event = QWheelEvent(centre, view.mapToGlobal(centre.toPoint()).toPointF(), QPoint(0, 0),
                        QPoint(0, 360), Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier,
                        Qt.ScrollPhase.NoScrollPhase, False)
    view.wheelEvent(event)
    assert view.zoom == pytest.approx(1.15 ** 3)
    assert view.transform().m11() == pytest.approx(fitted_scale * 1.15 ** 3)
    qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton)
    assert view.zoom == 1.0 and view.transform().m11() == pytest.approx(fitted_scale)


def test_installation_mode_drifts_and_shows_the_glyph_only_when_asked(launch, qtbot):
    window, controller = launch("--emotion", "anger")
    window.set_kiosk(True)
    qtbot.waitUntil(window.isFullScreen)
    first = window.canvas_view.transform().m11()
    qtbot.wait(400)
    assert window.canvas_view.transform().m11() != first  # the canvas lives
    assert not window.canvas_view.glyph.isVisible()  # off by default: privacy
    controller.settings.installation_glyph = True
    controller.pin(Emotion.JOY)
    assert window.canvas_view.glyph.isVisible()
    assert Emotion.JOY.style.ui_colour in window.canvas_view.glyph.text()
    qtbot.keyClick(window, Qt.Key.Key_X, Qt.KeyboardModifier.ControlModifier
                   | Qt.KeyboardModifier.AltModifier | Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: not window.kiosk)
    assert not window.canvas_view.glyph.isVisible() and window.canvas_view.zoom == 1.0


def test_the_emotion_style_control_sets_each_requests_lora_strength(launch, qtbot):
    window, controller = launch("--emotion", "joy")
    requests = []
    controller._request.requested.connect(requests.append)
    window.lora_strength_box.setValue(0.4)
    assert controller.settings.lora_strength == 0.4
    controller.pin(Emotion.FEAR)
    assert requests[-1].lora_strength == 0.4 and requests[-1].emotion is Emotion.FEAR


def test_the_canvas_background_is_chosen_for_new_sessions_and_kept_by_each(launch, qtbot,
                                                                          monkeypatch):
    from PySide6.QtGui import QColor
    from PySide6.QtWidgets import QColorDialog
    from animo_desktop.composition import BACKGROUND_PRESETS, DEFAULT_BACKGROUND
    window, controller = launch()
    wait_for_artworks(qtbot, controller, 1)
    controller.pause()
    box = window.background_box
    assert box.currentData() == DEFAULT_BACKGROUND
    box.activated.emit(box.findText("Night"))
    assert controller.settings.canvas_background == BACKGROUND_PRESETS["Night"]
    assert controller.session.canvas.background == DEFAULT_BACKGROUND  # it has artworks
    monkeypatch.setattr(QColorDialog, "getColor", lambda *args: QColor("#334455"))
    box.activated.emit(box.findText("Other colour…"))
    assert controller.settings.canvas_background == "#334455"
    assert box.currentText() == "#334455" and box.currentData() == "#334455"
    controller.end_session()
    controller.resume()  # a new session
    assert controller.session.canvas.background == "#334455"
    assert controller.folder.load().canvas.background == "#334455"  # a restore keeps it


def test_an_empty_canvas_takes_a_new_background_at_once(launch, qtbot):
    window, controller = launch()
    controller.pause()
    qtbot.wait(300)  # an artwork already asked for lands
    if controller.session.artworks:
        controller.end_session()
        controller.resume()
        controller.pause()
    assert controller.session.artworks == []
    window.set_canvas_background("#2b2927")
    assert controller.session.canvas.background == "#2b2927"
    wait_for_canvas(qtbot, controller)
    assert controller.render().getpixel((0, 0)) == (0x2b, 0x29, 0x27)
    assert shows_exactly(window.canvas_view, controller.render())


def test_a_first_launch_opens_a_large_centred_window_and_later_ones_where_it_was_left(
        launch, qtbot):
    from animo_desktop.ui.main_window import FIRST_LAUNCH_SIZE
    window, controller = launch()
    screen = window.screen().availableGeometry()
    smallest = window.minimumSize()  # the window never gets smaller, even on a small screen
    expected = (max(smallest.width(), min(FIRST_LAUNCH_SIZE[0], int(screen.width() * 0.9))),
                max(smallest.height(), min(FIRST_LAUNCH_SIZE[1], int(screen.height() * 0.9))))
    assert (window.width(), window.height()) == expected
    # Centred: as much room on either side, but for the window frame's few pixels.
    frame = window.frameGeometry()
    assert abs((frame.left() - screen.left()) - (screen.right() - frame.right())) <= 4
    assert abs((frame.top() - screen.top()) - (screen.bottom() - frame.bottom())) <= 4
    window.resize(800, 600)
    saved = window.encoded_geometry()
    window.restore_geometry(saved)
    assert (window.width(), window.height()) == (800, 600)
    window.restore_geometry("bm9uc2Vuc2U=")  # damaged ("nonsense"): the first-launch size
    assert (window.width(), window.height()) == expected


def wheel_down(widget):
    """A real wheel event, one notch down, over the middle of this widget."""
    from PySide6.QtCore import QPoint, QPointF
    from PySide6.QtGui import QWheelEvent
    from PySide6.QtWidgets import QApplication
    centre = QPointF(widget.rect().center())
    QApplication.sendEvent(widget, QWheelEvent(
        centre, widget.mapToGlobal(centre.toPoint()).toPointF(), QPoint(0, 0), QPoint(0, -120),
        Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase,
        False))


def test_the_wheel_scrolls_the_side_panel_past_controls_it_has_not_focused(launch, qtbot):
    window, _ = launch()
    window.resize(800, 560)  # a short screen: the side panel scrolls
    scroll_bar = window.side_panel.verticalScrollBar()
    qtbot.waitUntil(lambda: scroll_bar.maximum() > 0)
    window.cadence_box.setValue(6)
    start = window.background_box.currentIndex()
    for control, value in [(window.cadence_box, window.cadence_box.value),
                           (window.background_box, window.background_box.currentIndex)]:
        assert control.focusPolicy() == Qt.FocusPolicy.StrongFocus  # no focus by wheel
        scroll_bar.setValue(0)
        before = value()
        wheel_down(control)
        assert value() == before and scroll_bar.value() > 0
    assert window.cadence_box.value() == 6 and window.background_box.currentIndex() == start
    window.cadence_box.setFocus()
    qtbot.waitUntil(window.cadence_box.hasFocus)
    wheel_down(window.cadence_box)  # clicked or tabbed into, it takes the wheel
    assert window.cadence_box.value() == 5


def test_ctrl_e_ends_the_session_and_its_summary_shows_the_final_figures(launch, qtbot):
    window, controller = launch("--emotion", "joy")
    wait_for_artworks(qtbot, controller, 1)
    controller.request_artwork(Emotion.JOY)  # still being made when the session ends
    qtbot.keyClick(window, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    assert controller.state is SessionState.ENDED
    dialog = window.findChild(SummaryDialog)
    assert dialog is not None and dialog.isVisible()
    count = len(controller.session.artworks)
    qtbot.wait(1500)  # longer than the painter takes for the artwork in flight
    assert len(controller.session.artworks) == count
    assert dialog.findChild(QLabel, "summaryArtworks").text() == str(count)
    dialog.close()


def test_quitting_after_an_export_says_how_many_artworks_came_since(launch, qtbot, tmp_path,
                                                                    monkeypatch):
    window, controller = launch("--emotion", "joy")
    controller.set_cadence(1.0)
    wait_for_artworks(qtbot, controller, 1)
    assert window.export_to(tmp_path / "first.png")
    exported = len(controller.session.artworks)
    wait_for_artworks(qtbot, controller, exported + 2)
    controller.end_session()
    since = len(controller.session.artworks) - exported
    questions = []
    answer_quit(monkeypatch, KEEP_WORKING, questions)
    qtbot.keyClick(window, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)
    assert len(questions) == 1
    assert questions[0]["text"].startswith(f"{since} artworks since the last export.")
    assert window.isVisible()


def test_the_full_screen_action_is_checked_exactly_while_the_window_is_full_screen(launch,
                                                                                    qtbot):
    window, _ = launch()
    action = window.fullscreen_action
    assert action.isCheckable() and not action.isChecked()
    qtbot.keyClick(window, Qt.Key.Key_F11)
    qtbot.waitUntil(window.isFullScreen)
    qtbot.waitUntil(action.isChecked)
    qtbot.keyClick(window, Qt.Key.Key_F11)
    qtbot.waitUntil(lambda: not window.isFullScreen())
    qtbot.waitUntil(lambda: not action.isChecked())
    window.set_kiosk(True)
    qtbot.waitUntil(window.isFullScreen)
    qtbot.waitUntil(action.isChecked)
    window.set_kiosk(False)
    qtbot.waitUntil(lambda: not window.isFullScreen())
    qtbot.waitUntil(lambda: not action.isChecked())
    window.showFullScreen()  # by any other way: the window system, --fullscreen
    qtbot.waitUntil(action.isChecked)
    window.showNormal()
    qtbot.waitUntil(lambda: not action.isChecked())


def test_leaving_installation_mode_gives_back_the_window_as_it_was(launch, qtbot):
    window, _ = launch()
    window.showNormal()
    window.setGeometry(0, 60, 800, 600)  # the offscreen screen is 800 x 800
    qtbot.waitUntil(lambda: window.geometry().height() == 600)
    before = window.geometry()
    window.set_kiosk(True)
    qtbot.waitUntil(window.isFullScreen)
    assert window.geometry() != before
    window.set_kiosk(False)
    qtbot.waitUntil(lambda: not window.isFullScreen())
    qtbot.waitUntil(lambda: window.geometry() == before)
    assert not window.isMaximized()
    # Entered from full screen, it leaves to full screen.
    qtbot.keyClick(window, Qt.Key.Key_F11)
    qtbot.waitUntil(window.isFullScreen)
    window.set_kiosk(True)
    window.set_kiosk(False)
    qtbot.wait(50)
    assert window.isFullScreen() and not window.kiosk
    qtbot.keyClick(window, Qt.Key.Key_F11)
    qtbot.waitUntil(lambda: not window.isFullScreen())
    qtbot.waitUntil(lambda: window.geometry() == before)


def test_f1_lists_every_shortcut_of_the_window_from_the_actions_themselves(launch, qtbot):
    from PySide6.QtGui import QAction, QKeySequence
    from PySide6.QtWidgets import QAbstractButton, QApplication, QMessageBox
    window, _ = launch()
    qtbot.keyClick(window, Qt.Key.Key_F1)
    qtbot.waitUntil(lambda: any(isinstance(w, QMessageBox) and w.isVisible()
                                for w in QApplication.topLevelWidgets()))
    box = next(w for w in QApplication.topLevelWidgets()
               if isinstance(w, QMessageBox) and w.isVisible())
    shown = box.text()
    box.close()
    native = QKeySequence.SequenceFormat.NativeText
    actions = [a for a in window.findChildren(QAction) if not a.shortcut().isEmpty()]
    assert len(actions) >= 11
    for action in actions:
        assert action.shortcut().toString(native) in shown, action.text()
        assert action.text().replace("&", "") in shown, action.text()
    for key in ("F1", "F11", "Alt+1", "Alt+2", "Alt+3", "Ctrl+K", "Ctrl+Alt+Shift+X"):
        assert key in shown
    buttons = [b for b in window.findChildren(QAbstractButton) if not b.shortcut().isEmpty()]
    assert len(buttons) == 8  # Ctrl+1 … Ctrl+7, Ctrl+0
    for button in buttons:
        assert button.shortcut().toString(native) in shown, button.text()


def test_the_summary_opened_mid_session_follows_the_artworks_that_arrive(launch, qtbot):
    window, controller = launch("--emotion", "joy")
    wait_for_artworks(qtbot, controller, 1)
    dialog = window.show_summary()
    assert controller.state is SessionState.RUNNING  # opened mid-session, it goes on
    label = dialog.findChild(QLabel, "summaryArtworks")
    count = len(controller.session.artworks)
    assert label.text() == str(count)
    controller.request_artwork(Emotion.JOY)
    wait_for_artworks(qtbot, controller, count + 1)
    qtbot.waitUntil(lambda: label.text() == str(len(controller.session.artworks)))
    assert int(label.text()) > count
    assert dialog.chart.durations[Emotion.JOY] > 0
    dialog.close()


def test_the_start_button_shows_only_when_it_does_something(launch, qtbot):
    window, controller = launch("--emotion", "joy")
    wait_for_artworks(qtbot, controller, 1)
    assert controller.state is SessionState.RUNNING
    assert window.start_button.isHidden() and not window.pause_button.isHidden()
    qtbot.mouseClick(window.pause_button, Qt.MouseButton.LeftButton)
    assert not window.start_button.isHidden() and window.start_button.isEnabled()
    assert window.start_button.text() == "Resume" and "paused" in window.start_button.toolTip()
    assert window.pause_button.isHidden()
    qtbot.mouseClick(window.start_button, Qt.MouseButton.LeftButton)
    assert controller.state is SessionState.RUNNING and window.start_button.isHidden()
    controller.end_session()
    assert window.start_button.text() == "New session" and window.start_button.isEnabled()
    assert "new session" in window.start_button.toolTip()


def test_the_restore_question_has_buttons_in_words(launch, qtbot, monkeypatch, tmp_path):
    from types import SimpleNamespace

    from PySide6.QtWidgets import QMessageBox

    from animo_desktop.ui.app import begin_session
    window, controller = launch()
    asked = []

    def exec_(box):
        asked.append(([b.text() for b in box.buttons()], box.defaultButton().text()))
        next(b for b in box.buttons() if b.text() == "Restore the session").click()
        return 0

    monkeypatch.setattr(QMessageBox, "exec", exec_)
    monkeypatch.setattr(QMessageBox, "question", lambda *a: pytest.fail("Yes / No buttons"))
    monkeypatch.setattr(controller, "claim_unfinished_session",
                        lambda: SimpleNamespace(path=tmp_path / "old"))
    restored = []
    monkeypatch.setattr(controller, "restore_session", lambda s: restored.append(s) or 3)
    begin_session(window, controller, "ask")
    assert asked == [(["Restore the session", "Start a new session"], "Restore the session")]
    assert len(restored) == 1
