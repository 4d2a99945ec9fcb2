"""A worker QObject in its own QThread: started by one slot, stopped cleanly."""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QObject, QThread


class WorkerThread(QObject):
    def __init__(self, worker: QObject, entry: Callable[[], None], name: str,
                 parent: QObject | None = None):
        super().__init__(parent)
        self.worker = worker
        self._thread = QThread(self)
        self._thread.setObjectName(name)
        worker.moveToThread(self._thread)
        self._thread.started.connect(entry)
        self._thread.finished.connect(worker.deleteLater)

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
