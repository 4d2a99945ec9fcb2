"""Reading folders that may lie on a network share, with a deadline.

A share whose server stopped answering blocks listing, stat and open for minutes, or for
ever on a hard NFS mount, and none of those calls takes a timeout. So the reading runs in
a thread of its own, and its caller gives up after a deadline, naming the folder the
reading had got to. No Qt here.
"""

from __future__ import annotations

import threading
from concurrent.futures import Future, wait
from pathlib import Path
from typing import Callable, TypeVar

Result = TypeVar("Result")

# A local disk answers in milliseconds, a working share within a second or two, a disk
# that spins up within a few more.
FOLDER_DEADLINE_S = 10.0


class FolderStalled(Exception):
    """A folder that did not answer in time; the message is written for the therapist."""

    def __init__(self, folder: Path, seconds: float):
        super().__init__(f"{folder} did not answer within {seconds:g} s: a network share "
                         "that stalls?")
        self.folder = folder


class FolderTrail:
    """The folder a reading is in now: the one named when the reading stalls."""

    def __init__(self, folder: Path):
        self.folder = folder

    def enter(self, folder: Path) -> Path:
        self.folder = folder
        return folder


def read_within_deadline(read: Callable[[], Result], trail: FolderTrail) -> Result:
    """What read() returns (or raises); FolderStalled, naming the trail's folder, when it
    has not returned within FOLDER_DEADLINE_S. The reading thread, stuck in a system call,
    is left behind: a daemon thread, so that quitting never waits for it (the threads of
    concurrent.futures' pools are joined at exit)."""
    outcome: Future = Future()

    def run() -> None:
        try:
            outcome.set_result(read())
        except BaseException as error:  # handed to the caller, who sees it raised
            outcome.set_exception(error)

    threading.Thread(target=run, name="animo-folder-reader", daemon=True).start()
    seconds = FOLDER_DEADLINE_S
    if not wait([outcome], seconds).done:
        raise FolderStalled(trail.folder, seconds)
    return outcome.result()
