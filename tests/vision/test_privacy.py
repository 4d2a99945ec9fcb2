"""Frames and landmarks never leave memory: the pipeline writes no file."""

import os
import subprocess
import sys

from .conftest import SINGLE_FACE_VIDEO

# Runs the pipeline over a whole video with an audit hook that records every file opened
# for writing and every file-system change Python makes, in a process whose home, temp
# and working folders are empty and must stay empty (this also catches native code).
_PIPELINE = """
import os, sys
from animo_desktop.vision.analyzer import EmotionAnalyzer
from animo_desktop.vision.sources import open_source

WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND
CHANGES = {"os.remove", "os.rename", "os.replace", "os.mkdir", "os.truncate", "os.link",
           "os.symlink", "shutil.copyfile", "shutil.move", "tempfile.mkstemp"}
writes = []

def audit(event, args):
    if event == "open":
        path, mode, flags = args
        if (isinstance(mode, str) and set(mode) & set("wax+")) or (flags & WRITE_FLAGS):
            writes.append(str(path))
    elif event in CHANGES:
        writes.append(f"{event} {args}")

with open_source(sys.argv[1], realtime=False, loop=False) as source:
    with EmotionAnalyzer("video") as analyzer:
        sys.addaudithook(audit)
        faces = sum(analyzer.analyze(frame.image, frame.timestamp_ms).face_present
                    for frame in source)
assert faces > 0, "the video should show a face"
assert not writes, writes
"""


def test_the_pipeline_writes_no_file(tmp_path):
    folders = {name: tmp_path / name for name in ("home", "tmp", "work")}
    for folder in folders.values():
        folder.mkdir()
    environment = {**os.environ, "HOME": str(folders["home"]), "TMPDIR": str(folders["tmp"]),
                   "PYTHONDONTWRITEBYTECODE": "1"}
    result = subprocess.run([sys.executable, "-c", _PIPELINE, str(SINGLE_FACE_VIDEO)],
                            cwd=folders["work"], env=environment, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    for folder in folders.values():
        assert list(folder.rglob("*")) == [], folder
