"""Guards against Qt binding defects that would only show hours into a session."""

import sys

from PySide6.QtCore import QObject, Signal


class _Emitter(QObject):
    value = Signal(object)


def test_emitting_signals_does_not_leak_or_drop_references():
    # PySide6 6.12.0 dropped a reference to True on every emit: after enough artworks
    # the interpreter aborts ("deallocating True or False").
    emitter = _Emitter()
    received = []
    emitter.value.connect(received.append)
    before = sys.getrefcount(True), sys.getrefcount(False)
    for _ in range(200):
        emitter.value.emit(1)
    assert (sys.getrefcount(True), sys.getrefcount(False)) == before
    assert len(received) == 200
