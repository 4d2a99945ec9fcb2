"""A worker QObject in its own QThread: started by one slot, stopped cleanly, and started
again when it crashes.

A worker reports a crash (an exception its own error handling did not expect) through its
`crashed` signal, carrying a WorkerError; `crash_guarded` turns an exception escaping a
slot into that signal. The WorkerThread then runs the worker's entry slot again, in the
worker's thread, after a short back-off; the entry slot rebuilds whatever state the
worker needs. A worker that keeps crashing is given up on (`gave_up`) rather than
restarted forever. A worker that holds something beyond its thread (a connection) is
given a `finish` slot, run in its thread when the thread ends.
"""

from __future__ import annotations

import functools
import logging
import time
import traceback
from typing import Callable

from PySide6.QtCore import QObject, Qt, QThread, QTimer, Signal

from animo_desktop.messages import WorkerError

log = logging.getLogger(__name__)

RESTART_DELAYS_MS = (250, 1000, 4000)  # after the 1st, 2nd, 3rd crash in a row
CRASH_WINDOW_S = 120.0  # crashes further apart than this do not add up


def crash_guarded(source: str):
    """Decorate a worker method: an exception escaping it is logged and emitted as the
    worker's `crashed` signal instead of vanishing in Qt's event loop."""

    def decorate(method):
        @functools.wraps(method)
        def guarded(self, *args):
            try:
                return method(self, *args)
            except Exception as error:
                log.exception("%s worker crashed", source)
                self.crashed.emit(WorkerError(source, f"{error}", traceback.format_exc()))
                return None
        return guarded
    return decorate


class WorkerThread(QObject):
    restarted = Signal(int)  # the worker's entry slot runs again: crashes in a row so far
    gave_up = Signal(object)  # WorkerError: crashed too often, not restarted again
    _restart_requested = Signal()  # queued to the worker's thread: runs the entry slot

    def __init__(self, worker: QObject, entry: Callable[[], None], name: str,
                 parent: QObject | None = None, finish: Callable[[], None] | None = None):
        super().__init__(parent)
        self.worker = worker
        self._thread = QThread(self)
        self._thread.setObjectName(name)
        worker.moveToThread(self._thread)
        self._thread.started.connect(entry)
        if finish is not None:
            # Direct: `finished` comes from the worker's thread, its event loop already over.
            self._thread.finished.connect(finish, Qt.ConnectionType.DirectConnection)
        self._thread.finished.connect(worker.deleteLater)
        self._restart_requested.connect(entry)
        self._crash_times: list[float] = []
        crashed = getattr(worker, "crashed", None)
        if crashed is not None:
            crashed.connect(self._on_crashed)

    @property
    def is_running(self) -> bool:
        return self._thread.isRunning()

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """Ask a looping worker to stop (it checks for interruption), end the thread's
        event loop, and wait for both."""
        self._thread.requestInterruption()
        self._thread.quit()
        self._thread.wait()

    def _on_crashed(self, error: WorkerError) -> None:
        now = time.monotonic()
        self._crash_times = [t for t in self._crash_times if now - t < CRASH_WINDOW_S] + [now]
        crashes = len(self._crash_times)
        if crashes > len(RESTART_DELAYS_MS):
            log.error("%s worker crashed %d times in a row: not restarted", error.source,
                      crashes)
            self.gave_up.emit(error)
            return
        log.warning("%s worker restarts in %d ms", error.source, RESTART_DELAYS_MS[crashes - 1])
        QTimer.singleShot(RESTART_DELAYS_MS[crashes - 1], self, lambda: self._restart(crashes))

    def _restart(self, crashes: int) -> None:
        if not self._thread.isRunning() or self._thread.isInterruptionRequested():
            return  # stopped meanwhile
        self._restart_requested.emit()
        self.restarted.emit(crashes)
