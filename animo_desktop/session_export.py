"""The opt-in session-data export: every artwork as a PNG, and the session's record.

Emotion data is health data, so this is written only when the therapist asks for it. The
export folder appears whole or not at all: it is assembled under a temporary name beside
its destination and renamed at the end.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import tempfile
from pathlib import Path

from animo_desktop.session import Session, SessionFolder
from animo_desktop.storage import atomic_write_bytes

TIMELINE_COLUMNS = ("emotion", "start_s", "end_s", "duration_s")
ARTWORK_COLUMNS = ("index", "file", "time", "session_time_s", "emotion", "backend", "seed",
                   "prompt", "model", "lora", "generation_ms")


def export_session_data(session: Session, folder: SessionFolder, canvas_png: bytes,
                        destination: Path) -> Path:
    """Write `destination/` with canvas.png, artworks/, session.json, session.csv and
    artworks.csv. Raises OSError (destination exists, disk full, ...) leaving nothing."""
    destination = Path(destination)
    if destination.exists():
        raise FileExistsError(f"{destination} already exists")
    destination.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=destination.parent, prefix=f".{destination.name}."))
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
