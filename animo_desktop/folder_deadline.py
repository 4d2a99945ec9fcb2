"""Reading folders that may lie on a network share, with a deadline.

A share whose server stopped answering blocks listing, stat and open for minutes, or for
ever on a hard NFS mount, and none of those calls takes a timeout. So the reading runs in
a thread of its own, and its caller gives up after a deadline, naming the folder the
reading had got to. No Qt here.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import Future, wait
from pathlib import Path
from typing import Callable, TypeVar

Result = TypeVar("Result")

# A local disk answers in milliseconds, a working share within a second or two, a disk
# that spins up within a few more.
FOLDER_DEADLINE_S = 10.0
# How often a wait looks whether its caller still wants the answer.
ABANDON_POLL_S = 0.1


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


class DeadlinePassed(Exception):
    """Work that had not finished by its deadline."""


class ReadingAbandoned(Exception):
    """The caller stopped waiting for a reading (the app is quitting)."""


def finish_within(work: Callable[[], Result], seconds: float,
                  abandon: Callable[[], bool] = lambda: False) -> Result:
    """What work() returns (or raises); DeadlinePassed when it has not returned within
    `seconds`, ReadingAbandoned as soon as abandon() says so. The thread running work,
    perhaps stuck in a system call, is left behind: a daemon thread, so that quitting
    never waits for it (the threads of concurrent.futures' pools are joined at exit)."""
    outcome: Future = Future()

    def run() -> None:
        try:
            outcome.set_result(work())
        except BaseException as error:  # handed to the caller, who sees it raised
            outcome.set_exception(error)

    threading.Thread(target=run, name="animo-deadline-worker", daemon=True).start()
    deadline = time.monotonic() + seconds
    while not wait([outcome], min(ABANDON_POLL_S, max(0.0, deadline - time.monotonic()))).done:
        if abandon():
            raise ReadingAbandoned
        if time.monotonic() >= deadline:
            raise DeadlinePassed(f"did not finish within {seconds:g} s")
    return outcome.result()


def read_within_deadline(read: Callable[[], Result], trail: FolderTrail) -> Result:
    """What read() returns (or raises); FolderStalled, naming the trail's folder, when it
    has not returned within FOLDER_DEADLINE_S."""
    seconds = FOLDER_DEADLINE_S
    try:
        return finish_within(read, seconds)
    except DeadlinePassed:
        raise FolderStalled(trail.folder, seconds) from None
