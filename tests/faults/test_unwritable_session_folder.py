"""A session folder that cannot be created at launch (a file in its place, a read-only
folder, a full disk): the session goes on in a temporary folder, the therapist is told
where, and an unattended run exits 0 only when its export was written."""

import json
import tempfile

from animo_desktop.storage import read_png_text
from tests.faults.conftest import told
from tests.test_cli import animo
from tests.ui.conftest import wait_for_artworks, wait_for_saved

UNATTENDED = ("--source", "none", "--backend", "painter", "--emotion", "joy",
              "--exit-after", "5")


def test_the_session_goes_on_in_a_temporary_folder_and_says_where(
        launch, qtbot, shown, tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    not_a_folder = tmp_path / "sessions"
    not_a_folder.write_text("a file where the sessions folder should be")
    window, controller = launch("--emotion", "joy", session_dir=not_a_folder)
    fallback = controller.folder.path.parent
    assert fallback.parent == tmp_path and fallback.name.startswith("animo-session-")
    assert told(shown, "error", "could not be created", str(not_a_folder), str(fallback))
    wait_for_artworks(qtbot, controller, 1)
    wait_for_saved(qtbot, controller)
    assert list(controller.folder.path.glob("artworks/*.png"))
    assert json.loads(controller.folder.state_file.read_text())["artworks"]


def test_an_unattended_run_exports_from_the_temporary_folder(tmp_path):
    (tmp_path / "tmp").mkdir()
    not_a_folder = tmp_path / "sessions"
    not_a_folder.write_text("")
    out = tmp_path / "out.png"
    result = animo(*UNATTENDED, "--session-dir", str(not_a_folder), "--export", str(out),
                   env={"TMPDIR": str(tmp_path / "tmp")})
    assert result.returncode == 0, result.stderr
    assert "could not be created" in result.stderr
    assert json.loads(read_png_text(out)["animo:session"])["artwork_count"] >= 1
    assert list((tmp_path / "tmp").glob("animo-session-*/session-*/artworks/*.png"))


def test_an_unattended_run_whose_export_fails_exits_non_zero(tmp_path):
    (tmp_path / "tmp").mkdir()
    not_a_folder = tmp_path / "sessions"
    not_a_folder.write_text("")
    out = not_a_folder / "out.png"  # in a "folder" that is a file: it cannot be written
    result = animo(*UNATTENDED, "--session-dir", str(not_a_folder), "--export", str(out),
                   env={"TMPDIR": str(tmp_path / "tmp")})
    assert result.returncode != 0
    assert "Export failed" in result.stderr or "export to" in result.stderr
    assert not out.exists()
