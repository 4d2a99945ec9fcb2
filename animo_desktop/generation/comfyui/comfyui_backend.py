"""The ComfyUI backend: each artwork is a job on a (shared) ComfyUI server.

One job in flight per room: the generation worker's latest-wins queue keeps the rest.
Each job is queued under this room's client id with a prompt id of its own, followed on
the websocket (progress, previews, the final image from SaveImageWebsocket), stopped
with POST /interrupt when the request went stale, and deleted from the server's history
when it ends, so that the server keeps neither image nor prompt.

Faults never end the session: a server that does not answer at start, or that is lost
mid-job and not back at once, leaves the artworks to the built-in painter while a
background thread retries with back-off and switches back when it answers; a job lost
mid-way is made again once on a fresh connection; a graph the server rejects, a job
that fails or takes too long, or an image that does not decode is painted instead, the
server's reason in the status bar.
"""

from __future__ import annotations

import contextlib
import io
import itertools
import logging
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection

from animo_desktop.generation.backend import GenerationInterrupted, ProgressCallback
from animo_desktop.generation.comfyui.job_graph import (OUTPUT_NODE, SAMPLER_NODE, JobGraph,
                                                        artwork_size, build_job_graph)
from animo_desktop.generation.comfyui.job_tracker import (JobFailed, JobInterrupted,
                                                          JobSucceeded, JobTracker,
                                                          PreviewImage, SamplingStep)
from animo_desktop.generation.comfyui.queue_answer import GraphRejected, QueueAnswerError
from animo_desktop.generation.comfyui.server_address import ServerAddress
from animo_desktop.generation.comfyui.server_client import (ComfyUIClient, ServerUnreachable,
                                                            UploadRefused)
from animo_desktop.generation.comfyui.server_inventory import (InventoryError, ServerInventory,
                                                               emotion_lora_presence)
from animo_desktop.generation.comfyui.server_token import BearerToken
from animo_desktop.generation.comfyui.websocket_messages import (MessageRejected,
                                                                 parse_binary_frame,
                                                                 parse_text_frame)
from animo_desktop.generation.diffusion_settings import DiffusionSettings
from animo_desktop.generation.lora_manifest import LoraManifest, load_manifest
from animo_desktop.generation.painter_backend import painted_instead
from animo_desktop.generation.prompts import NEGATIVE_PROMPT
from animo_desktop.messages import (Artwork, ArtworkMetadata, BackendInfo, GenerationProgress,
                                    GenerationRequest)
from animo_desktop.painter import paint
from animo_desktop.session import now_iso

log = logging.getLogger(__name__)

BACKEND_NAME = "comfyui"
# Seconds between attempts to reach a server that does not answer; the last repeats.
RETRY_DELAYS_S = (1.0, 2.0, 5.0, 10.0, 30.0, 60.0)
# Frames that fail their checks, in one job, before the connection counts as broken.
MAX_REJECTED_FRAMES = 16
# While the server says nothing (the job queued behind other rooms'), whether the request
# is still wanted is asked this often.
QUEUE_POLL_S = 1.0
INTERRUPT_WAIT_S = 2.0  # an interrupted job stops at its next sampling step
CLOSE_WAIT_S = 2.0  # for the history's last deletion: a hung server must not hold the exit


@dataclass(frozen=True)
class ServerTimeouts:
    request_s: float = 10.0  # one HTTP call, or opening the websocket
    silence_s: float = 60.0  # no message during a job for this long: the server is stuck
    job_s: float = 300.0  # one artwork, queueing included: a server this slow is painted over


class ServerUnusable(Exception):
    """The server answers but cannot run ANIMO's jobs (a node or the checkpoint missing)."""


class _ConnectionLost(Exception):
    pass


class _JobRefused(Exception):
    """The server will not make this artwork; the message says why, for the therapist."""


@dataclass(frozen=True)
class _Connection:
    inventory: ServerInventory
    checkpoint: str
    socket: ClientConnection
    warnings: tuple[str, ...]  # the emotion LoRAs it lacks


class ComfyUIBackend:
    def __init__(self, address: ServerAddress, token: BearerToken | None = None,
                 lora_dir: Path | None = None, settings: DiffusionSettings = DiffusionSettings(),
                 checkpoint: str | None = None, client_id: str | None = None,
                 timeouts: ServerTimeouts = ServerTimeouts(),
                 retry_delays_s: tuple[float, ...] = RETRY_DELAYS_S):
        self.settings = settings
        self.timeouts = timeouts
        self._wanted_checkpoint = checkpoint
        self._retry_delays_s = retry_delays_s
        self._client = ComfyUIClient(address, token, client_id or uuid.uuid4().hex,
                                     timeouts.request_s)
        self.manifest: LoraManifest
        self.manifest, self.warnings = load_manifest(lora_dir)
        self._lock = threading.Lock()  # the connection and notices: the retry thread's too
        self._connection: _Connection | None = None
        self._notices: list[str] = []
        self._retrying: threading.Thread | None = None
        self._closed = threading.Event()
        # Every prompt is deleted from the history when it ends, and again after the next
        # job: an interrupted one lands there a moment after its interruption.
        self._forget_again: list[str] = []
        try:
            self._connection = self._connect()
            self.warnings += self._connection.warnings
        except (ServerUnreachable, ServerUnusable) as error:
            log.warning("ComfyUI server %s not usable: %s", address.http_url, error)
            self.warnings.append(f"The ComfyUI server {address.http_url} cannot make artworks "
                                 f"({error}); the built-in painter makes them until it can.")
            self._retry_in_background()

    @property
    def client_id(self) -> str:
        return self._client.client_id

    @property
    def connected(self) -> bool:
        return self._connection is not None

    @property
    def info(self) -> BackendInfo:
        connection, url = self._connection, self._client.address.http_url
        if connection is None:
            return BackendInfo(BACKEND_NAME, "built-in painter",
                               f"ComfyUI server {url} not answering")
        return BackendInfo(BACKEND_NAME, f"ComfyUI server: {_device_name(connection.inventory)}",
                           f"ComfyUI {connection.inventory.version} at {url}, "
                           f"{connection.checkpoint}")

    def close(self) -> None:
        """Stop retrying and close the websocket (the server drops this client)."""
        self._closed.set()
        with self._lock:
            connection, self._connection = self._connection, None
        if connection is None:
            return
        connection.socket.close()
        if self._forget_again:
            try:
                self._client.forget(self._forget_again, timeout_s=CLOSE_WAIT_S)
            except ServerUnreachable as error:
                log.warning("the last %d prompts stay in the history of the ComfyUI server: "
                            "%s", len(self._forget_again), error)

    def generate(self, request: GenerationRequest, on_progress: ProgressCallback) -> Artwork:
        with self._lock:
            connection, notices, self._notices = self._connection, self._notices, []
        if connection is None:
            return self._painted(request, on_progress, notices, None)
        try:
            return self._made_or_painted(connection, request, on_progress, notices)
        except _ConnectionLost as lost:
            reason = _logged_loss(request, lost)
        # Made again once, on a fresh connection.
        connection = self._reconnect_now()
        if connection is not None:
            try:
                return self._made_or_painted(connection, request, on_progress, notices)
            except _ConnectionLost as lost:
                reason = _logged_loss(request, lost)
                self._drop(connection)
                self._retry_in_background()
        return self._painted(request, on_progress, notices,
                             f"The ComfyUI server was lost mid-artwork ({reason}): the built-in "
                             "painter made this artwork, and ANIMO goes back to the server when "
                             "it answers.")

    def _made_or_painted(self, connection: _Connection, request: GenerationRequest,
                         on_progress: ProgressCallback, notices: list[str]) -> Artwork:
        """The server's artwork, or the painter's when the server refuses the job;
        _ConnectionLost when the connection broke."""
        try:
            return self._make(connection, request, on_progress, notices)
        except _JobRefused as refused:
            return self._painted(request, on_progress, notices,
                                 f"{refused}: the built-in painter made this artwork.")

    def _make(self, connection: _Connection, request: GenerationRequest,
              on_progress: ProgressCallback, notices: list[str]) -> Artwork:
        started = time.perf_counter()
        prompt_id = uuid.uuid4().hex
        try:
            try:
                graph = build_job_graph(request, connection.checkpoint, self.manifest,
                                        self.settings, connection.inventory,
                                        self._upload_guide(request))
                answer = self._client.queue(graph.nodes, prompt_id)
            except ServerUnreachable as error:
                raise _ConnectionLost(str(error)) from None
            except (QueueAnswerError, UploadRefused) as error:
                raise _JobRefused(f"The ComfyUI server did not take the job ({error})") from None
            if isinstance(answer, GraphRejected):
                # In the server's words: "the server rejected the job: KSampler (...)".
                raise _JobRefused(f"ComfyUI: {answer.reason}")
            image = self._follow(connection.socket, prompt_id, request, on_progress)
        finally:
            self._forget(prompt_id)
        elapsed_ms = (time.perf_counter() - started) * 1000
        return Artwork(request.job_id, image,
                       self._metadata(connection, request, graph, image.size, elapsed_ms,
                                      notices))

    def _upload_guide(self, request: GenerationRequest) -> str | None:
        """With palette guidance, the painter's artwork for this request on the server
        (the server's name for it); None without."""
        if not self.settings.palette_strength:
            return None
        png = io.BytesIO()
        paint(request.emotion, request.seed, artwork_size(self.settings)).save(png, format="PNG")
        # One file per room, overwritten by each job: the temp folder never fills up.
        return self._client.upload_temp_image(f"animo-guide-{self.client_id}.png",
                                              png.getvalue())

    def _follow(self, socket: ClientConnection, prompt_id: str, request: GenerationRequest,
                on_progress: ProgressCallback):
        """The artwork's image, from the job's messages on the websocket."""
        tracker = JobTracker(prompt_id, SAMPLER_NODE, OUTPUT_NODE)
        try:
            return self._await_image(socket, tracker, request, on_progress)
        finally:
            if not tracker.done:  # stale, too slow, or its messages lost: stop it there
                self._interrupt(prompt_id)
                self._await_end(socket, tracker)

    @staticmethod
    def _await_end(socket: ClientConnection, tracker: JobTracker) -> None:
        """Until the server says the interrupted job ended (it stops at its next step),
        briefly: its history entry, deleted next, is written then."""
        deadline = time.monotonic() + INTERRUPT_WAIT_S
        with contextlib.suppress(TimeoutError, ConnectionClosed):
            while not tracker.done and time.monotonic() < deadline:
                frame = socket.recv(timeout=max(0.0, deadline - time.monotonic()))
                with contextlib.suppress(MessageRejected):
                    if isinstance(frame, str):
                        tracker.on_message(parse_text_frame(frame))

    def _await_image(self, socket: ClientConnection, tracker: JobTracker,
                     request: GenerationRequest, on_progress: ProgressCallback):
        deadline = time.monotonic() + self.timeouts.job_s
        last_message = time.monotonic()
        step, total_steps, rejected = 0, 1, 0
        while True:
            now = time.monotonic()
            if now >= deadline:
                raise _JobRefused(f"The ComfyUI server did not finish the artwork within "
                                  f"{self.timeouts.job_s:g} s")
            if now - last_message >= self.timeouts.silence_s:
                raise _JobRefused(f"The ComfyUI server sent nothing for "
                                  f"{self.timeouts.silence_s:g} s")
            try:
                frame = socket.recv(timeout=min(deadline - now, QUEUE_POLL_S))
            except TimeoutError:
                # Queued behind other rooms' jobs: a request gone stale meanwhile leaves
                # the server's queue rather than wait its turn.
                if not on_progress(GenerationProgress(request.job_id, step, total_steps)):
                    raise GenerationInterrupted(f"job {request.job_id} stopped while waiting "
                                                "on the server") from None
                continue
            except ConnectionClosed as error:
                raise _ConnectionLost(f"the websocket closed: {error}") from None
            last_message = time.monotonic()
            try:
                event = (tracker.on_message(parse_text_frame(frame)) if isinstance(frame, str)
                         else tracker.on_image(parse_binary_frame(frame)))
            except MessageRejected as error:
                log.warning("job %d: message from the ComfyUI server rejected: %s",
                            request.job_id, error)
                rejected += 1
                if rejected > MAX_REJECTED_FRAMES:
                    raise _ConnectionLost("too many malformed messages") from None
                continue
            if isinstance(event, (SamplingStep, PreviewImage)):
                preview = None
                if isinstance(event, SamplingStep):
                    step, total_steps = event.step, event.total_steps
                else:
                    with contextlib.suppress(MessageRejected):  # a preview may be missed
                        preview = event.frame.decode()
                if not on_progress(GenerationProgress(request.job_id, step, total_steps,
                                                      preview)):
                    raise GenerationInterrupted(f"job {request.job_id} stopped at step {step}")
            elif isinstance(event, JobSucceeded):
                try:
                    return event.frame.decode()
                except MessageRejected as error:
                    raise _JobRefused(f"The ComfyUI server's image was refused ({error})") \
                        from None
            elif isinstance(event, JobFailed):
                raise _JobRefused(f"The ComfyUI server could not make the artwork: "
                                  f"{event.reason}")
            elif isinstance(event, JobInterrupted):
                raise _JobRefused("The ComfyUI server interrupted the artwork")

    def _metadata(self, connection: _Connection, request: GenerationRequest, graph: JobGraph,
                  size: tuple[int, int], elapsed_ms: float, notices: list[str]
                  ) -> ArtworkMetadata:
        inventory = connection.inventory
        extra: dict[str, Any] = {
            "negative_prompt": NEGATIVE_PROMPT,
            "steps": graph.sampling.steps,
            "scheduler": graph.sampling.scheduler,
            "guidance_scale": graph.sampling.guidance_scale,
            "size": list(size),
            "lora_weight": round(graph.lora_weight, 3),
            "palette_strength": graph.palette_strength,
            "device": _device_name(inventory),
            # Same seed, settings and server (its checkpoint, LoRA and version): same image.
            "server": self._client.address.http_url,
            "server_version": inventory.version,
            "timings_ms": {"total": round(elapsed_ms, 1)},
        }
        if graph.few_step_lora:
            extra["few_step_lora"] = graph.few_step_lora
        if notices:
            extra["notices"] = notices
        return ArtworkMetadata(created_at=now_iso(), emotion=request.emotion,
                               backend=BACKEND_NAME, seed=request.seed, prompt=graph.prompt,
                               generation_ms=elapsed_ms, model=graph.checkpoint,
                               lora=graph.lora, extra=extra)

    @staticmethod
    def _painted(request: GenerationRequest, on_progress: ProgressCallback,
                 notices: list[str], notice: str | None) -> Artwork:
        # notices: said with the next artwork (e.g. "the server answers again").
        return painted_instead(request, on_progress, notices + ([notice] if notice else []))

    def _connect(self) -> _Connection:
        try:
            inventory = self._client.read_inventory()
        except InventoryError as error:
            raise ServerUnusable(str(error)) from None
        problem = inventory.unusable_because(self._wanted_checkpoint)
        if problem:
            raise ServerUnusable(problem)
        checkpoint = inventory.checkpoint_to_use(self._wanted_checkpoint)
        presence = emotion_lora_presence(self.manifest, inventory)
        warnings = tuple(
            f"The ComfyUI server has no LoRA {file} for {emotion.value}: its artworks follow "
            "the prompt only." for emotion, file in presence.missing.items())
        socket = self._client.open_socket()
        log.info("ComfyUI %s at %s: %s, checkpoint %s, %d emotion LoRAs", inventory.version,
                 self._client.address.http_url, _device_name(inventory), checkpoint,
                 len(presence.present))
        return _Connection(inventory, checkpoint, socket, warnings)

    def _reconnect_now(self) -> _Connection | None:
        """A fresh connection at once; None (and retries in the background) when the
        server does not answer."""
        self._drop(self._connection)
        try:
            connection = self._connect()
        except (ServerUnreachable, ServerUnusable) as error:
            log.warning("ComfyUI server not back: %s", error)
            self._retry_in_background()
            return None
        with self._lock:
            self._connection = connection
        return connection

    def _drop(self, connection: _Connection | None) -> None:
        if connection is None:
            return
        with self._lock:
            if self._connection is connection:
                self._connection = None
        connection.socket.close()

    def _retry_in_background(self) -> None:
        if self._retrying is not None and self._retrying.is_alive():
            return
        self._retrying = threading.Thread(target=self._retry, name="comfyui-reconnect",
                                          daemon=True)
        self._retrying.start()

    def _retry(self) -> None:
        for attempt in itertools.count():
            delay = self._retry_delays_s[min(attempt, len(self._retry_delays_s) - 1)]
            if self._closed.wait(delay):
                return
            try:
                connection = self._connect()
            except (ServerUnreachable, ServerUnusable) as error:
                log.info("ComfyUI server still not usable (%s); next try in %g s", error,
                         self._retry_delays_s[min(attempt + 1, len(self._retry_delays_s) - 1)])
                continue
            with self._lock:
                self._connection = connection
                self._notices += [f"The ComfyUI server {self._client.address.http_url} answers "
                                  "again: it makes the artworks.", *connection.warnings]
            return

    def _interrupt(self, prompt_id: str) -> None:
        with contextlib.suppress(ServerUnreachable):
            self._client.interrupt(prompt_id)

    def _forget(self, prompt_id: str) -> None:
        with contextlib.suppress(ServerUnreachable):
            self._client.forget(self._forget_again + [prompt_id])
        self._forget_again = [prompt_id]


def _device_name(inventory: ServerInventory) -> str:
    return inventory.devices[0].name if inventory.devices else "no device"


def _logged_loss(request: GenerationRequest, lost: _ConnectionLost) -> str:
    log.warning("job %d: connection to the ComfyUI server lost (%s)", request.job_id, lost)
    return str(lost)
