"""The one place ANIMO imports OpenCV and MediaPipe.

The GUI builds of OpenCV (opencv-contrib-python, which mediapipe depends on) bundle their
own Qt 5 and, on import, point QT_QPA_PLATFORM_PLUGIN_PATH and QT_QPA_FONTDIR (and
LD_LIBRARY_PATH) at it. PySide6 reads those variables when it starts, so a QApplication
created after `import cv2` would look for its platform plugins in OpenCV's folder. Both
imports therefore go through `environment_restored()`, which puts the environment back
exactly as it was. mediapipe imports cv2 itself: importing it here too keeps that in check.

`import mediapipe` also imports matplotlib.pyplot, for drawing helpers ANIMO never calls;
that costs half a second and, on a first run, writes matplotlib's font cache and config
folder into the user's home. While mediapipe is imported, matplotlib is therefore a
placeholder module (unless it was already imported); afterwards it is removed again, so
that anyone else importing matplotlib gets the real one.

MediaPipe's native code also prints log lines straight to stderr while a landmarker is
created: `native_stderr_silenced()` keeps them out of the user's terminal.
"""

from __future__ import annotations

import os
import sys
import types
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def environment_restored() -> Iterator[None]:
    """Undo every environment change made inside the block (added, changed, removed)."""
    saved = dict(os.environ)
    try:
        yield
    finally:
        for name in set(os.environ) - set(saved):
            del os.environ[name]
        for name, value in saved.items():
            if os.environ.get(name) != value:
                os.environ[name] = value


@contextmanager
def _matplotlib_placeholder() -> Iterator[None]:
    names = ("matplotlib", "matplotlib.pyplot")
    if any(name in sys.modules for name in names):
        yield
        return
    for name in names:
        sys.modules[name] = types.ModuleType(name, "placeholder: mediapipe's drawing helpers")
    try:
        yield
    finally:
        for name in names:
            sys.modules.pop(name, None)


with environment_restored(), _matplotlib_placeholder():
    import cv2  # noqa: E402  (imported inside the guard on purpose)

    # mediapipe's Tasks API; its own `import cv2` is a no-op now, but keep it guarded.
    from mediapipe import Image as MediaPipeImage, ImageFormat as MediaPipeImageFormat
    from mediapipe.tasks.python import BaseOptions as MediaPipeBaseOptions
    from mediapipe.tasks.python import vision as mediapipe_vision

# libmediapipe posts usage reports to Google (play.googleapis.com/log): creating a task
# starts a thread of its own (HttpAsyncClient) that hands each report to the libcurl built
# into the library (curl_easy_perform). mediapipe 1.2 has no setting, option field or
# environment variable that stops it: CreateTasksLogger always builds that client, and the
# C API's MpBaseOptions has no such field (google-ai-edge/mediapipe issue 6291). So the
# logger does run, and libcurl is called; what ANIMO stops is the request. libcurl reads
# the proxy from the environment at every request, and a proxy of an unknown scheme makes
# it fail before any name is resolved or any connection made. What native code still does
# with sockets, as strace shows (tests/vision/test_mediapipe_sockets.py): loading the
# library opens one UDP socket (AF_INET, SOCK_DGRAM) to ask whether IPv4 is preferred, and
# each curl request one more (AF_INET6, SOCK_DGRAM) to probe for IPv6; both are closed
# unused: nothing is bound, connected or sent. ANIMO itself never uses the network
# (tests/test_privacy.py checks a whole session for connections).
_UNUSABLE_PROXY = "animo-offline://"
for _variable in ("https_proxy", "HTTPS_PROXY", "http_proxy", "all_proxy", "ALL_PROXY"):
    os.environ[_variable] = _UNUSABLE_PROXY
for _variable in ("no_proxy", "NO_PROXY"):  # a host listed there would bypass the proxy
    os.environ.pop(_variable, None)


@contextmanager
def native_stderr_silenced() -> Iterator[None]:
    """Send what native code writes to stderr to /dev/null inside the block.

    Creating a Face Landmarker makes libmediapipe print its C++ log lines ("W0000 ...
    Sets FaceBlendshapesGraph acceleration", "Feedback manager requires a model ...") and
    TensorFlow Lite's "INFO: Created TensorFlow Lite XNNPACK delegate" straight to file
    descriptor 2. GLOG_minloglevel and TF_CPP_MIN_LOG_LEVEL do not reach them (absl's
    logging and TFLite's own logger in mediapipe 1.x), and the library offers no setting,
    so the descriptor itself is redirected, only for the block (a few tens of ms; what
    another thread writes meanwhile is lost too, ANIMO's log file keeps its own lines),
    and then restored. A failure still reaches the caller as the exception MediaPipe
    raises.
    """
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with open(os.devnull, "wb") as devnull:
            os.dup2(devnull.fileno(), 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


__all__ = ["cv2", "environment_restored", "MediaPipeImage", "MediaPipeImageFormat",
           "MediaPipeBaseOptions", "mediapipe_vision", "native_stderr_silenced"]
