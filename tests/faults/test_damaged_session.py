"""An unfinished session whose state or an artwork's sidecar was damaged (a wrong type,
written by hand or by another version): every launch still opens, with `--restore yes`
or `no`. A state that cannot be read back is set aside and the therapist told why; an
artwork's sidecar that cannot is skipped."""

import json

import pytest
from PIL import Image

from animo_desktop.session import find_unfinished_session, save_artwork_files
from tests.faults.conftest import told
from tests.test_session import make_session_with_artworks, metadata

# How the state is damaged, and the field the therapist is told about.
DAMAGED_STATES = {
    "artworks is a number": (lambda state: state.update(artworks=5), "artworks"),
    "seed is null": (lambda state: state.update(seed=None), "seed"),
    "an artwork's seed is null": (lambda state: state["artworks"][0].update(seed=None), "seed"),
}
DAMAGED_SIDECARS = {"seed is null": '{"time": "now", "emotion": "joy", "backend": '
                                    '"painter", "seed": null}',
                    "a list": "[]", "a number": "5", "nested too deep": "[" * 100_000}


@pytest.fixture
def unfinished(tmp_path):
    """An unfinished session of two artworks, as a crash leaves it."""
    root = tmp_path / "sessions"
    _, folder = make_session_with_artworks(root, 2)
    return root, folder


@pytest.mark.parametrize("restore", ["yes", "no"])
@pytest.mark.parametrize("damage", DAMAGED_STATES.values(), ids=DAMAGED_STATES.keys())
def test_a_damaged_state_is_set_aside_and_a_new_session_starts(
        launch, unfinished, shown, restore, damage):
    root, folder = unfinished
    state = json.loads(folder.state_file.read_text())
    damage, field = damage
    damage(state)
    folder.state_file.write_text(json.dumps(state))

    window, controller = launch(restore=restore, session_dir=root)
    assert controller.folder.path != folder.path and controller.session.artworks == []
    assert told(shown, "error", str(folder.path), "cannot be read back", repr(field),
                "session.json.unreadable", "a new session starts")
    assert (folder.path / "session.json.unreadable").read_text() == json.dumps(state)
    # Never offered again: the only unfinished session is the new one.
    assert find_unfinished_session(root).path == controller.folder.path


@pytest.mark.parametrize("restore", ["yes", "no"])
@pytest.mark.parametrize("sidecar", DAMAGED_SIDECARS.values(), ids=DAMAGED_SIDECARS.keys())
def test_an_artwork_whose_sidecar_is_damaged_is_skipped(
        launch, unfinished, caplog, restore, sidecar):
    root, folder = unfinished
    # Saved after the last state write (the app died then), its sidecar damaged since.
    png = folder.artwork_path(3, "joy")
    save_artwork_files(png, Image.new("RGB", (32, 32)), metadata())
    png.with_suffix(".json").write_text(sidecar)

    window, controller = launch(restore=restore, session_dir=root)
    assert "skipping unreadable artwork record" in caplog.text
    if restore == "yes":
        assert controller.folder.path == folder.path
        assert [record.index for record in controller.session.artworks] == [1, 2]
    else:
        assert controller.folder.path != folder.path
        assert json.loads(folder.state_file.read_text())["ended_at"]


@pytest.mark.parametrize("orphan", ["png", "json"], ids=["PNG without sidecar",
                                                         "sidecar without PNG"])
def test_a_crash_between_an_artworks_files_never_gets_its_number_reused(
        launch, unfinished, qtbot, orphan):
    """kill -9 after an artwork's PNG, before its sidecar (or the other way round, by
    hand): restored, the next artwork is numbered past that file, which stays as it was
    (a PNG comes back as an artwork, from the record it carries); the temporary files of
    the crashed atomic writes are gone."""
    root, folder = unfinished
    png = folder.artwork_path(3, "joy")
    save_artwork_files(png, Image.new("RGB", (32, 32), "white"), metadata())
    (png.with_suffix(".json") if orphan == "png" else png).unlink()
    (kept,) = [path for path in folder.path.glob("artworks/0003-*")]
    before = kept.read_bytes()
    leftovers = [folder.path / "artworks" / ".0004-joy.png.k2j4h1.tmp",
                 folder.path / "artworks" / "x.png.tmp", folder.path / ".session.json.abc.tmp"]
    for leftover in leftovers:
        leftover.write_bytes(b"half a write")

    window, controller = launch("--emotion", "sadness", restore="yes", session_dir=root)
    assert controller.folder.path == folder.path
    assert not any(leftover.exists() for leftover in leftovers)
    restored = [1, 2, 3] if orphan == "png" else [1, 2]
    assert [record.index for record in controller.session.artworks][:len(restored)] == restored
    qtbot.waitUntil(lambda: len(controller.session.artworks) > len(restored), timeout=20000)
    newest = controller.session.artworks[len(restored)]
    assert newest.index == 4 and newest.file.startswith("artworks/0004-sadness")
    assert kept.read_bytes() == before
    assert sorted(path.name for path in folder.path.glob("artworks/0003-*")) == [kept.name]


def test_an_abandoned_session_loses_its_leftover_temporary_files(launch, unfinished):
    root, folder = unfinished
    leftover = folder.path / "artworks" / ".0003-joy.png.k2j4h1.tmp"
    leftover.write_bytes(b"half a write")
    launch(restore="no", session_dir=root)
    assert not leftover.exists()
    assert (folder.path / "artworks" / "0002-joy.png").is_file()
