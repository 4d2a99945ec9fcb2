"""ComfyUI's websocket messages as typed, immutable values, and the checks that reject
what a server (or whatever answers in its place) should not send.

Text frames are JSON `{"type": ..., "data": {...}}` (server.py send_json); binary frames
are a 4-byte big-endian event type, then for an image a 4-byte format (1 JPEG, 2 PNG)
and the encoded image (server.py send_image). Previews and SaveImageWebsocket's final
image both come as event 1: the client tells them apart by the node that is executing.
ANIMO announces no feature flags, so the server never sends the metadata variant
(event 4).
"""

from __future__ import annotations

import io
import json
import struct
from dataclasses import dataclass
from typing import Any

from PIL import Image

MAX_TEXT_FRAME_CHARS = 1 << 20  # an execution_error with its traceback is a few kB
MAX_IMAGE_FRAME_BYTES = 32 << 20  # a 2048 x 2048 PNG at low compression is about 12 MB
MAX_IMAGE_PIXELS = 2048 * 2048  # checked from the header, before decoding: no image bomb
PREVIEW_IMAGE_EVENT = 1
IMAGE_FORMATS = {1: "JPEG", 2: "PNG"}
_SIGNATURES = {"JPEG": b"\xff\xd8\xff", "PNG": b"\x89PNG\r\n\x1a\n"}
# Sent to every client or about the server's own bookkeeping: nothing ANIMO acts on.
IGNORED_TYPES = frozenset({"execution_start", "execution_cached", "executed", "progress_state",
                           "feature_flags"})


class MessageRejected(ValueError):
    """A frame that is malformed, too large or of a kind ANIMO does not expect."""


@dataclass(frozen=True)
class QueueStatus:
    queue_remaining: int
    session_id: str | None  # only in the first status after connecting


@dataclass(frozen=True)
class Progress:
    prompt_id: str | None
    node: str | None
    value: int
    maximum: int


@dataclass(frozen=True)
class Executing:
    prompt_id: str | None  # absent when a reconnected socket is told the current node
    node: str | None  # None: the prompt has finished

    @property
    def finished(self) -> bool:
        return self.node is None


@dataclass(frozen=True)
class ExecutionSuccess:
    prompt_id: str


@dataclass(frozen=True)
class ExecutionError:
    prompt_id: str
    node_id: str
    node_type: str
    exception_type: str
    exception_message: str  # the server's own words, shown to the therapist


@dataclass(frozen=True)
class ExecutionInterrupted:
    prompt_id: str
    node_id: str
    node_type: str


@dataclass(frozen=True)
class ImageFrame:
    image_format: str  # "JPEG" (a preview) or "PNG" (SaveImageWebsocket, or a PNG preview)
    data: bytes

    def decode(self, max_pixels: int = MAX_IMAGE_PIXELS) -> Image.Image:
        """The image, its size checked before its pixels are decoded."""
        try:
            image = Image.open(io.BytesIO(self.data), formats=[self.image_format])
            too_large = image.width * image.height > max_pixels
            if not too_large:
                image.load()
        except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as error:
            raise MessageRejected(f"{self.image_format} image does not decode: {error}") from None
        if too_large:
            raise MessageRejected(f"image of {image.width} x {image.height} pixels exceeds the "
                                  f"cap of {max_pixels} pixels")
        return image.convert("RGB")


ServerMessage = (QueueStatus | Progress | Executing | ExecutionSuccess | ExecutionError
                 | ExecutionInterrupted)


def parse_text_frame(text: str, max_chars: int = MAX_TEXT_FRAME_CHARS) -> ServerMessage | None:
    """The message in one text frame; None for a kind ANIMO knows and ignores."""
    if len(text) > max_chars:
        raise MessageRejected(f"text frame of {len(text)} characters exceeds {max_chars}")
    try:
        frame = json.loads(text)
    except (ValueError, RecursionError) as error:
        raise MessageRejected(f"text frame is not JSON: {error}") from None
    if not isinstance(frame, dict) or not isinstance(frame.get("type"), str) \
            or not isinstance(frame.get("data"), dict):
        raise MessageRejected("text frame is not a {type, data} object")
    kind, data = frame["type"], frame["data"]
    if kind in IGNORED_TYPES:
        return None
    parser = _PARSERS.get(kind)
    if parser is None:
        raise MessageRejected(f"unexpected message type {kind[:64]!r}")
    try:
        return parser(data)
    except (KeyError, TypeError) as error:
        raise MessageRejected(f"{kind} message is malformed: {error}") from None


def parse_binary_frame(data: bytes, max_bytes: int = MAX_IMAGE_FRAME_BYTES) -> ImageFrame:
    """The image in one binary frame, its header and signature checked; not yet decoded."""
    if len(data) > max_bytes:
        raise MessageRejected(f"binary frame of {len(data)} bytes exceeds {max_bytes}")
    if len(data) < 8:
        raise MessageRejected(f"binary frame of {len(data)} bytes is shorter than its header")
    event, format_number = struct.unpack(">II", data[:8])
    if event != PREVIEW_IMAGE_EVENT:
        raise MessageRejected(f"unexpected binary event type {event}")
    image_format = IMAGE_FORMATS.get(format_number)
    if image_format is None:
        raise MessageRejected(f"unexpected image format {format_number}")
    image = data[8:]
    if not image.startswith(_SIGNATURES[image_format]):
        raise MessageRejected(f"binary frame does not hold a {image_format} image")
    return ImageFrame(image_format, bytes(image))


def _text(data: dict[str, Any], key: str, optional: bool = False) -> str | None:
    value = data.get(key) if optional else data[key]
    if value is None and optional:
        return None
    if not isinstance(value, str):
        raise TypeError(f"{key} must be a string")
    return value


def _count(data: dict[str, Any], key: str) -> int:
    value = data[key]
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value < 2**31:
        raise TypeError(f"{key} must be a non-negative number")
    return int(value)


def _queue_status(data: dict[str, Any]) -> QueueStatus:
    status = data["status"]
    if not isinstance(status, dict) or not isinstance(status.get("exec_info"), dict):
        raise TypeError("status.exec_info must be an object")
    return QueueStatus(_count(status["exec_info"], "queue_remaining"),
                       _text(data, "sid", optional=True))


def _progress(data: dict[str, Any]) -> Progress:
    progress = Progress(_text(data, "prompt_id", optional=True), _text(data, "node", optional=True),
                        _count(data, "value"), _count(data, "max"))
    if progress.value > progress.maximum:
        raise TypeError("value must not exceed max")
    return progress


def _executing(data: dict[str, Any]) -> Executing:
    return Executing(_text(data, "prompt_id", optional=True), _text(data, "node", optional=True))


def _execution_success(data: dict[str, Any]) -> ExecutionSuccess:
    return ExecutionSuccess(_text(data, "prompt_id"))


def _execution_error(data: dict[str, Any]) -> ExecutionError:
    return ExecutionError(_text(data, "prompt_id"), _text(data, "node_id"),
                          _text(data, "node_type"), _text(data, "exception_type"),
                          _text(data, "exception_message"))


def _execution_interrupted(data: dict[str, Any]) -> ExecutionInterrupted:
    return ExecutionInterrupted(_text(data, "prompt_id"), _text(data, "node_id"),
                                _text(data, "node_type"))


_PARSERS = {
    "status": _queue_status,
    "progress": _progress,
    "executing": _executing,
    "execution_success": _execution_success,
    "execution_error": _execution_error,
    "execution_interrupted": _execution_interrupted,
}
