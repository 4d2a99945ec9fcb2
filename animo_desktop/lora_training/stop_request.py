"""Ctrl+C during a training: the first asks it to stop after the step under way, so that
the saved state is a whole step's (an interrupt inside the optimiser's update would leave
half-updated moments); the second stops at once, saving nothing."""

from __future__ import annotations

import signal
import sys
import threading


class StopOnInterrupt:
    """A context in which SIGINT sets `requested` instead of raising KeyboardInterrupt;
    called, it says whether a stop was asked for. Outside the main thread (where Python
    delivers no signal) it never turns true."""

    def __init__(self) -> None:
        self.requested = False
        self._previous = None

    def __enter__(self) -> "StopOnInterrupt":
        if threading.current_thread() is threading.main_thread():
            self._previous = signal.signal(signal.SIGINT, self._ask_to_stop)
        return self

    def __exit__(self, *exception) -> None:
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)

    def __call__(self) -> bool:
        return self.requested

    def _ask_to_stop(self, signum, frame) -> None:
        self.requested = True
        signal.signal(signal.SIGINT, self._previous)
        print("\nstopping after this step to save the training state (Ctrl+C again stops "
              "at once, saving nothing)", file=sys.stderr)


STOP_LINE = "stop"


class StopOnStdinLine:
    """For a training run by the app (`--progress-json`): a line "stop" on stdin asks it to
    stop after the step under way, as Ctrl+C does; so does the end of stdin, which is the
    app having quit or crashed: the state is saved rather than the training left running
    for nobody. Called, it says whether a stop was asked for."""

    def __init__(self, stdin=None) -> None:
        self.requested = False
        self._stdin = stdin or sys.stdin
        threading.Thread(target=self._watch, name="animo-stop-request", daemon=True).start()

    def __call__(self) -> bool:
        return self.requested

    def _watch(self) -> None:
        for line in self._stdin:
            if line.strip() == STOP_LINE:
                break
        self.requested = True
