"""What libmediapipe's native code does with sockets, exactly as animo_desktop/vision/
opencv.py says: its usage logger runs (mediapipe offers no switch), but with the proxy
ANIMO sets, the only internet sockets are two UDP probes, never bound, connected or used."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import strace_works

ROOT = Path(__file__).resolve().parents[2]

# A Face Landmarker lives long enough for the logger's thread to send its first report.
_CREATE_LANDMARKER = """
import time
from animo_desktop.vision.landmarks import DEFAULT_MODEL_PATH
from animo_desktop.vision.opencv import (MediaPipeBaseOptions, mediapipe_vision,
                                         native_stderr_silenced)
options = mediapipe_vision.FaceLandmarkerOptions(
    base_options=MediaPipeBaseOptions(model_asset_path=str(DEFAULT_MODEL_PATH)),
    output_face_blendshapes=True)
with native_stderr_silenced():
    landmarker = mediapipe_vision.FaceLandmarker.create_from_options(options)
time.sleep(3)
landmarker.close()
"""


@pytest.mark.skipif(not strace_works(), reason="strace is not available (or may not trace)")
def test_native_code_opens_only_unused_udp_probes(tmp_path):
    trace = tmp_path / "strace.txt"
    environment = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        ["strace", "-f", "-qq", "-e", "trace=socket,bind,connect,sendto,sendmsg,sendmmsg",
         "-o", str(trace), sys.executable, "-c", _CREATE_LANDMARKER],
        cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    calls = trace.read_text().splitlines()
    internet = [call for call in calls if re.search(r"AF_INET6?\b", call)]
    sockets = [call for call in internet if re.search(r"\bsocket\(", call)]
    assert sockets and all("SOCK_DGRAM" in call for call in sockets), sockets
    used = [call for call in internet
            if re.search(r"\b(bind|connect|sendto|sendmsg|sendmmsg)\(", call)]
    assert used == []
