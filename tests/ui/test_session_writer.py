"""The session state is written in the session writer's thread: the UI never waits on
the disk, a burst of changes is one write of the latest state, and quitting loses
nothing the writer had not written yet."""

import threading

import pytest

from animo_desktop.composition import CompositionMode
from animo_desktop.emotions import Emotion
from animo_desktop.generation.backend import create_backend
from animo_desktop.session import SessionFolder
from animo_desktop.settings import Settings
from animo_desktop.ui.session_controller import SessionController
from tests.ui.conftest import wait_for_saved


class SlowDisk:
    """Holds every state write in the writer's thread until released; counts them."""

    def __init__(self, monkeypatch):
        self.released = threading.Event()
        self.writes = []
        write_state = SessionFolder.write_state

        def held_write(folder, state):
            if threading.current_thread() is not threading.main_thread():
                self.released.wait(timeout=30)
            self.writes.append((folder.path, state))
            write_state(folder, state)

        monkeypatch.setattr(SessionFolder, "write_state", held_write)


@pytest.fixture
def controller(qtbot, tmp_path):
    controller = SessionController(Settings(), tmp_path / "sessions",
                                   lambda report: create_backend("painter"))
    controller.new_session()
    yield controller
    controller.shutdown()


def test_the_ui_goes_on_while_the_disk_is_slow_and_a_burst_is_one_write(controller, qtbot,
                                                                        monkeypatch):
    disk = SlowDisk(monkeypatch)
    controller.save_state()
    assert not controller.is_saved  # returned with the write held in the writer
    for emotion in (Emotion.JOY, Emotion.FEAR, Emotion.ANGER, Emotion.SADNESS):
        controller.set_theme(f"the {emotion.value} sea")
        controller.save_state()
    disk.released.set()
    wait_for_saved(qtbot, controller)
    # The first state, then one write of the newest: the three in between were skipped.
    assert len(disk.writes) == 2
    assert disk.writes[-1][1] == controller.session.to_dict()
    assert controller.folder.load().timeline.segments()[-1].emotion is Emotion.SADNESS


def test_quitting_writes_what_the_writer_had_not(controller, qtbot, monkeypatch):
    disk = SlowDisk(monkeypatch)
    first = controller.folder
    controller.save_state()
    controller.end_session()  # waits behind the held write
    controller.resume()  # a new session, in a folder of its own
    second = controller.folder
    controller.pin(Emotion.JOY)
    controller.save_state()
    threading.Timer(0.2, disk.released.set).start()  # the held write ends during the quit
    controller.shutdown()
    assert first.load().ended_at is not None
    assert second.load().ended_at is not None
    assert second.path != first.path


def test_a_failed_write_is_answered_and_the_next_one_goes_out(controller, qtbot, monkeypatch):
    told = []
    controller.message.connect(lambda level, text: told.append((level, text)))
    write_state = SessionFolder.write_state
    monkeypatch.setattr(SessionFolder, "write_state", lambda folder, state: 1 / 0)
    controller.save_state()
    wait_for_saved(qtbot, controller)
    assert told == [("error", "The session could not be autosaved (division by zero); it "
                              "goes on in memory and is saved as soon as it can be.")]
    monkeypatch.setattr(SessionFolder, "write_state", write_state)
    controller.pin(Emotion.ANGER)
    controller.save_state()
    wait_for_saved(qtbot, controller)
    assert told[-1][0] == "info" and told[-1][1].startswith("Autosave works again")
    assert controller.folder.load().timeline.segments()[-1].emotion is Emotion.ANGER


def test_a_change_after_the_quit_is_written_at_once(controller):
    controller.shutdown()
    controller.set_composition(CompositionMode.MOSAIC)  # e.g. an artwork on its way
    assert controller.is_saved
    assert controller.folder.load().composition is CompositionMode.MOSAIC
