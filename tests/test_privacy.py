"""Privacy, checked on a whole session as a user runs it: `animo --demo`, the camera
watching the bundled face video, an unattended export at the end.

- No network: the session makes no connection, neither from Python (audit hook) nor
  from native code (strace, where the machine has it).
- No face on disk: every file written anywhere the process could write (home, XDG
  folders, temp, config, data, working folder) is an artwork, its metadata, the session
  state, the settings or the log, and none holds camera pixels (see `camera_pixels_in`).
- The exported canvas carries no face data and, without the opt-in, no emotion.
"""

import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from animo_desktop.emotions import Emotion
from animo_desktop.storage import read_png_text
from animo_desktop.vision.opencv import cv2
from animo_desktop.vision.sources import DEMO_VIDEO, open_source
from tests.conftest import strace_works

SESSION_SECONDS = 12

# Runs `animo` with an audit hook that records every socket operation and every file
# opened for writing, and prints them as one JSON line at the end.
_RUN_ANIMO = """
import json, os, sys

WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND
report = {"socket": [], "written": []}

def audit(event, args):
    if event.startswith("socket."):
        report["socket"].append(f"{event} {args!r}"[:300])
    elif event == "open" and isinstance(args[0], (str, bytes, os.PathLike)):
        path, mode, flags = args
        if (isinstance(mode, str) and set(mode) & set("wax+")) or (
                isinstance(flags, int) and flags >= 0 and flags & WRITE_FLAGS):
            report["written"].append(os.fsdecode(path))

sys.addaudithook(audit)
from animo_desktop.cli import main
code = main(sys.argv[1:])
print("ANIMO-REPORT " + json.dumps(report))
sys.exit(code)
"""

# What a session may leave, relative to the folder that holds every writable place.
EXPECTED_FILES = (
    r"animo-config/settings\.json",
    r"animo-data/logs/animo\.log",
    r"animo-data/sessions/session-[\w-]+/session\.json",
    r"animo-data/sessions/session-[\w-]+/artworks/\d{4}-[a-z]+\.(png|json)",
    r"exports/canvas\.png",
)


@pytest.fixture(scope="module")
def camera_session(tmp_path_factory):
    """One real session with the camera; everything it wrote and did."""
    root = tmp_path_factory.mktemp("user")
    probe = tmp_path_factory.mktemp("probe")  # the test's own files, not scanned
    places = {name: root / name for name in (
        "home", "xdg-config", "xdg-cache", "xdg-data", "xdg-state", "runtime", "tmp",
        "work", "animo-config", "animo-data", "exports")}
    for folder in places.values():
        folder.mkdir(mode=0o700)
    environment = {
        **os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONDONTWRITEBYTECODE": "1",
        "HOME": str(places["home"]), "XDG_CONFIG_HOME": str(places["xdg-config"]),
        "XDG_CACHE_HOME": str(places["xdg-cache"]), "XDG_DATA_HOME": str(places["xdg-data"]),
        "XDG_STATE_HOME": str(places["xdg-state"]),
        "XDG_RUNTIME_DIR": str(places["runtime"]), "TMPDIR": str(places["tmp"]),
        "ANIMO_CONFIG_DIR": str(places["animo-config"]),
        "ANIMO_DATA_DIR": str(places["animo-data"])}
    command = [sys.executable, "-c", _RUN_ANIMO, "--demo", "--exit-after",
               str(SESSION_SECONDS), "--export", str(places["exports"] / "canvas.png")]
    trace = probe / "strace.txt" if strace_works() else None
    if trace is not None:
        command = ["strace", "-f", "-qq", "-e", "trace=connect,sendto,sendmsg", "-o",
                   str(trace), *command]
    result = subprocess.run(command, cwd=places["work"], env=environment, text=True,
                            capture_output=True, timeout=SESSION_SECONDS + 90)
    assert result.returncode == 0, result.stderr[-3000:]
    report_line = next(line for line in result.stdout.splitlines()
                       if line.startswith("ANIMO-REPORT "))
    return {"root": root, "places": places, "trace": trace,
            "report": json.loads(report_line.removeprefix("ANIMO-REPORT ")),
            "files": sorted(path for path in root.rglob("*") if path.is_file())}


# --- no network ---------------------------------------------------------------------------

def test_the_session_uses_no_socket_from_python(camera_session):
    assert camera_session["report"]["socket"] == []


def test_the_session_connects_nowhere_from_native_code(camera_session):
    """mediapipe's native library posts usage reports unless it is stopped (see
    animo_desktop/vision/opencv.py); only strace sees that."""
    if camera_session["trace"] is None:
        pytest.skip("strace is not available (or may not trace) on this machine")
    calls = camera_session["trace"].read_text().splitlines()
    network = [call for call in calls
               if re.search(r"\b(connect|sendto|sendmsg)\(", call) and "AF_INET" in call]
    assert network == []


def test_mediapipes_usage_reports_are_cut_off_where_strace_cannot_check():
    """libcurl in libmediapipe takes its proxy from the environment: the vision package
    gives it one it cannot use, and no host may bypass it."""
    check = ("import os\n"
             "from animo_desktop.vision import opencv\n"
             "assert os.environ['https_proxy'] == os.environ['HTTPS_PROXY'] == "
             "os.environ['all_proxy'] == 'animo-offline://'\n"
             "assert 'NO_PROXY' not in os.environ and 'no_proxy' not in os.environ\n")
    environment = {**os.environ, "https_proxy": "", "NO_PROXY": "play.googleapis.com",
                   "no_proxy": "*"}
    result = subprocess.run([sys.executable, "-c", check], env=environment,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr


@pytest.mark.filterwarnings("ignore:A test tried to use socket")
def test_the_socket_guard_of_the_test_suite_is_on():
    """pytest-socket (pyproject.toml): any test that opens a socket fails."""
    import socket
    from pytest_socket import SocketBlockedError

    with pytest.raises(SocketBlockedError):
        socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    with pytest.raises(SocketBlockedError):
        socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    with pytest.raises(SocketBlockedError):
        socket.create_connection(("192.0.2.1", 80), timeout=1)  # TEST-NET-1: never routed


def test_only_the_comfyui_server_tests_may_open_sockets_and_only_to_loopback():
    """The real ComfyUI server's tests (tests/comfyui_server) allow 127.0.0.1; no other
    test lifts the guard."""
    tests = Path(__file__).parent
    servers = tests / "comfyui_server"
    lifting = re.compile(r"enable_socket|socket_enabled|allow_hosts|--allow-hosts")
    elsewhere = [path for path in tests.rglob("*.py") if path != Path(__file__)
                 and servers not in path.parents and lifting.search(path.read_text())]
    assert elsewhere == []
    allowed = {match for path in servers.rglob("*.py")
               for match in re.findall(r"allow_hosts\((\[[^]]*\])\)", path.read_text())}
    assert allowed == {"[LOOPBACK]"}
    assert not re.search(r"enable_socket|socket_enabled",
                         "".join(path.read_text() for path in servers.rglob("*.py")))


# --- no face on disk ----------------------------------------------------------------------

def test_the_camera_drove_the_session(camera_session):
    """Else the checks below would prove nothing: the demo face was watched, its emotion
    chose artworks."""
    data = camera_session["places"]["animo-data"]
    assert f"following {DEMO_VIDEO}" in (data / "logs" / "animo.log").read_text()
    (state,) = data.glob("sessions/session-*/session.json")
    session = json.loads(state.read_text())
    assert len(session["artworks"]) >= 2
    assert {segment["emotion"] for segment in session["timeline"]} - {None, "neutral"}


def test_only_artworks_and_their_records_are_written(camera_session):
    root = camera_session["root"]
    unexpected = [path.relative_to(root).as_posix() for path in camera_session["files"]
                  if not any(re.fullmatch(pattern, path.relative_to(root).as_posix())
                             for pattern in EXPECTED_FILES)]
    assert unexpected == []
    outside = [path for path in camera_session["report"]["written"]
               if not Path(path).resolve().is_relative_to(root.resolve())
               and not path.startswith("/dev/")]
    assert outside == []


def test_no_written_file_holds_camera_pixels(camera_session, camera_reference):
    assert [path.name for path in camera_session["files"]
            if camera_pixels_in(path.read_bytes(), camera_reference)] == []


class CameraReference:
    """What the camera saw in a session on the demo video, to recognise it in a file."""

    # Correlation of 32 x 32 grey thumbnails above which an image shows a camera frame or
    # face. Measured: ANIMO's artworks and canvases <= 0.4, another person's photo 0.3; a
    # frame as JPEG 1.0, a 48 x 48 face crop 0.99, a crop 10 % tighter 0.85.
    SIMILAR = 0.8

    def __init__(self):
        with open_source(DEMO_VIDEO, realtime=False, loop=False) as source:
            frames = [frame.image for frame in source]  # exactly the frames ANIMO reads
        from animo_desktop.vision.landmarks import FaceLandmarker
        crops, self.needles = [], []
        with FaceLandmarker("image", max_faces=1) as landmarker:
            for frame in frames[::6]:
                (face,) = landmarker.detect(np.ascontiguousarray(frame[:, :, ::-1]))
                box = face.box
                for inset in (-0.2, 0.0, 0.1, 0.25):  # looser to tighter face crops
                    dx, dy = box.width * inset, box.height * inset
                    crops.append(frame[max(0, int(box.top + dy)):max(0, int(box.bottom - dy)),
                                       max(0, int(box.left + dx)):max(0, int(box.right - dx))])
                # Raw pixel runs from the face (detailed, never one flat colour), in every
                # layout a program could dump them: BGR, RGB, grey.
                row, left = int(box.centre[1]), int(box.left)
                run = frame[row, left:left + 64]
                grey = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)[row, left:left + 64]
                self.needles += [run.tobytes(), run[:, ::-1].tobytes(), grey.tobytes()]
        self.thumbnails = np.stack([_thumbnail(image) for image in frames + crops])

    def looks_like_camera(self, image: np.ndarray) -> bool:
        return float((self.thumbnails @ _thumbnail(image)).max()) > self.SIMILAR


def _thumbnail(image: np.ndarray) -> np.ndarray:
    grey = image if image.ndim == 2 else cv2.cvtColor(image[:, :, :3], cv2.COLOR_BGR2GRAY)
    small = cv2.resize(grey.astype(np.float32), (32, 32), interpolation=cv2.INTER_AREA)
    small = small.ravel() - small.mean()
    norm = np.linalg.norm(small)
    return small / norm if norm else small


def camera_pixels_in(data: bytes, reference: CameraReference) -> bool:
    """True when a file holds camera pixels: raw (a run of a frame's bytes) or as an
    image (of any format Pillow reads) that looks like a frame or the face in it."""
    if any(needle in data for needle in reference.needles):
        return True
    try:
        with Image.open(io.BytesIO(data)) as image:
            pixels = np.asarray(image.convert("RGB"))[:, :, ::-1]
    except Exception:  # not an image: its raw bytes were checked above
        return False
    return reference.looks_like_camera(pixels)


@pytest.fixture(scope="module")
def camera_reference():
    return CameraReference()


def test_the_detector_finds_camera_pixels_in_every_form(camera_reference):
    """The check above can fail: a frame, the face, or their raw bytes are all found."""
    with open_source(DEMO_VIDEO, realtime=False, loop=False) as source:
        frame = next(iter(source)).image
    rgb = Image.fromarray(frame[:, :, ::-1])

    def encoded(image, kind, **options):
        buffer = io.BytesIO()
        image.save(buffer, format=kind, **options)
        return buffer.getvalue()

    from animo_desktop.vision.landmarks import FaceLandmarker
    with FaceLandmarker("image", max_faces=1) as landmarker:
        (detected,) = landmarker.detect(np.ascontiguousarray(frame[:, :, ::-1]))
    box = detected.box
    crop = rgb.crop((int(box.left), int(box.top), int(box.right), int(box.bottom)))
    found = {
        "frame.png": encoded(rgb, "PNG"),
        "frame.jpg": encoded(rgb, "JPEG", quality=60),
        "small frame.webp": encoded(rgb.resize((160, 90)), "WEBP"),
        "face 48x48 grey.png": encoded(crop.convert("L").resize((48, 48)), "PNG"),
        "frame.raw": frame.tobytes(),
        "frame in a bigger file": b"header" + frame.tobytes() + b"trailer",
    }
    for name, data in found.items():
        assert camera_pixels_in(data, camera_reference), name


def test_the_detector_passes_artworks_and_other_faces(camera_reference):
    from animo_desktop.painter import paint
    from tests.vision.conftest import SINGLE_FACE_PHOTO

    for emotion in Emotion:
        artwork = np.asarray(paint(emotion, 7, 256))[:, :, ::-1]
        assert not camera_reference.looks_like_camera(artwork), emotion
    assert not camera_pixels_in(SINGLE_FACE_PHOTO.read_bytes(), camera_reference)


# --- what an export carries --------------------------------------------------------------

FACE_DATA_KEYS = {"landmarks", "blendshapes", "probabilities", "box", "face", "faces",
                  "frame", "image", "pixels", "embedding", "confidence"}


def _keys(value):
    if isinstance(value, dict):
        yield from value
        for item in value.values():
            yield from _keys(item)
    elif isinstance(value, list):
        for item in value:
            yield from _keys(item)


def test_the_exported_canvas_carries_no_face_data_and_no_emotion(camera_session):
    canvas = camera_session["places"]["exports"] / "canvas.png"
    text = read_png_text(canvas)
    assert set(text) == {"animo:session", "Software"}
    metadata = json.loads(text["animo:session"])
    assert metadata["artwork_count"] >= 2
    assert not set(_keys(metadata)) & FACE_DATA_KEYS
    words = set(re.findall(r"[a-z]+", json.dumps(metadata).lower()))
    assert not words & {emotion.value for emotion in Emotion}
    with Image.open(canvas) as image:
        assert "exif" not in image.info and "icc_profile" not in image.info


def test_the_artwork_files_of_the_session_carry_no_face_data(camera_session):
    data = camera_session["places"]["animo-data"]
    artworks = sorted(data.glob("sessions/session-*/artworks/*.png"))
    assert artworks
    for png in artworks:
        for chunk in read_png_text(png).values():
            assert not set(_keys(json.loads(chunk))) & FACE_DATA_KEYS
        assert not set(_keys(json.loads(png.with_suffix(".json").read_text()))) \
            & FACE_DATA_KEYS
