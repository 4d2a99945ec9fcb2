"""The opt-in session-data export: every artwork as a PNG, and the session's record.

Emotion data is health data, so this is written only when the therapist asks for it. The
export folder appears whole or not at all: it is assembled under a temporary name beside
its destination and renamed at the end. A crash or a kill mid-export can still leave that
hidden folder (`.animo-client-record.NAME.XXXXXXXX`, mode 0700); the next export into the
same parent folder removes such leftovers, only folders of exactly that name pattern that
were last changed before this process started (and not in the last ten minutes: another
ANIMO may be exporting there now).
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import tempfile
import time
from pathlib import Path

from animo_desktop.session import Session, SessionFolder
from animo_desktop.storage import atomic_write_bytes

TIMELINE_COLUMNS = ("emotion", "start_s", "end_s", "duration_s")
ARTWORK_COLUMNS = ("index", "file", "time", "session_time_s", "emotion", "backend", "seed",
                   "prompt", "model", "lora", "generation_ms")


STAGING_PREFIX = ".animo-client-record."
# mkdtemp's names: the prefix, the destination's name, a dot, 8 of [a-z0-9_].
_STAGING_NAME = re.compile(re.escape(STAGING_PREFIX) + r".+\.[a-z0-9_]{8}")
_STARTED = time.time()  # before any export of this process: its staging is never older
_QUIET_SECONDS = 600


def remove_leftover_staging(parent: Path, started: float | None = None) -> list[Path]:
    """Remove the staging folders that an interrupted export left in `parent`."""
    cutoff = min(_STARTED if started is None else started, time.time() - _QUIET_SECONDS)
    removed = []
    try:
        entries = list(os.scandir(parent))
    except OSError:
        return removed
    for entry in entries:
        if not _STAGING_NAME.fullmatch(entry.name):
            continue
        try:
            if not entry.is_dir(follow_symlinks=False) or \
                    entry.stat(follow_symlinks=False).st_mtime >= cutoff:
                continue
        except OSError:
            continue
        shutil.rmtree(entry.path, ignore_errors=True)
        removed.append(Path(entry.path))
    return removed


def export_session_data(session: Session, folder: SessionFolder, canvas_png: bytes,
                        destination: Path) -> Path:
    """Write `destination/` with canvas.png, artworks/, session.json, session.csv and
    artworks.csv. Raises OSError (destination exists, disk full, ...) leaving nothing."""
    destination = Path(destination)
    if destination.exists():
        raise FileExistsError(f"{destination} already exists")
    destination.parent.mkdir(parents=True, exist_ok=True)
    remove_leftover_staging(destination.parent)
    staging = Path(tempfile.mkdtemp(dir=destination.parent,
                                    prefix=f"{STAGING_PREFIX}{destination.name}."))
    try:
        _write_contents(session, folder, canvas_png, staging)
        os.replace(staging, destination)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return destination


def _write_contents(session: Session, folder: SessionFolder, canvas_png: bytes,
                    target: Path) -> None:
    atomic_write_bytes(target / "canvas.png", canvas_png)
    record = session.to_dict()
    del record["exported_to"], record["exported_up_to"]
    for artwork, item in zip(session.artworks, record["artworks"]):
        if artwork.file is None:
            item["file"] = None
            continue
        exported = Path("artworks") / Path(artwork.file).name
        (target / "artworks").mkdir(exist_ok=True)
        shutil.copyfile(folder.path / artwork.file, target / exported)
        os.chmod(target / exported, 0o600)  # health data: as private as session.json
        item["file"] = exported.as_posix()
    atomic_write_bytes(target / "session.json",
                       json.dumps(record, indent=2, ensure_ascii=False).encode("utf-8"))
    atomic_write_bytes(target / "session.csv", _csv(TIMELINE_COLUMNS, (
        (s["emotion"] or "paused", s["start"], s["end"], s["duration"])
        for s in record["timeline"])))
    atomic_write_bytes(target / "artworks.csv", _csv(ARTWORK_COLUMNS, (
        tuple(item.get(key) for key in ("index", "file", "time", "session_time", "emotion",
                                        "backend", "seed", "prompt", "model", "lora",
                                        "generation_ms"))
        for item in record["artworks"])))


def _csv(header, rows) -> bytes:
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(header)
    writer.writerows(rows)
    return text.getvalue().encode("utf-8")
