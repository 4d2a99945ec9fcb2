import os

import pytest
from PIL import Image

from animo_desktop.storage import atomic_write_bytes, atomic_write_png, read_png_text


def test_png_text_round_trip_keeps_unicode(tmp_path):
    path = tmp_path / "a.png"
    atomic_write_png(path, Image.new("RGB", (8, 8), "red"), {"animo:session": "thème ☀"})
    assert read_png_text(path)["animo:session"] == "thème ☀"


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch):
    path = tmp_path / "state.json"
    atomic_write_bytes(path, b"old")

    def disk_full(*_):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    with pytest.raises(OSError):
        atomic_write_bytes(path, b"new")
    assert path.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["state.json"]


@pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")
def test_private_by_default_shared_with_the_umask(tmp_path):
    previous = os.umask(0o027)
    try:
        atomic_write_bytes(tmp_path / "private.json", b"{}")
        atomic_write_png(tmp_path / "canvas.png", Image.new("RGB", (4, 4)), shared=True)
    finally:
        os.umask(previous)
    assert (tmp_path / "private.json").stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "canvas.png").stat().st_mode & 0o777 == 0o640
