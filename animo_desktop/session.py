"""A therapy session: its artworks, their placement, and its folder on disk.

Every artwork is saved as soon as it exists (PNG + JSON sidecar) and the session state
(`session.json`) is rewritten atomically after each one, so a crash loses at most the
artwork in progress. A session whose `session.json` has no end time is unfinished and
can be restored.
"""

from __future__ import annotations

import errno
import json
import logging
import secrets
import warnings
from bisect import insort
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Collection

from PIL import Image

from animo_desktop import __version__
from animo_desktop.composition import CanvasSpec, CompositionMode, Placement, layout
from animo_desktop.json_fields import NUMBER, OPTIONAL_TEXT, json_field, json_items
from animo_desktop.messages import ArtworkMetadata
from animo_desktop.storage import (atomic_write_bytes, atomic_write_json, atomic_write_png,
                                   read_png_text)
from animo_desktop.timeline import EmotionTimeline

log = logging.getLogger(__name__)

STATE_FILE = "session.json"
# What an unfinished session's state is renamed to when it cannot be read back.
UNREADABLE_STATE_FILE = "session.json.unreadable"
# The lock file of the ANIMO running the session (ui/session_controller.py holds it).
LOCK_FILE = "session.lock"
ARTWORKS_FOLDER = "artworks"
SESSION_METADATA_KEY = "animo:session"
FORMAT_VERSION = 1
# An artwork file larger than this is not read back (told by its header, before decoding):
# a 20000 x 20000 PNG of a few kilobytes would otherwise take 1.2 GB as RGB. ANIMO's own
# artworks are far smaller; the same limit as vision/sources.py's for still images.
MAX_ARTWORK_PIXELS = 50_000_000


def now_iso() -> str:
    return datetime.now().astimezone().isoformat(timespec="seconds")


@dataclass
class ArtworkRecord:
    index: int
    metadata: ArtworkMetadata
    placement: Placement
    file: str | None  # relative to the session folder; None when it could not be saved
    session_time: float = 0.0  # seconds since the session started (the timeline's clock)

    def to_dict(self) -> dict[str, Any]:
        return {"index": self.index, **self.metadata.to_dict(),
                "session_time": round(self.session_time, 3),
                "placement": self.placement.to_dict(), "file": self.file}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "ArtworkRecord":
        return cls(json_field(data, "index", int), ArtworkMetadata.from_dict(data),
                   Placement.from_dict(json_field(data, "placement", dict)),
                   json_field(data, "file", OPTIONAL_TEXT, None),
                   float(json_field(data, "session_time", NUMBER, 0.0)))


@dataclass
class Session:
    session_id: str
    started_at: str
    seed: int
    canvas: CanvasSpec
    ended_at: str | None = None
    artworks: list[ArtworkRecord] = field(default_factory=list)
    exported_to: list[str] = field(default_factory=list)
    # The newest artwork's index when the canvas was last exported (None: never was),
    # so that quitting can say how many artworks came since.
    exported_up_to: int | None = None
    timeline: EmotionTimeline = field(default_factory=EmotionTimeline)
    # Seconds of session time so far (the timeline's clock), as of the last save.
    elapsed: float = 0.0
    composition: CompositionMode = CompositionMode.COLLAGE
    # Indices taken off the canvas (by the therapist, or their file gone with the folder):
    # they never come back on restore and their indices are never reused.
    removed: list[int] = field(default_factory=list)
    # The highest index of an artwork file in the session folder, whether its record came
    # back or not (a PNG whose sidecar a crash never wrote): never reused, so that file is
    # never overwritten. Found again from the files at every load, so not saved.
    highest_file_index: int = field(default=0, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Placements are always recomputed: the layout is the truth, not the saved file.
        self._relayout()

    @classmethod
    def new(cls, canvas: CanvasSpec,
            composition: CompositionMode = CompositionMode.COLLAGE) -> "Session":
        started = datetime.now().astimezone()
        return cls(session_id=started.strftime("%Y%m%d-%H%M%S"),
                   started_at=started.isoformat(timespec="seconds"),
                   seed=secrets.randbits(32), canvas=canvas, composition=composition)

    @property
    def next_index(self) -> int:
        # Indices grow in request order; jobs dropped by the queue leave gaps.
        return max([record.index for record in self.artworks] + self.removed
                   + [self.highest_file_index]) + 1

    @property
    def is_exported(self) -> bool:
        return bool(self.exported_to)

    @property
    def artworks_since_export(self) -> int:
        """How many artworks on the canvas came after the last export (all if none)."""
        return sum(1 for record in self.artworks
                   if self.exported_up_to is None or record.index > self.exported_up_to)

    def mark_exported(self, path: str) -> None:
        """The canvas as it is now was exported to `path`."""
        self.exported_to.append(path)
        self.exported_up_to = max((record.index for record in self.artworks), default=0)

    def add_artwork(self, index: int, metadata: ArtworkMetadata,
                    file: str | None) -> ArtworkRecord:
        """Add an artwork (kept in index order, which is time order) and place it; in
        mosaic the others may move as the grid grows."""
        indices = sorted([record.index for record in self.artworks] + [index])
        placements = layout(self.composition, self.canvas, self.seed, indices)
        record = ArtworkRecord(index, metadata, placements[index], file)
        insort(self.artworks, record, key=lambda item: item.index)
        self._apply(placements)
        self.exported_to.clear()  # the canvas changed since the last export
        return record

    def remove_artwork(self, index: int) -> ArtworkRecord:
        """Take an artwork off the canvas (KeyError if it is not there)."""
        taken = self.remove_artworks({index})
        if not taken:
            raise KeyError(index)
        return taken[0]

    def remove_artworks(self, indices: set[int]) -> list[ArtworkRecord]:
        """Take these artworks off the canvas (those on it), with one relayout."""
        taken = [record for record in self.artworks if record.index in indices]
        if taken:
            self.artworks = [record for record in self.artworks if record.index not in indices]
            self.removed += [record.index for record in taken]
            self._relayout()
            self.exported_to.clear()
        return taken

    def set_mode(self, mode: CompositionMode) -> None:
        """Switch the composition mode; every artwork stays, placed anew."""
        if mode is self.composition:
            return
        self.composition = mode
        self._relayout()
        self.exported_to.clear()

    def _relayout(self) -> None:
        self._apply(layout(self.composition, self.canvas, self.seed,
                           [record.index for record in self.artworks]))

    def _apply(self, placements: dict[int, Placement]) -> None:
        for record in self.artworks:
            record.placement = placements[record.index]

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT_VERSION,
            "app": "ANIMO",
            "app_version": __version__,
            "session_id": self.session_id,
            "started_at": self.started_at,
            "ended_at": self.ended_at,
            "seed": self.seed,
            "canvas": self.canvas.to_dict(),
            "composition": self.composition.value,
            "removed": list(self.removed),
            "exported_to": list(self.exported_to),
            "exported_up_to": self.exported_up_to,
            "elapsed": round(self.elapsed, 3),
            "timeline": self.timeline.to_list(now=self.elapsed),
            "artworks": [record.to_dict() for record in self.artworks],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Session":
        return cls(
            session_id=json_field(data, "session_id", str),
            started_at=json_field(data, "started_at", str),
            seed=json_field(data, "seed", int),
            canvas=CanvasSpec.from_dict(json_field(data, "canvas", dict)),
            ended_at=json_field(data, "ended_at", OPTIONAL_TEXT, None),
            artworks=[ArtworkRecord.from_dict(item)
                      for item in json_items(data, "artworks", dict)],
            exported_to=json_items(data, "exported_to", str),
            exported_up_to=json_field(data, "exported_up_to", (int, type(None)), None),
            timeline=EmotionTimeline.from_list(json_items(data, "timeline", dict)),
            elapsed=float(json_field(data, "elapsed", NUMBER, 0.0)),
            composition=CompositionMode(json_field(data, "composition", str,
                                                   CompositionMode.COLLAGE.value)),
            removed=json_items(data, "removed", int),
        )

    def export_metadata(self, ended_at: str | None = None, *, with_emotions: bool = False,
                        on_canvas: Collection[int] | None = None) -> dict[str, Any]:
        """The `animo:session` JSON embedded in an exported canvas PNG.

        By default: when the session was and how many artworks the canvas holds (on_canvas:
        their indices, when one whose file cannot be read back is left off it), nothing per
        artwork. Emotions are health data, and an artwork's seed is enough to compute its
        emotion (the painter re-renders the seed under each emotion until one matches
        exactly), as are its prompt and LoRA. Every artwork, whole, is only in the canvas
        of the opt-in session record; the emotional timeline is in neither.
        """
        ended_at = ended_at or self.ended_at or now_iso()
        if not with_emotions:
            held = [record for record in self.artworks
                    if on_canvas is None or record.index in on_canvas]
            return {"format": FORMAT_VERSION, "app": "ANIMO", "app_version": __version__,
                    "started_at": self.started_at, "ended_at": ended_at,
                    "artwork_count": len(held),
                    "backends": sorted({record.metadata.backend for record in held})}
        data = self.to_dict()
        data["ended_at"] = ended_at
        for item in data["artworks"]:
            item.pop("file")
        for private_or_local in ("exported_to", "exported_up_to", "timeline", "elapsed"):
            del data[private_or_local]
        return data


class SessionFolder:
    """One session's folder: `session.json` plus `artworks/NNNN-emotion.png|json`."""

    def __init__(self, path: Path):
        self.path = Path(path)

    @classmethod
    def create(cls, root: Path, session_id: str) -> "SessionFolder":
        """A new, empty folder for this session (its state is written by `save`)."""
        root.mkdir(parents=True, exist_ok=True)
        suffix = 1
        while True:
            path = root / (f"session-{session_id}" if suffix == 1
                           else f"session-{session_id}-{suffix}")
            try:
                path.mkdir()  # fails if another ANIMO made it first: no two share a folder
            except FileExistsError:
                suffix += 1
                continue
            return cls(path)

    @property
    def state_file(self) -> Path:
        return self.path / STATE_FILE

    def artwork_path(self, index: int, metadata_emotion: str) -> Path:
        return self.path / ARTWORKS_FOLDER / f"{index:04d}-{metadata_emotion}.png"

    def relative(self, file: Path) -> str:
        return file.relative_to(self.path).as_posix()

    def save(self, session: Session) -> None:
        self.write_state(session.to_dict())

    @property
    def is_gone(self) -> bool:
        """Whether the folder was deleted (or moved away) while its session ran."""
        return not self.path.is_dir()

    def write_state(self, state: dict[str, Any]) -> None:
        """Write `Session.to_dict()`'s state. Rewritten after every artwork: no indent, so
        that Python's C encoder writes it (a quarter of the time with a thousand artworks).
        A folder that is gone is not made again: a state naming artworks whose files went
        with it would be offered for restoring."""
        if self.is_gone:
            raise FileNotFoundError(errno.ENOENT, "the session folder is gone", str(self.path))
        atomic_write_bytes(self.state_file,
                           json.dumps(state, ensure_ascii=False).encode("utf-8"))

    def load(self) -> Session:
        """Read the session, recovering artworks saved after the last state write."""
        session = Session.from_dict(json.loads(self.state_file.read_text(encoding="utf-8")))
        known = {record.index for record in session.artworks} | set(session.removed)
        for png in sorted((self.path / ARTWORKS_FOLDER).glob("*.png")):
            index = _artwork_file_index(png)
            if index is None or index in known:
                continue
            metadata = _recovered_metadata(png)
            if metadata is not None:
                session.add_artwork(index, metadata, self.relative(png))
        session.highest_file_index = self.highest_artwork_file_index()
        return session

    def highest_artwork_file_index(self) -> int:
        """The highest index among the artwork files ("0007-joy.png", "0007-joy.json"),
        with or without their pair; 0 if none."""
        return max((index for file in (self.path / ARTWORKS_FOLDER).glob("[0-9]*-*")
                    if (index := _artwork_file_index(file)) is not None), default=0)

    def remove_leftovers(self) -> list[Path]:
        """Delete the temporary files that an atomic write (storage.py) interrupted by a
        crash left in the folder; the folder must be this ANIMO's (locked). Returns them."""
        removed = []
        for folder in (self.path, self.path / ARTWORKS_FOLDER):
            for leftover in folder.glob("*.tmp"):
                try:
                    if leftover.is_file() and not leftover.is_symlink():
                        leftover.unlink()
                        removed.append(leftover)
                except OSError as error:
                    log.warning("could not remove the leftover %s: %s", leftover, error)
        if removed:
            log.info("removed %d leftover temporary files from %s: %s", len(removed),
                     self.path, ", ".join(path.name for path in removed))
        return removed

    def set_aside(self) -> Path:
        """Rename a state that cannot be read back out of the way, so that the session is
        not offered again at every launch; every file stays, to mend by hand."""
        unreadable = self.path / UNREADABLE_STATE_FILE
        self.state_file.replace(unreadable)
        return unreadable

    def image_path(self, record: ArtworkRecord) -> Path | None:
        return None if record.file is None else self.path / record.file

    def load_image(self, record: ArtworkRecord) -> Image.Image | None:
        path = self.image_path(record)
        return None if path is None else read_artwork_image(path)


def read_artwork_image(path: Path) -> Image.Image | None:
    """An artwork read back from its PNG (RGB), or None, logged naming the file, if it
    cannot be read: missing, damaged, not an image, or over MAX_ARTWORK_PIXELS by its
    header (checked before anything is decoded, whatever the format)."""
    try:
        # Image.open reads the header only; Pillow warns of (or refuses) a size over its
        # own limit, which is higher than ANIMO's: the size is checked here instead.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(path) as image:
                width, height = image.size
                if width * height > MAX_ARTWORK_PIXELS:
                    log.warning("artwork %s could not be read: too large (%d x %d pixels; "
                                "at most %d megapixels)", path, width, height,
                                MAX_ARTWORK_PIXELS // 1_000_000)
                    return None
                return image.convert("RGB")
    except Image.DecompressionBombError as error:
        log.warning("artwork %s could not be read: too large (%s)", path, error)
    # Pillow's decoders raise many types on a damaged file (OSError, SyntaxError,
    # ValueError, struct.error, ...): every one means an unreadable artwork.
    except Exception as error:
        log.warning("artwork %s could not be read: %s", path, error)
    return None


def _artwork_file_index(path: Path) -> int | None:
    """The index an artwork file's name starts with ("0007-joy.png": 7), or None."""
    number = path.name.split("-", 1)[0]
    return int(number) if number.isdigit() else None


def _recovered_metadata(png: Path) -> ArtworkMetadata | None:
    """The record of an artwork saved after the last state write: its sidecar's, or, when
    the app died between the PNG and its sidecar, the PNG's own copy; None, logged, if it
    cannot be read."""
    sidecar = png.with_suffix(".json")
    try:
        if sidecar.exists():
            return ArtworkMetadata.from_dict(json.loads(sidecar.read_text("utf-8")))
    # ValueError: not UTF-8, not JSON, or a field of the wrong type;
    # RecursionError: nested too deep to parse.
    except (OSError, ValueError, RecursionError) as error:
        log.warning("skipping unreadable artwork record %s: %s", sidecar, error)
        return None
    try:
        return ArtworkMetadata.from_dict(json.loads(read_png_text(png)[SESSION_METADATA_KEY]))
    # Pillow's decoders raise many types on a damaged file; KeyError: no ANIMO record.
    except Exception as error:
        log.warning("skipping unreadable artwork record %s: %s", png, error)
        return None


def save_artwork_files(png_path: Path, image: Image.Image, metadata: ArtworkMetadata) -> None:
    """Write one artwork: the PNG (its metadata embedded) and a JSON sidecar beside it."""
    record = metadata.to_dict()
    # Not parents=True: a session folder that was deleted is not made again for one artwork.
    png_path.parent.mkdir(exist_ok=True)
    atomic_write_png(png_path, image, {SESSION_METADATA_KEY: json.dumps(record)})
    atomic_write_json(png_path.with_suffix(".json"), record)


def find_unfinished_session(root: Path) -> SessionFolder | None:
    """The most recent session under root that never ended."""
    return next(iter(unfinished_sessions(root)), None)


def unfinished_sessions(root: Path) -> list[SessionFolder]:
    """The sessions under root that never ended, newest first: the app died, or another
    ANIMO still runs them (their lock says which)."""
    candidates = []
    for state_file in root.glob(f"session-*/{STATE_FILE}"):
        try:
            data = json.loads(state_file.read_text(encoding="utf-8"))
        # ValueError: not UTF-8 or not JSON; RecursionError: nested too deep to parse.
        except (OSError, ValueError, RecursionError):
            continue
        if isinstance(data, dict) and data.get("ended_at") is None:
            candidates.append((state_file.stat().st_mtime, state_file.parent))
    return [SessionFolder(path) for _, path in sorted(candidates, reverse=True)]
