"""Writes `session.json` in its own thread, so that neither a slow disk (the fsync of each
atomic write) nor a long session (the JSON of a thousand artworks) holds up the UI.

The controller sends one `StateSave` at a time and the next only after `written`, so a
burst of changes costs one write of the latest state, never a queue of stale ones. The
state travels as the dict `Session.to_dict()` builds afresh: it is the writer's alone.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, Signal, Slot

from animo_desktop.session import SessionFolder

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class StateSave:
    folder: SessionFolder
    state: dict[str, Any]


class SessionWriter(QObject):
    written = Signal(object, object)  # StateSave, the exception that stopped it or None

    @Slot()
    def start(self) -> None:
        """The thread's entry slot: the writer holds no state to build."""

    @Slot(object)
    def write(self, save: StateSave) -> None:
        # Every failure is answered, a bug as much as a full disk: the controller sends
        # the next save only after an answer.
        try:
            save.folder.write_state(save.state)
        except Exception as error:
            if not isinstance(error, OSError):
                log.exception("the session state could not be written")
            self.written.emit(save, error)
            return
        self.written.emit(save, None)
