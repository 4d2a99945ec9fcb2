"""Test isolation: Qt offscreen, every file ANIMO writes goes under a temp folder, no
socket at all (pytest-socket, configured in pyproject.toml), and hypothesis deterministic
and without an example database in the repository."""

import contextlib
import os
import shutil
import subprocess
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor, TimeoutError
from pathlib import Path
from typing import Callable

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from hypothesis import settings
from hypothesis.configuration import set_hypothesis_home_dir

from animo_desktop import folder_deadline

settings.register_profile("animo", database=None, derandomize=True, deadline=None,
                          max_examples=60)
settings.load_profile("animo")
# Hypothesis caches what it reads from the source (already while collecting): in the temp
# folder, not in the working tree.
set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "animo-hypothesis")


@pytest.fixture(autouse=True)
def isolated_user_folders(tmp_path, monkeypatch):
    """Settings, sessions and logs of each test live in its own temp folder."""
    monkeypatch.setenv("ANIMO_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("ANIMO_DATA_DIR", str(tmp_path / "data"))
    return tmp_path


def returns_in_time(call, *fifos: Path, seconds: float = 10.0,
                    release: Callable[[], None] | None = None):
    """What call() returns, run in a thread: still blocked after the seconds (opening or
    reading one of these FIFOs, which nobody writes, or waiting on whatever release() lets
    go), it fails the test instead of hanging it."""
    release = release or (lambda: release_readers(*fifos))
    with ThreadPoolExecutor(1) as pool:
        future = pool.submit(call)
        try:
            return future.result(seconds)
        except TimeoutError:
            # The stuck reader let go, the thread ends and the pool can close.
            while not future.done():
                release()
                time.sleep(0.05)
            pytest.fail(f"still blocked after {seconds} s (reading a FIFO or a stalled "
                        "folder?)")


def release_readers(*fifos: Path) -> None:
    """Give whoever waits to read these FIFOs an end of file: a writer that comes and goes."""
    for fifo in fifos:
        with contextlib.suppress(OSError):
            os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))


def strace_works() -> bool:
    """Whether strace is installed and may trace here (a container may forbid ptrace)."""
    if shutil.which("strace") is None:
        return False
    return subprocess.run(["strace", "-f", "-qq", "-o", os.devnull, "true"],
                          capture_output=True).returncode == 0


def make_fifo(path: Path) -> Path:
    """A named pipe at path (POSIX only): opening it to read waits for a writer."""
    if not hasattr(os, "mkfifo"):
        pytest.skip("this system has no named pipes")
    os.mkfifo(path)
    return path


class StalledShare:
    """Folders that stop answering, as on a network share whose server is gone: listing
    or stat-ing them, or anything in them (Path.stat, os.scandir, os.listdir: where every
    look into a folder starts), waits until answer(). FOLDER_DEADLINE_S is cut to a
    second: giving up takes little time, and a busy machine still reads the folders that
    do answer within it."""

    def __init__(self, monkeypatch):
        self._answered = threading.Event()
        self._folders: list[Path] = []
        monkeypatch.setattr(folder_deadline, "FOLDER_DEADLINE_S", 1.0)
        for owner, name in ((Path, "stat"), (os, "scandir"), (os, "listdir")):
            monkeypatch.setattr(owner, name, self._waiting(getattr(owner, name)))

    def stall(self, folder: Path) -> Path:
        self._folders.append(folder)
        return folder

    def answer(self) -> None:
        self._answered.set()

    def _waiting(self, call):
        def waiting(path=".", *args, **kwargs):
            target = Path(os.fsdecode(path)) if isinstance(path, (str, bytes, os.PathLike)) \
                else None
            if target is not None and any(folder == target or folder in target.parents
                                          for folder in self._folders):
                self._answered.wait()
            return call(path, *args, **kwargs)
        return waiting


@pytest.fixture
def stalled_share(monkeypatch):
    """A StalledShare that answers when the test ends, its stuck readers let go."""
    share = StalledShare(monkeypatch)
    yield share
    share.answer()
