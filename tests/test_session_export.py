import csv
import os
import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from animo_desktop.emotions import Emotion
from animo_desktop.session_export import export_session_data, remove_leftover_staging
from tests.test_session import make_session_with_artworks


@pytest.fixture
def session_with_timeline(tmp_path):
    session, folder = make_session_with_artworks(tmp_path / "sessions", 3)
    session.timeline.mark(Emotion.NEUTRAL, 0.0)
    session.timeline.mark(Emotion.JOY, 12.5)
    session.timeline.close(40.0)
    session.elapsed = 40.0
    return session, folder


def test_the_export_holds_artworks_timeline_and_parameters(session_with_timeline, tmp_path):
    session, folder = session_with_timeline
    out = export_session_data(session, folder, b"\x89PNG canvas", tmp_path / "export")
    assert (out / "canvas.png").read_bytes() == b"\x89PNG canvas"
    pngs = sorted(p.name for p in (out / "artworks").iterdir())
    assert pngs == ["0001-joy.png", "0002-joy.png", "0003-joy.png"]
    data = json.loads((out / "session.json").read_text())
    assert [a["file"] for a in data["artworks"]] == [f"artworks/{n}" for n in pngs]
    assert "exported_to" not in data
    with open(out / "session.csv", newline="") as stream:
        rows = list(csv.DictReader(stream))
    assert rows == [
        {"emotion": "neutral", "start_s": "0.0", "end_s": "12.5", "duration_s": "12.5"},
        {"emotion": "joy", "start_s": "12.5", "end_s": "40.0", "duration_s": "27.5"}]
    with open(out / "artworks.csv", newline="") as stream:
        artworks = list(csv.DictReader(stream))
    assert [a["seed"] for a in artworks] == ["1", "2", "3"]
    assert artworks[0]["prompt"] == "the sea"


def test_a_failed_export_leaves_nothing_behind(session_with_timeline, tmp_path):
    session, folder = session_with_timeline
    (folder.path / session.artworks[1].file).unlink()  # an artwork vanished from disk
    with pytest.raises(OSError):
        export_session_data(session, folder, b"png", tmp_path / "export")
    assert list(tmp_path.glob("*export*")) == []


def test_an_existing_destination_is_never_overwritten(session_with_timeline, tmp_path):
    session, folder = session_with_timeline
    (tmp_path / "export").mkdir()
    with pytest.raises(FileExistsError):
        export_session_data(session, folder, b"png", tmp_path / "export")


def test_the_canvas_metadata_carries_no_timeline(session_with_timeline):
    session, _ = session_with_timeline
    metadata = session.export_metadata()
    assert "timeline" not in metadata and "elapsed" not in metadata


@pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")
def test_the_client_record_is_private_whatever_the_umask(session_with_timeline, tmp_path):
    session, folder = session_with_timeline
    previous = os.umask(0o000)
    try:
        out = export_session_data(session, folder, b"png", tmp_path / "export")
    finally:
        os.umask(previous)
    assert out.stat().st_mode & 0o777 == 0o700
    files = [p for p in out.rglob("*") if p.is_file()]
    assert files and {p.stat().st_mode & 0o777 for p in files} == {0o600}


# A kill -9 in the middle of the export: the first artwork is copied, then the process dies.
_KILLED_EXPORT = """
import os, shutil, signal, sys
from pathlib import Path
from animo_desktop.session_export import export_session_data
from tests.test_session import make_session_with_artworks
root = Path(sys.argv[1])
session, folder = make_session_with_artworks(root / "sessions", 2)
real_copy = shutil.copyfile
def copy_then_die(source, target):
    real_copy(source, target)
    os.kill(os.getpid(), signal.SIGKILL)
shutil.copyfile = copy_then_die
export_session_data(session, folder, b"png", root / "exports" / "client")
"""


@pytest.mark.skipif(os.name != "posix", reason="SIGKILL")
def test_a_killed_exports_leftover_is_removed_by_the_next_export(session_with_timeline,
                                                                  tmp_path):
    root = Path(__file__).resolve().parent.parent
    killed = subprocess.run([sys.executable, "-c", _KILLED_EXPORT, str(tmp_path)], cwd=root,
                            env={**os.environ, "PYTHONPATH": str(root)}, timeout=120)
    assert killed.returncode == -signal.SIGKILL
    exports = tmp_path / "exports"
    leftovers = [p for p in exports.iterdir() if p.name.startswith(".animo-client-record.")]
    assert len(leftovers) == 1 and not (leftovers[0] / "session.json").exists()
    assert any(leftovers[0].rglob("*.png"))  # an artwork of the client is in it
    old = time.time() - 3600
    os.utime(leftovers[0], (old, old))
    # Not ours: the same prefix on a file, a lookalike name, a fresh staging folder.
    (exports / ".animo-client-record.x.abcdefgh.txt").write_text("keep")
    (exports / ".client.abcdefgh").mkdir()
    young = exports / ".animo-client-record.other.zzzzzzzz"
    young.mkdir()
    session, folder = session_with_timeline
    export_session_data(session, folder, b"png", exports / "next")
    names = sorted(p.name for p in exports.iterdir())
    assert leftovers[0].name not in names
    assert young.exists() and (exports / ".client.abcdefgh").exists()
    assert (exports / ".animo-client-record.x.abcdefgh.txt").exists()
    assert (exports / "next" / "session.json").exists()


def test_only_staging_older_than_the_process_is_removed(tmp_path):
    staging = tmp_path / ".animo-client-record.export.abcd_123"
    staging.mkdir()
    (staging / "session.json").write_text("{}")
    assert remove_leftover_staging(tmp_path, started=time.time() - 7200) == []
    old = time.time() - 3600
    os.utime(staging, (old, old))
    assert remove_leftover_staging(tmp_path, started=time.time()) == [staging]
    assert not staging.exists()
