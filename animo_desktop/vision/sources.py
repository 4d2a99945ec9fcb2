"""Where frames come from: a camera, a video file played like a camera, or a still image.

`open_source("0")` opens camera 0; a video file plays at its own frame rate and loops;
an image file is repeated as if a camera stared at a photo. Every source yields `Frame`s
(BGR, at most `frame_size`) with millisecond timestamps that only increase. Frames live in
memory only: nothing here ever writes a file.
"""

from __future__ import annotations

import io
import sys
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

import numpy as np
from PIL import Image

from animo_desktop.resources import resource_path
from animo_desktop.vision.cameras import camera_index
from animo_desktop.vision.opencv import cv2

DEFAULT_FRAME_SIZE = (640, 480)
DEMO_VIDEO = resource_path("media", "demo_face.mp4")
# Larger images are refused before decoding: a 12000 x 12000 PNG of a few kilobytes would
# otherwise take 432 MB as BGR. 50 megapixels covers the photos of today's cameras.
MAX_IMAGE_PIXELS = 50_000_000
IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff"})
# A still image is offered at this rate, like a camera filming a photograph.
IMAGE_FPS = 10.0
# How long a camera may take to open or to deliver a frame before it counts as broken.
CAMERA_TIMEOUT_MS = 5000
_FALLBACK_FPS = 25.0  # for video files that do not state their frame rate


class SourceError(Exception):
    """A source that cannot be opened or read; the message is one sentence for a person."""


@dataclass(frozen=True, eq=False)
class Frame:
    image: np.ndarray  # (height, width, 3) uint8, BGR as OpenCV delivers it
    timestamp_ms: int  # increases from frame to frame, also across a video's loops
    index: int  # 0, 1, 2, ... since the source was opened


def _not_a_file(path: Path) -> str | None:
    """Why path is no video or image file, as words that follow it; None when it is a
    regular file. A FIFO or a device (/dev/zero) is refused unread: reading may never end."""
    if path.is_file():
        return None
    if path.is_dir():
        return "is a folder, not a video or image file"
    return "is not a regular file" if path.exists() else "does not exist"


def read_image(path: str | Path) -> np.ndarray:
    """An image file as a BGR uint8 array (EXIF orientation applied)."""
    if problem := _not_a_file(Path(path)):
        raise SourceError(f"{path} {problem}")
    try:
        data = np.fromfile(path, dtype=np.uint8)  # not cv2.imread: non-ASCII paths on Windows
    except OSError as error:
        raise SourceError(f"cannot read {path}: {error.strerror or error}") from None
    _refuse_if_too_large(path, data)
    quiet = cv2.utils.logging.getLogLevel()
    # OpenCV logs each decoder's complaint about a damaged file; the SourceError says it.
    cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_SILENT)
    try:
        image = cv2.imdecode(data, cv2.IMREAD_COLOR) if data.size else None
    except cv2.error:
        image = None
    finally:
        cv2.utils.logging.setLogLevel(quiet)
    if image is None:
        raise SourceError(f"{path} is not an image OpenCV can read")
    return image


def _refuse_if_too_large(path: str | Path, data: np.ndarray) -> None:
    """SourceError for an image over MAX_IMAGE_PIXELS, told by its header (nothing is
    decoded): Pillow's for the formats it reads, ANIMO's own for the Radiance HDR that
    OpenCV decodes and Pillow does not; any other image Pillow cannot read the header of
    is left to OpenCV."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data.tobytes())) as image:
                width, height = image.size
        size = f"{width} x {height} pixels; "
        too_large = width * height > MAX_IMAGE_PIXELS
    except Image.DecompressionBombError:  # over Pillow's own limit, which is higher
        size, too_large = "", True
    except Exception:  # Pillow's plugins raise many types on damaged headers
        dimensions = _radiance_size(data)
        if dimensions is None:
            return
        width, height = dimensions
        size = f"{width} x {height} pixels; "
        too_large = width * height > MAX_IMAGE_PIXELS
    if too_large:
        raise SourceError(f"{path} is too large ({size}ANIMO reads images of at most "
                          f"{MAX_IMAGE_PIXELS // 1_000_000} megapixels)")


def _radiance_size(data: np.ndarray) -> tuple[int, int] | None:
    """(width, height) from a Radiance HDR header ("#?RADIANCE", lines, a blank line, then
    "-Y H +X W" or another orientation), or None if data is no such file."""
    head = data[:65536].tobytes()
    if not head.startswith((b"#?RADIANCE", b"#?RGBE")):
        return None
    _, blank, rest = head.partition(b"\n\n")
    fields = rest.split(b"\n", 1)[0].split()
    if not blank or len(fields) != 4:
        return None
    try:
        sizes = {fields[0][1:2]: int(fields[1]), fields[2][1:2]: int(fields[3])}
    except ValueError:
        return None
    if set(sizes) != {b"X", b"Y"}:
        return None
    return sizes[b"X"], sizes[b"Y"]


def fit_within(image: np.ndarray, frame_size: tuple[int, int]) -> np.ndarray:
    """Shrink (never enlarge) the image to fit in frame_size = (width, height)."""
    height, width = image.shape[:2]
    scale = min(frame_size[0] / width, frame_size[1] / height)
    if scale >= 1.0:
        return image
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    return cv2.resize(image, size, interpolation=cv2.INTER_AREA)


class FrameSource:
    """An iterator of frames, endless but for a video file opened with loop=False; close
    it (or use it as a context manager).

    `realtime` plays files at their frame rate, as a camera would deliver them: a reader
    that is early waits, a reader that fell behind skips the frames it missed. Without it,
    every frame comes as fast as it is read (benchmarks, tests). A file's frame i is at
    i / fps seconds, whatever the pacing.
    """

    description: str
    fps: float
    is_camera: bool = False

    def __init__(self, realtime: bool) -> None:
        self.realtime = realtime
        self._index = 0
        self._started: float | None = None  # when the first frame was read

    def _next_image(self) -> np.ndarray | None:
        """The next image, None at the end of a file that is not looped."""
        raise NotImplementedError

    def _skip(self, count: int) -> None:
        """Pass over `count` images without decoding them (files only)."""

    def _timestamp_ms(self) -> int:
        return round(self._index * 1000 / self.fps)

    def read(self) -> Frame | None:
        """The next frame, None at the end of a file that is not looped; raises
        SourceError when a camera stops delivering."""
        if self._started is None:
            self._started = time.monotonic()
        if self.realtime and not self.is_camera:
            late = time.monotonic() - (self._started + self._index / self.fps)
            if late < 0:
                time.sleep(-late)
            elif missed := int(late * self.fps):
                self._skip(missed)
                self._index += missed
        image = self._next_image()
        if image is None:
            return None
        frame = Frame(image, self._timestamp_ms(), self._index)
        self._index += 1
        return frame

    def __iter__(self) -> Iterator[Frame]:
        while (frame := self.read()) is not None:
            yield frame

    def close(self) -> None:
        """Release the device or file."""

    def __enter__(self) -> "FrameSource":
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.close()


class _CaptureSource(FrameSource):
    """A cv2.VideoCapture: a camera or a video file."""

    def __init__(self, capture: cv2.VideoCapture, description: str, fps: float,
                 frame_size: tuple[int, int], realtime: bool) -> None:
        super().__init__(realtime)
        self._capture = capture
        self.description = description
        self.fps = fps
        self._frame_size = frame_size

    def _grab(self) -> np.ndarray | None:
        ok, image = self._capture.read()
        return fit_within(image, self._frame_size) if ok and image is not None else None

    def close(self) -> None:
        self._capture.release()


class CameraSource(_CaptureSource):
    is_camera = True

    def __init__(self, index: int, frame_size: tuple[int, int], realtime: bool = True) -> None:
        description = f"camera {index}"
        if sys.platform.startswith("linux") and not Path(f"/dev/video{index}").exists():
            raise SourceError(f"there is no {description} (no /dev/video{index})")
        quiet = cv2.utils.logging.getLogLevel()
        # OpenCV logs every backend it tried before failing; the SourceError says it all.
        cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_SILENT)
        try:
            capture = cv2.VideoCapture(index, cv2.CAP_ANY, [
                cv2.CAP_PROP_OPEN_TIMEOUT_MSEC, CAMERA_TIMEOUT_MS,
                cv2.CAP_PROP_READ_TIMEOUT_MSEC, CAMERA_TIMEOUT_MS])
        finally:
            cv2.utils.logging.setLogLevel(quiet)
        if not capture.isOpened():
            raise SourceError(f"{description} cannot be opened (in use or unplugged?)")
        capture.set(cv2.CAP_PROP_FRAME_WIDTH, frame_size[0])
        capture.set(cv2.CAP_PROP_FRAME_HEIGHT, frame_size[1])
        super().__init__(capture, description, capture.get(cv2.CAP_PROP_FPS) or 30.0,
                         frame_size, realtime)

    def _timestamp_ms(self) -> int:
        return round((time.monotonic() - self._started) * 1000)

    def _next_image(self) -> np.ndarray:
        image = self._grab()
        if image is None:
            raise SourceError(f"{self.description} stopped delivering images")
        return image


class VideoFileSource(_CaptureSource):
    def __init__(self, path: Path, frame_size: tuple[int, int], realtime: bool = True,
                 loop: bool = True) -> None:
        capture = cv2.VideoCapture(str(path))
        fps = capture.get(cv2.CAP_PROP_FPS) if capture.isOpened() else 0.0
        super().__init__(capture, str(path), fps if fps and fps > 0 else _FALLBACK_FPS,
                         frame_size, realtime)
        self._loop = loop
        if not capture.isOpened() or self._grab() is None:
            capture.release()
            raise SourceError(f"{path} is not a video OpenCV can read")
        self._rewind()  # that test read consumed the first frame

    def _rewind(self) -> bool:
        return bool(self._capture.set(cv2.CAP_PROP_POS_FRAMES, 0))

    def _next_image(self) -> np.ndarray | None:
        image = self._grab()
        if image is None and self._loop and self._rewind():
            image = self._grab()
        return image

    def _skip(self, count: int) -> None:
        for _ in range(count):
            if not (self._capture.grab()
                    or (self._loop and self._rewind() and self._capture.grab())):
                return


class ImageFileSource(FrameSource):
    def __init__(self, path: Path, frame_size: tuple[int, int], realtime: bool = True) -> None:
        super().__init__(realtime)
        self._image = fit_within(read_image(path), frame_size)
        self.description = str(path)
        self.fps = IMAGE_FPS

    def _next_image(self) -> np.ndarray:
        return self._image


def open_source(source: str | int | Path, *, frame_size: tuple[int, int] = DEFAULT_FRAME_SIZE,
                realtime: bool = True, loop: bool = True) -> FrameSource:
    """Open a camera index ("0", 0), a video file or an image file; SourceError if not."""
    text = str(source).strip()
    if (index := camera_index(text)) is not None:
        return CameraSource(index, frame_size, realtime)
    path = Path(text)
    if problem := _not_a_file(path):
        raise SourceError(f"{path} {problem}"
                          + ("" if path.exists() else " (and is not a camera number)"))
    if path.suffix.lower() in IMAGE_SUFFIXES:
        return ImageFileSource(path, frame_size, realtime)
    return VideoFileSource(path, frame_size, realtime, loop)
