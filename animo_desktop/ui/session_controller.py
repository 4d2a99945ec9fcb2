"""Coordinates one session in the UI thread: emotion in, requests out, artworks kept.

It owns no widget. The window shows what its signals say and calls its slots; the
generation worker, the canvas painter and the session writer run in their own threads
and talk to it only through signals. It keeps no artwork image: the session folder holds
the originals and the painter reads them back when the layout changes.
"""

from __future__ import annotations

import enum
import json
import logging
import secrets
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Callable

from PIL import Image
from PySide6.QtCore import QLockFile, QObject, QTimer, Signal, Slot

from animo_desktop.cadence import ArtworkCadence
from animo_desktop.composition import (CanvasSpec, CompositionMode, Placement,
                                       render_canvas, visible_artworks)
from animo_desktop.emotions import ALL_EMOTIONS, Emotion
from animo_desktop.generation.backend import BackendFactory, BackendOptions, ChosenBackend
from animo_desktop.generation.comfyui.server_address import ServerAddressError
from animo_desktop.generation.prompts import emotion_named_in
from animo_desktop.messages import (Artwork, EmotionReading, GenerationRequest, LoraTrained,
                                    WorkerError, sentence)
from animo_desktop.session import (LOCK_FILE, SESSION_METADATA_KEY, ArtworkRecord,
                                   Session, SessionFolder, now_iso, read_artwork_image,
                                   save_artwork_files, unfinished_sessions)
from animo_desktop.settings import Settings
from animo_desktop.session_export import export_session_data
from animo_desktop.storage import atomic_write_png, encode_png
from animo_desktop.ui.canvas_painter import AddJob, CanvasPainter, ComposeJob, Painted
from animo_desktop.ui.generation_worker import GenerationWorker
from animo_desktop.ui.session_writer import SessionWriter, StateSave
from animo_desktop.ui.worker_thread import WorkerThread

log = logging.getLogger(__name__)

TICK_MS = 250
# What the therapist reads when a worker crashes, by WorkerError.source.
WORKER_NAMES = {"generation": "Artwork generation", "camera": "Emotion sensing",
                "canvas": "The canvas painter"}


class SessionState(enum.Enum):
    RUNNING = "running"
    PAUSED = "paused"
    ENDED = "ended"


class SessionController(QObject):
    canvas_reset = Signal(object)  # CanvasSpec: clear the view
    artwork_placed = Signal(object, object)  # ArtworkRecord, Painted (with it fitted)
    canvas_relaid = Signal(object, object)  # [ArtworkRecord] on the canvas, Painted
    artwork_removed = Signal(int)  # index
    emotion_changed = Signal(object)  # EmotionReading
    state_changed = Signal(object)  # SessionState
    backend_changed = Signal(object)  # BackendInfo
    artwork_timed = Signal(float)  # generation ms of the last artwork
    progress = Signal(object)  # GenerationProgress of the artwork being made
    message = Signal(str, str)  # level ("info", "warning", "error"), text
    exported = Signal(str)  # path
    timeline_changed = Signal(object, object, float)  # segments, artwork times, now

    def __init__(self, settings: Settings, sessions_root: Path, backend_factory: BackendFactory,
                 parent: QObject | None = None, clock: Callable[[], float] = time.monotonic):
        super().__init__(parent)
        # What the side panel's choices of backend are built with, and the choice that
        # `backend_factory` builds, when it is one (the app's; a test's factory is not).
        self.backend_options = BackendOptions(settings)
        self.chosen_backend: ChosenBackend | None = None
        self._clock = clock
        self._clock_origin = clock()
        self.settings = settings
        self.sessions_root = sessions_root
        self.theme = ""
        self.state = SessionState.ENDED
        self.session: Session | None = None
        self.folder: SessionFolder | None = None
        self._pinned: Emotion | None = None
        self._detected: EmotionReading | None = None
        self._cadence = ArtworkCadence(settings.cadence_seconds)
        # Artworks whose file could not be written live only here (the painter needs them
        # for a relayout); every other original is read back from the session folder.
        self._unsaved: dict[int, Image.Image] = {}
        self._autosave_failing = False
        # The session folder was deleted under the running session: from then on the
        # session lives in memory, and nothing is written (the folder is not made again).
        self.folder_gone = False
        # The layout generation the painter works for, and its latest painting.
        self._layout = 0
        self._painted: Painted | None = None
        self._told_unreadable: set[str] = set()  # artwork files found unreadable, told
        self._next_job_id = 1
        # Artwork index (and file name) of each job in flight for this session; a job
        # missing here was made for a session that has ended since.
        self._index_of_job: dict[int, int] = {}
        self._next_index = 1
        # The locks of the session folders this ANIMO runs, held until it quits (after the
        # last write): no other instance restores or writes them meanwhile.
        self._locks: list[QLockFile] = []

        worker = GenerationWorker(backend_factory, settings.interrupt_stale)
        self._generation = WorkerThread(worker, worker.start, "animo-generation", self,
                                        finish=worker.close_backend)
        self._request = _RequestRelay(self)
        self._request.requested.connect(worker.submit)
        self._request.fall_back_requested.connect(worker.fall_back)
        self._request.backend_chosen.connect(worker.use_backend)
        worker.backend_ready.connect(self.backend_changed)
        worker.artwork_ready.connect(self._on_artwork)
        worker.progress.connect(self.progress)
        worker.failed.connect(self._on_worker_error)
        worker.warning.connect(self._on_worker_warning)
        worker.notice.connect(self._on_worker_notice)
        self._request.lora_trained.connect(worker.reload_lora)
        worker.loading.connect(self._on_loading)
        self._supervise(self._generation)
        self._generation.gave_up.connect(self._generation_gave_up)
        self.camera: WorkerThread | None = None

        painter = CanvasPainter()
        self._painter = WorkerThread(painter, painter.start, "animo-canvas", self)
        self._jobs = _PaintJobRelay(self)
        self._jobs.compose_requested.connect(painter.compose)
        self._jobs.add_requested.connect(painter.add)
        painter.painted.connect(self._on_painted)
        painter.unreadable.connect(self._on_unpainted_artwork)
        self._supervise(self._painter)
        self._painter.restarted.connect(self._painter_restarted)

        writer = SessionWriter()
        self._writer = WorkerThread(writer, writer.start, "animo-autosave", self)
        self._saves = _SaveRelay(self)
        self._saves.save_requested.connect(writer.write)
        writer.written.connect(self._on_state_written)
        # The save the writer works on, and what it has yet to write: the newest state of
        # each session folder (a session that just ended keeps its own until written).
        self._saving: StateSave | None = None
        self._unwritten: dict[Path, tuple[SessionFolder, Session]] = {}
        self._writer_stopped = False

        self._ticker = QTimer(self)
        self._ticker.setInterval(TICK_MS)
        self._ticker.timeout.connect(self._tick)

    # --- lifecycle ---------------------------------------------------------------------
    def start_generation(self) -> None:
        self._painter.start()
        self._generation.start()
        self._ticker.start()

    def attach_camera(self, camera: WorkerThread) -> None:
        """Follow this camera worker's confirmed emotions (it starts when told to)."""
        self.camera = camera
        camera.worker.emotion_confirmed.connect(self.on_emotion_confirmed)
        camera.worker.failed.connect(self._on_worker_error)
        self._supervise(camera)

    def detach_camera(self) -> None:
        """Stop the camera worker; detection is off until another is attached."""
        if self.camera is None:
            return
        self.camera.stop()
        self.camera = None
        self._detected = None
        self._current_changed()

    def shutdown(self) -> None:
        if self.camera is not None:
            self.camera.stop()
        self._ticker.stop()
        if self.session is not None and self.state is not SessionState.ENDED:
            self.end_session()
        self._generation.stop()
        if self._painter.is_running:
            self._painter.stop()  # a relayout in progress stops at its next artwork
        self._finish_saving()
        for lock in self._locks:
            lock.unlock()
        self._locks.clear()

    # --- generation backend ----------------------------------------------------------
    @property
    def artwork_server(self) -> str | None:
        """The host of the ComfyUI server that makes the artworks, if one does: the
        consent notice names it."""
        server = self.chosen_backend.server if self.chosen_backend is not None else None
        return server.host if server is not None else None

    def choose_backend(self, choice: str, server_url: str = "") -> bool:
        """Have `choice` make the artworks from now on (the side panel); the server's URL
        counts for the server choice only. The generation worker builds the backend and
        closes the one in use. False, with a warning, when the URL or token is refused:
        nothing changes and nothing connects."""
        server_url = server_url.strip() if choice == "comfyui" else ""
        try:
            chosen = self.backend_options.choose(choice, server_url)
        except ServerAddressError as error:
            log.warning("backend %s not chosen: %s", choice, error)
            self.message.emit("warning", f"{sentence(str(error))} The artworks are made as "
                                         "before.")
            return False
        log.info("the %s backend makes the artworks from now on", chosen.choice)
        self.chosen_backend = chosen
        self.settings.backend, self.settings.server_url = choice, server_url
        self._request.backend_chosen.emit(chosen.factory)
        if chosen.server is not None:
            self.message.emit("info", f"The artworks are made on the ComfyUI server "
                                      f"{chosen.server.host} from now on: it is sent their "
                                      "prompts, never a camera image.")
        return True

    # --- emotion -------------------------------------------------------------------------
    @property
    def current(self) -> EmotionReading:
        if self._pinned is not None:
            return EmotionReading(self._pinned, _one_hot(self._pinned), time.monotonic(), "pinned")
        if self._detected is not None:
            return self._detected
        # With detection off, an emotion named in the theme chooses, as in the original
        # system ("a stormy, angry sea" paints anger).
        named = emotion_named_in(self.theme)
        if named is not None:
            return EmotionReading(named, _one_hot(named), time.monotonic(), "theme")
        return EmotionReading(Emotion.NEUTRAL, _one_hot(Emotion.NEUTRAL), time.monotonic(),
                              "default")

    @Slot(object)
    def pin(self, emotion: Emotion | None) -> None:
        """Pin an emotion by hand (overrides detection); None releases the pin."""
        self._pinned = emotion
        self._current_changed()

    @Slot(object)
    def on_emotion_confirmed(self, reading: EmotionReading) -> None:
        """The camera worker's confirmed emotion (connected when a camera exists)."""
        self._detected = reading
        if self._pinned is None:
            self._current_changed()

    def _current_changed(self) -> None:
        self.emotion_changed.emit(self.current)
        self._mark_timeline()
        self._tick()

    # --- session clock and timeline ---------------------------------------------------
    def session_time(self) -> float:
        """Seconds of this session so far; a restored session goes on from its last save."""
        return self._clock() - self._clock_origin

    def _mark_timeline(self) -> None:
        if self.session is None:
            return
        if self.state is not SessionState.ENDED:
            running = self.state is SessionState.RUNNING
            self.session.timeline.mark(self.current.emotion if running else None,
                                       self.session_time())
        self._emit_timeline()

    def _emit_timeline(self) -> None:
        if self.session is None:
            return
        now = self.session.elapsed if self.state is SessionState.ENDED else self.session_time()
        self.timeline_changed.emit(self.session.timeline.segments(now),
                                   [record.session_time for record in self.session.artworks],
                                   now)

    @Slot(str)
    def set_theme(self, text: str) -> None:
        before = self.current.emotion
        self.theme = text.strip()
        if self.current.emotion is not before:
            self._current_changed()

    def set_lora_strength(self, strength: float) -> None:
        """From the next artwork on (each request carries it)."""
        self.settings.lora_strength = strength

    def set_cadence(self, seconds: float) -> None:
        self.settings.cadence_seconds = seconds
        self._cadence.interval_seconds = seconds

    # --- session -------------------------------------------------------------------------
    def new_session(self) -> None:
        canvas = CanvasSpec(self.settings.canvas_width, self.settings.canvas_height,
                            self.settings.canvas_background)
        self.session = Session.new(canvas, CompositionMode(self.settings.composition))
        try:
            self.folder = self._create_folder(self.sessions_root)
        except OSError as error:
            self.folder = self._create_in_temporary_folder(error)
        self._begin(self.session)
        log.info("new session in %s", self.folder.path)

    def _create_folder(self, root: Path) -> SessionFolder:
        """The new session's folder, locked before its state is first written: another
        ANIMO never finds it unfinished and free to restore."""
        folder = SessionFolder.create(root, self.session.session_id)
        if not self._lock(folder):
            log.warning("the session folder %s could not be locked", folder.path)
        folder.save(self.session)
        return folder

    def _create_in_temporary_folder(self, error: OSError) -> SessionFolder:
        """The sessions folder cannot be written (a file in its place, read-only, a full
        disk): rather than a session that saves nothing, keep it in a temporary folder,
        and the sessions after it too, and tell the therapist where."""
        fallback = Path(tempfile.mkdtemp(prefix="animo-session-"))
        log.error("the session folder could not be created in %s (%s): the session is "
                  "kept in %s", self.sessions_root, error, fallback)
        self.message.emit("error", f"The session folder could not be created in "
                                   f"{self.sessions_root} ({error.strerror or error}). This "
                                   f"session is kept in {fallback}, a temporary folder: "
                                   "export it before closing.")
        self.sessions_root = fallback
        return self._create_folder(fallback)

    def claim_unfinished_session(self) -> SessionFolder | None:
        """The newest unfinished session that no other ANIMO runs, locked for this one to
        restore or close; one that another ANIMO runs is left to it, and said so."""
        for folder in unfinished_sessions(self.sessions_root):
            if self._lock(folder):
                return folder
            log.info("the session in %s is running in another ANIMO: left to it", folder.path)
            self.message.emit("info", f"Another ANIMO is running the session in "
                                      f"{folder.path}: this one leaves it alone.")
        return None

    def _lock(self, folder: SessionFolder) -> bool:
        """Take the folder's lock (an OS file lock: a crash releases it, since Qt finds a
        lock whose owner no longer runs stale); False when another ANIMO holds it."""
        lock = QLockFile(str(folder.path / LOCK_FILE))
        lock.setStaleLockTime(0)  # a session lasts hours: only a dead owner makes it stale
        if not lock.tryLock(0):
            return False
        self._locks.append(lock)
        return True

    def restore_session(self, folder: SessionFolder) -> int:
        """Continue an unfinished session claimed by `claim_unfinished_session`; return how
        many artworks came back."""
        folder.remove_leftovers()
        session = folder.load()
        self.session, self.folder = session, folder
        self._begin(session)
        restored = sum(1 for record in session.artworks
                       if (path := folder.image_path(record)) is not None and path.is_file())
        self.save_state()
        log.info("restored session %s with %d artworks", folder.path, restored)
        return restored

    def _begin(self, session: Session) -> None:
        self._unsaved.clear()
        self.folder_gone = False
        self._cadence.reset()
        self._index_of_job.clear()
        self._next_index = session.next_index
        self._clock_origin = self._clock() - session.elapsed
        self.canvas_reset.emit(session.canvas)
        self._relay_all()
        self._set_state(SessionState.RUNNING)
        self.emotion_changed.emit(self.current)

    @Slot()
    def pause(self) -> None:
        if self.state is SessionState.RUNNING:
            self._set_state(SessionState.PAUSED)

    @Slot()
    def resume(self) -> None:
        if self.state is SessionState.PAUSED:
            self._cadence.reset()
            self._set_state(SessionState.RUNNING)
        elif self.state is SessionState.ENDED:
            self.new_session()

    @Slot()
    def end_session(self) -> None:
        if self.session is None or self.state is SessionState.ENDED:
            return
        self.session.ended_at = now_iso()
        self.session.elapsed = self.session_time()
        self.session.timeline.close(self.session.elapsed)
        # Ending stops the session: an artwork still being made is not added, so the
        # summary's figures are the final ones.
        self._index_of_job.clear()
        self.save_state()
        self._set_state(SessionState.ENDED)

    def _set_state(self, state: SessionState) -> None:
        self.state = state
        self._mark_timeline()
        self.state_changed.emit(state)

    @property
    def has_unexported_work(self) -> bool:
        return bool(self.session and self.session.artworks and not self.session.is_exported)

    # --- generation ----------------------------------------------------------------------
    def _tick(self) -> None:
        if self.state is not SessionState.RUNNING or self.folder is None:
            return
        self._emit_timeline()
        emotion = self.current.emotion
        if self._cadence.should_request(emotion, time.monotonic()):
            self.request_artwork(emotion)

    def request_artwork(self, emotion: Emotion) -> None:
        """Ask the generation worker for an artwork of this emotion now."""
        job_id, self._next_job_id = self._next_job_id, self._next_job_id + 1
        index, self._next_index = self._next_index, self._next_index + 1
        self._index_of_job[job_id] = index
        save_as = None if self._check_folder() else self.folder.artwork_path(index, emotion.value)
        self._request.requested.emit(GenerationRequest(
            job_id=job_id, emotion=emotion, seed=secrets.randbits(31), theme=self.theme,
            save_as=save_as, lora_strength=self.settings.lora_strength))

    @Slot(object)
    def _on_artwork(self, artwork: Artwork) -> None:
        index = self._index_of_job.pop(artwork.job_id, None)
        if index is None:
            return  # made for a session that has ended since
        saved = artwork.saved_to is not None and not self._check_folder()
        file = self.folder.relative(artwork.saved_to) if saved else None
        before = {record.index: record.placement for record in self.session.artworks}
        record = self.session.add_artwork(index, artwork.metadata, file)
        record.session_time = self.session_time()
        if file is None:
            self._unsaved[index] = artwork.image
        moved = any(other.placement != before[other.index]
                    for other in self.session.artworks if other.index in before)
        if moved or index < max(before, default=index):
            self._relay_all()  # the mosaic grid grew, or it belongs under newer artworks
        else:
            self._jobs.add_requested.emit(
                AddJob(self._layout, index, record.placement, artwork.image))
        self.artwork_timed.emit(artwork.metadata.generation_ms)
        for notice in artwork.metadata.extra.get("notices", ()):
            self.message.emit("warning", notice)
        self.save_state()

    def _relay_all(self) -> None:
        """Have the painter paint every artwork at its current placement, anew."""
        if self.folder_gone:
            self._drop_artworks_gone_with_the_folder()
        self._layout += 1
        self._jobs.compose_requested.emit(ComposeJob(
            self._layout, self.session.canvas, self.session.composition,
            tuple((record.index, record.placement, source)
                  for record in self.session.artworks
                  if (source := self._source(record)) is not None)))

    def _check_folder(self) -> bool:
        """Whether the session folder is gone; told once, when it is first found gone."""
        if self.folder_gone or not self.folder.is_gone:
            return self.folder_gone
        self.folder_gone = True
        # Their files went with the folder: the canvas painted so far still shows them.
        for record in self.session.artworks:
            record.file = None
        count = len(self.session.artworks)
        log.error("the session folder %s is gone (deleted or moved) with the files of %d "
                  "artworks: the session goes on in memory", self.folder.path, count)
        self.message.emit(
            "error", f"The session folder {self.folder.path} was deleted, with the files of "
                     f"its {count} artwork{'s' if count != 1 else ''}. The session goes on "
                     "in memory: the canvas keeps them until its layout changes, and the "
                     "new artworks stay too. Export the canvas (to another folder) to keep "
                     "it.")
        return True

    def _drop_artworks_gone_with_the_folder(self) -> None:
        """A canvas painted anew cannot show the artworks whose files went with the
        folder: they leave the session too, so that its figures and the exported canvas's
        metadata count what the canvas shows."""
        gone = {record.index for record in self.session.artworks
                if record.file is None and record.index not in self._unsaved}
        dropped = self.session.remove_artworks(gone)
        for record in dropped:
            self.artwork_removed.emit(record.index)
        if dropped:
            log.warning("%d artworks gone with the session folder leave the canvas",
                        len(dropped))
            self.message.emit("warning", f"{len(dropped)} artwork"
                                         f"{'s' if len(dropped) != 1 else ''} gone with the "
                                         "session folder left the canvas as it was laid out "
                                         "anew.")

    def _source(self, record: ArtworkRecord) -> Path | Image.Image | None:
        if record.index in self._unsaved:
            return self._unsaved[record.index]
        return self.folder.image_path(record)

    @Slot(object)
    def _on_painted(self, painted: Painted) -> None:
        if painted.generation != self._layout:
            return  # a painting for a layout replaced since
        self._painted = painted
        if painted.fitted is None:
            on_canvas = set(painted.indices)
            self.canvas_relaid.emit([record for record in self.session.artworks
                                     if record.index in on_canvas], painted)
        else:
            record = self.artwork(painted.newest)
            if record is not None:
                self.artwork_placed.emit(record, painted)

    @property
    def canvas_is_current(self) -> bool:
        """Whether the painting shows every artwork of the session where it now belongs."""
        if self.session is None or self._painted is None:
            return False
        newest = next((record.index for record in reversed(self.session.artworks)
                       if self._source(record) is not None), None)
        return self._painted.generation == self._layout and self._painted.newest == newest

    # --- composition -----------------------------------------------------------------
    def set_canvas_background(self, colour: str) -> None:
        """The canvas colour of new sessions ("#rrggbb"); a session with no artwork yet
        takes it at once, since nothing on it was made against the old one."""
        self.settings.canvas_background = colour
        session = self.session
        if session is None or session.artworks or self.state is SessionState.ENDED:
            return
        session.canvas = replace(session.canvas, background=colour)
        self.canvas_reset.emit(session.canvas)
        self._relay_all()
        self.save_state()

    def set_composition(self, mode: CompositionMode) -> None:
        """Switch the composition mode mid-session: every artwork stays."""
        self.settings.composition = mode.value
        if self.session is None or mode is self.session.composition:
            return
        self.session.set_mode(mode)
        self._relay_all()
        self.save_state()

    def artwork(self, index: int) -> ArtworkRecord | None:
        if self.session is None:
            return None
        return next((record for record in self.session.artworks if record.index == index),
                    None)

    def remove_artwork(self, index: int) -> None:
        """Take an artwork off the canvas; its files stay in the session folder."""
        if self.artwork(index) is None:
            return
        self.session.remove_artwork(index)
        self._unsaved.pop(index, None)
        self.artwork_removed.emit(index)
        self._relay_all()  # a painting cannot take one artwork out: paint it anew
        self.save_state()

    def request_variant(self, index: int) -> None:
        """Another artwork like this one: same emotion and theme, a new seed."""
        record = self.artwork(index)
        if record is not None and self.folder is not None:
            self.request_artwork(record.metadata.emotion)

    @Slot(object)
    def load_trained_lora(self, trained: LoraTrained) -> None:
        """A LoRA trained meanwhile: the generation worker uses it from the next artwork."""
        self._request.lora_trained.emit(trained)

    @Slot(str)
    def _on_worker_notice(self, text: str) -> None:
        self.message.emit("info", text)

    @Slot(str)
    def _on_worker_warning(self, text: str) -> None:
        self.message.emit("warning", text)

    @Slot(str)
    def _on_loading(self, text: str) -> None:
        self.message.emit("info", f"Loading the model: {text}")

    @Slot(object)
    def _on_worker_error(self, error: WorkerError) -> None:
        # The one place a worker's failure is logged: its message, then any detail.
        log.error("%s: %s", error.source, "\n".join(filter(None, (error.message, error.detail))))
        self.message.emit("error", error.message)

    def _supervise(self, thread: WorkerThread) -> None:
        thread.worker.crashed.connect(self._on_worker_crashed)
        thread.gave_up.connect(self._on_worker_gave_up)

    @Slot(object)
    def _on_worker_crashed(self, error: WorkerError) -> None:
        log.error("%s worker crashed: %s\n%s", error.source, error.message, error.detail)
        self.message.emit("error", f"{WORKER_NAMES[error.source]} stopped on an error "
                                   f"({error.message}); restarting it. The session goes on.")

    @Slot(object)
    def _on_worker_gave_up(self, error: WorkerError) -> None:
        fallback = {"generation": " The built-in painter makes the artworks from now on.",
                    "camera": " Pin emotions by hand."}.get(error.source, "")
        self.message.emit("error", f"{WORKER_NAMES[error.source]} keeps failing "
                                   f"({error.message}) and is not restarted again.{fallback}")

    @Slot(int)
    def _painter_restarted(self, crashes: int) -> None:
        if self.session is not None:
            self._relay_all()  # it starts again with an empty canvas

    @Slot(object)
    def _generation_gave_up(self, error: WorkerError) -> None:
        self._request.fall_back_requested.emit()

    def save_state(self) -> None:
        """Have the session state written (by the session writer, in its thread), and
        write here any artwork whose file could not be written before (a full disk that
        has room again)."""
        if self.state is not SessionState.ENDED:
            self.session.elapsed = self.session_time()
        if self._check_folder():
            return  # nowhere to write: the session lives in memory
        self._save_unsaved_artworks()
        self._unwritten[self.folder.state_file] = (self.folder, self.session)
        if self._saving is None:
            self._write_next()

    @property
    def artworks_in_progress(self) -> int:
        """Artworks asked for that have not come back yet (a pause still lets them land)."""
        return len(self._index_of_job)

    @property
    def is_saved(self) -> bool:
        """Whether every state asked for so far is on disk (or failed to get there)."""
        return self._saving is None and not self._unwritten

    def _write_next(self) -> None:
        if not self._unwritten:
            return
        if self._writer_stopped:  # a change after the quit (an artwork on its way)
            self._write_here()
            return
        folder, session = self._unwritten.pop(next(iter(self._unwritten)))
        if not self._writer.is_running:
            self._writer.start()
        # The state is taken now, not when asked for: a burst of changes is one write.
        self._saving = StateSave(folder, session.to_dict())
        self._saves.save_requested.emit(self._saving)

    @Slot(object, object)
    def _on_state_written(self, save: StateSave, error: Exception | None) -> None:
        """Told once when autosave starts failing and once when it works again, not at
        every artwork in between."""
        if save is not self._saving:
            return  # answered after shutdown wrote it here
        self._saving = None
        if error is not None:
            log.error("autosave failed: %s", error)
            if not self._autosave_failing:
                reason = getattr(error, "strerror", None) or error
                self.message.emit("error", f"The session could not be autosaved "
                                           f"({reason}); it goes on in memory and is saved "
                                           "as soon as it can be.")
            self._autosave_failing = True
        elif self._autosave_failing:
            self._autosave_failing = False
            log.info("autosave works again")
            self.message.emit("info", "Autosave works again: the session and all its "
                                      "artworks are saved.")
        self._write_next()

    def _finish_saving(self) -> None:
        """Stop the writer and write here what it may not have: nothing is lost at quit."""
        self._writer_stopped = True
        if self._writer.is_running:
            self._writer.stop()
        self._write_here()

    def _write_here(self) -> None:
        newest = {}  # by state file: a pending state replaces the one in flight
        if self._saving is not None:
            newest[self._saving.folder.state_file] = (self._saving.folder, self._saving.state)
        for path, (folder, session) in self._unwritten.items():
            newest[path] = (folder, session.to_dict())
        self._saving = None
        self._unwritten.clear()
        for folder, state in newest.values():
            try:
                folder.write_state(state)
            except OSError as error:
                log.error("the session state could not be saved: %s", error)

    def unsaved_artworks(self) -> int:
        """How many artworks live only in memory, their file still not written (a full
        disk): tried once more first. They are lost at quit unless the canvas is exported."""
        if self.session is not None and self._unsaved and not self._check_folder():
            self._save_unsaved_artworks()
        return len(self._unsaved)

    def _save_unsaved_artworks(self) -> None:
        """Write the artworks kept in memory when their save failed. Rare (a disk that
        was full), so done here rather than in a worker; still failing: tried again at
        the next autosave (the therapist was told when the save first failed)."""
        for index, image in list(self._unsaved.items()):
            record = self.artwork(index)
            path = self.folder.artwork_path(index, record.metadata.emotion.value)
            try:
                save_artwork_files(path, image, record.metadata)
            except OSError as error:
                log.debug("artwork %d still not saved: %s", index, error)
                continue
            record.file = self.folder.relative(path)
            del self._unsaved[index]
            log.info("artwork %d saved after all: %s", index, record.file)

    # --- export --------------------------------------------------------------------------
    def render(self) -> Image.Image:
        """The canvas at full size, exactly: the painter's latest painting when it is
        current, else painted here from the originals (a relayout still in progress)."""
        return self._rendered()[0]

    def _rendered(self) -> tuple[Image.Image, tuple[int, ...]]:
        """The canvas at full size and the artworks it holds, as the painter counts them:
        those hidden under newer ones included, one whose file cannot be read left off."""
        assert self.session is not None
        if self.canvas_is_current:
            return self._painted.painting, self._painted.indices
        session = self.session
        visible = visible_artworks(session.canvas, session.composition,
                                   [(record.index, record.placement)
                                    for record in session.artworks])
        placed: list[tuple[Placement, Image.Image | None]] = []
        held = []
        for record in session.artworks:
            if record.index not in visible:
                placed.append((record.placement, None))  # hidden: passed over, unread
                held.append(record.index)
                continue
            image = self._original(record)
            if image is not None:  # an unreadable artwork is left out
                placed.append((record.placement, image))
                held.append(record.index)
        return render_canvas(session.canvas, session.composition, placed), tuple(held)

    def _original(self, record: ArtworkRecord) -> Image.Image | None:
        source = self._source(record)
        if not isinstance(source, Path):
            return source
        image = read_artwork_image(source)
        if image is None:
            self._on_unreadable_artwork(str(source))
        return image

    @Slot(str)
    def _on_unpainted_artwork(self, path: str) -> None:
        """An artwork the painter could not read back. A file that is gone (deleted by
        hand) takes its artwork out of the session, as the folder's going does: the
        canvas, the session's figures, session.json and a restore then count the same."""
        record = next((record for record in self.session.artworks
                       if self._source(record) == Path(path)), None)
        if record is None or Path(path).exists():
            self._on_unreadable_artwork(path)
            return
        log.warning("artwork %s is gone: it leaves the session", path)
        self.message.emit("warning", f"The artwork {path} was deleted: it leaves the canvas "
                                     "and the session.")
        self.remove_artwork(record.index)

    def _on_unreadable_artwork(self, path: str) -> None:
        """Tell the therapist once per file: the artwork is left off the canvas."""
        if path in self._told_unreadable:
            return
        self._told_unreadable.add(path)
        self.message.emit("warning", f"The artwork {path} could not be read (damaged, not "
                                     "an image, or too large) and is left off the canvas.")

    def _canvas_text(self, with_emotions: bool = False,
                     on_canvas: tuple[int, ...] | None = None) -> dict[str, str]:
        # The opt-in record lists every artwork, as its artworks/ folder holds each file.
        metadata = self.session.export_metadata(with_emotions=with_emotions,
                                                on_canvas=on_canvas)
        return {SESSION_METADATA_KEY: json.dumps(metadata), "Software": "ANIMO"}

    def export(self, path: Path) -> bool:
        """Write the canvas PNG with its session metadata; report success or the reason."""
        if self.session is None:
            return False
        path = Path(path).expanduser()
        try:
            # Meant to be shared: the umask's mode, not 0600 (the client record stays private).
            painting, on_canvas = self._rendered()
            atomic_write_png(path, painting, self._canvas_text(on_canvas=on_canvas),
                             shared=True)
        except OSError as error:
            log.error("export to %s failed: %s", path, error)
            self.message.emit("error", f"Export failed: {error.strerror or error} ({path}). "
                                       "Nothing was lost; try another folder.")
            return False
        self.session.mark_exported(str(path))
        self.settings.last_export_dir = str(path.parent)
        self.save_state()
        log.info("exported the session canvas to %s", path)
        self.exported.emit(str(path))
        return True

    def export_session_data(self, destination: Path) -> bool:
        """The opt-in export: canvas, every artwork, the timeline (health data)."""
        if self.session is None or self.folder is None:
            return False
        self.save_state()
        try:
            export_session_data(self.session, self.folder,
                                encode_png(self.render(), self._canvas_text(with_emotions=True)),
                                destination)
        except OSError as error:
            log.error("session data export to %s failed: %s", destination, error)
            self.message.emit("error", f"Session data export failed: "
                                       f"{error.strerror or error} ({destination}).")
            return False
        log.info("exported the session data to %s", destination)
        self.exported.emit(str(destination))
        return True


class _SaveRelay(QObject):
    """Carries the session state to the session writer's thread (queued)."""

    save_requested = Signal(object)  # StateSave


class _RequestRelay(QObject):
    """Carries requests to the worker's thread through a queued connection."""

    requested = Signal(object)
    fall_back_requested = Signal()
    backend_chosen = Signal(object)  # BackendFactory
    lora_trained = Signal(object)  # LoraTrained


def _one_hot(emotion: Emotion) -> dict[Emotion, float]:
    return {candidate: float(candidate is emotion) for candidate in ALL_EMOTIONS}


class _PaintJobRelay(QObject):
    """Carries layout and artwork jobs to the canvas painter's thread (queued)."""

    compose_requested = Signal(object)  # ComposeJob
    add_requested = Signal(object)  # AddJob
