"""What the Qt benchmarks (canvas, soak) measure the running app with: the process's
memory, how late the UI thread's event loop is, and waiting on the app as a user would
(the event loop idle between events, not busy-polled)."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Callable

PROBE_MS = 5
POLL_MS = 10
LONG_STALL_MS = 50  # the bound for the 99th percentile of UI stalls
WARM_UP_FRACTION = 0.1  # RSS growth counts from here on: imports and first paintings done


def rss_mib() -> float:
    """Resident memory of this process now (Linux /proc; peak RSS elsewhere)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def peak_rss_mib() -> float:
    """The most resident memory this process has held so far (Linux counts KiB)."""
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class StallProbe:
    """Ticks every PROBE_MS on the UI thread and keeps how late each tick came."""

    def __init__(self) -> None:
        from PySide6.QtCore import QTimer
        self.stalls_ms: list[float] = []
        self._last = time.perf_counter()
        self._timer = QTimer()
        self._timer.setInterval(PROBE_MS)
        self._timer.timeout.connect(self._tick)

    def start(self) -> None:
        self.stalls_ms.clear()
        self._last = time.perf_counter()
        self._timer.start()

    def stop(self) -> list[float]:
        self._timer.stop()
        return list(self.stalls_ms)

    def _tick(self) -> None:
        now = time.perf_counter()
        self.stalls_ms.append(max(0.0, (now - self._last) * 1000 - PROBE_MS))
        self._last = now


def wait_until(condition: Callable[[], bool], timeout_s: float = 300.0,
               what: str = "the app") -> None:
    """Run the event loop (idle between events, as the app is) until condition();
    TimeoutError when `what` does not get there within timeout_s."""
    from PySide6.QtCore import QEventLoop, QTimer

    deadline = time.monotonic() + timeout_s
    loop = QEventLoop()
    poll = QTimer()
    poll.setInterval(POLL_MS)
    poll.timeout.connect(lambda: loop.quit() if condition() else None)
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} did not get there in {timeout_s:.0f} s")
        poll.start()
        loop.exec()
        poll.stop()


def stall_summary(stalls_ms: list[float]) -> str:
    """The stalls as a table row reads them: p99, max, and how many were long."""
    from animo_desktop.benchmarks.report import percentile_ms

    return (f"p99 {percentile_ms(stalls_ms, 0.99):.1f} ms, max {max(stalls_ms):.1f} ms, "
            f"{sum(ms > LONG_STALL_MS for ms in stalls_ms)} over {LONG_STALL_MS} ms in "
            f"{len(stalls_ms)} ticks")


def offscreen_session(sessions_root: Path, backend_factory):
    """The app's controller and main window (offscreen, 1280 x 860) with generation
    started and a new session open but paused: the benchmark, not the cadence, asks for
    each artwork, so their number is exact. Returns (QApplication, controller, window)."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from animo_desktop.settings import Settings
    from animo_desktop.ui.main_window import MainWindow
    from animo_desktop.ui.session_controller import SessionController

    app = QApplication.instance() or QApplication([])
    controller = SessionController(Settings(), sessions_root, backend_factory)
    window = MainWindow(controller)
    window.resize(1280, 860)
    window.show()
    controller.start_generation()
    controller.new_session()
    controller.pause()
    return app, controller, window
