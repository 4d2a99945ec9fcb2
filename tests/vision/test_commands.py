"""`animo classify` and `animo bench vision` as a user runs them."""

import json
import math
import os
import subprocess
import sys

import numpy as np
from PIL import Image

from animo_desktop.cli import main
from animo_desktop.emotions import ALL_EMOTIONS

from tests.conftest import make_fifo, returns_in_time

from .conftest import HAPPY_PHOTO, SINGLE_FACE_VIDEO, SURPRISE_PHOTO


def json_lines(text):
    return [json.loads(line) for line in text.splitlines()]


def test_classify_prints_one_json_object_per_image_in_order(capsys, tmp_path):
    landscape = tmp_path / "no_face.png"
    gradient = np.linspace(0, 255, 200 * 300).reshape(200, 300).astype(np.uint8)
    Image.fromarray(gradient).save(landscape)
    code = main(["classify", str(SURPRISE_PHOTO), str(landscape), str(HAPPY_PHOTO)])
    assert code == 0
    surprise, no_face, happy = json_lines(capsys.readouterr().out)
    assert surprise["path"] == str(SURPRISE_PHOTO) and surprise["face"] is True
    assert surprise["emotion"] == "surprise" and happy["emotion"] == "joy"
    assert no_face == {"path": str(landscape), "face": False, "emotion": "neutral",
                       "probabilities": {emotion.value: 1.0 if emotion.value == "neutral"
                                         else 0.0 for emotion in ALL_EMOTIONS}}
    for line in (surprise, happy):
        assert set(line) == {"path", "face", "emotion", "probabilities"}
        assert list(line["probabilities"]) == [emotion.value for emotion in ALL_EMOTIONS]
        assert math.isclose(sum(line["probabilities"].values()), 1.0, abs_tol=1e-3)
        assert line["emotion"] == max(line["probabilities"], key=line["probabilities"].get)


def test_classify_writes_its_json_and_nothing_on_stderr():
    # MediaPipe's C++ logs and OpenCV's DNN warnings would land in a user's terminal.
    result = subprocess.run([sys.executable, "-m", "animo_desktop", "classify",
                             str(HAPPY_PHOTO)], capture_output=True, text=True, timeout=60,
                            env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert result.returncode == 0
    assert result.stderr == ""
    (line,) = json_lines(result.stdout)
    assert line["path"] == str(HAPPY_PHOTO) and line["emotion"] == "joy"


def test_classify_reports_unreadable_files_and_still_classifies_the_others(capsys, tmp_path):
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"not a jpeg")
    missing = tmp_path / "missing.png"
    code = main(["classify", str(missing), str(HAPPY_PHOTO), str(broken)])
    assert code != 0
    first, second, third = json_lines(capsys.readouterr().out)
    assert first["path"] == str(missing) and "error" in first
    assert second["path"] == str(HAPPY_PHOTO) and second["emotion"] == "joy"
    assert third["path"] == str(broken) and "error" in third


def test_classify_refuses_a_fifo_or_a_folder_and_goes_on_with_the_others(capsys, tmp_path):
    fifo = make_fifo(tmp_path / "pipe.jpg")
    code = returns_in_time(lambda: main(["classify", str(fifo), str(tmp_path),
                                         str(HAPPY_PHOTO)]), fifo)
    assert code == 1
    pipe, folder, happy = json_lines(capsys.readouterr().out)
    assert pipe == {"path": str(fifo), "error": f"{fifo} is not a regular file"}
    assert folder == {"path": str(tmp_path),
                      "error": f"{tmp_path} is a folder, not a video or image file"}
    assert happy["emotion"] == "joy"


def test_bench_vision_ends_with_its_figures_as_json(capsys):
    code = main(["bench", "vision", "--source", str(SINGLE_FACE_VIDEO), "--frames", "5"])
    assert code == 0
    lines = capsys.readouterr().out.splitlines()
    figures = json.loads(lines[-1])
    assert set(figures) >= {"frames", "landmarks_ms_median", "classifier_ms_median",
                            "total_ms_median", "total_ms_p95", "fps"}
    assert figures["frames"] == 5
    assert len(lines) > 3  # the table a person reads


def test_bench_vision_on_a_missing_video_fails_cleanly(capsys, tmp_path):
    assert main(["bench", "vision", "--source", str(tmp_path / "none.mp4")]) != 0
    assert "none.mp4" in capsys.readouterr().out
