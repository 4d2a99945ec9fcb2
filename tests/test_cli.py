"""The `animo` command as a user runs it: a real process, real files."""

import json
import os
import signal
import subprocess
import sys
import time

import pytest
from PIL import Image

from animo_desktop import __version__
from animo_desktop.cli import build_parser
from animo_desktop.emotions import ALL_EMOTIONS
from animo_desktop.session import find_unfinished_session
from animo_desktop.storage import read_png_text


def animo(*argv, timeout=60, env=None, **kwargs):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", **(env or {})}
    return subprocess.run([sys.executable, "-m", "animo_desktop", *argv], env=env,
                          capture_output=True, text=True, timeout=timeout, **kwargs)


def start_animo(*argv):
    """`animo` as a process left running, for the test to stop. No camera: a camera's
    session waits for the consent notice to be answered."""
    return subprocess.Popen([sys.executable, "-m", "animo_desktop", "--source", "none",
                             *argv],
                            env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def wait_for_saved_artworks(sessions, count, seconds=30):
    """The artwork PNGs under sessions, once there are at least count of them."""
    deadline = time.monotonic() + seconds
    while len(saved := list(sessions.glob("session-*/artworks/*.png"))) < count:
        assert time.monotonic() < deadline, f"fewer than {count} artworks were saved"
        time.sleep(0.2)
    return saved


def test_version():
    result = animo("--version")
    assert result.returncode == 0 and result.stdout.strip() == f"ANIMO {__version__}"


def test_help_lists_the_options_and_the_kiosk_keys():
    result = animo("--help")
    assert result.returncode == 0
    for option in ("--fullscreen", "--kiosk", "--session-dir", "--exit-after", "--export",
                   "--backend", "--emotion", "doctor", "Ctrl+Alt+Shift+X"):
        assert option in result.stdout


def test_help_lists_every_word_emotion_accepts():
    result = animo("--help")
    text = " ".join(result.stdout.split())  # argparse wraps the help text
    for emotion in ALL_EMOTIONS:
        assert emotion.value in text
        assert all(word in text for word in emotion.synonyms), emotion
    assert "joy (happy, happiness, joyful)" in text


def test_doctor_prints_its_table_and_exits_0():
    result = animo("doctor")
    assert result.returncode == 0, result.stderr
    rows = dict(line.split(None, 1) for line in result.stdout.splitlines() if line.strip())
    for name in ("ANIMO", "Python", "onnxruntime", "cameras", "disk"):
        assert name in rows
    assert "GPU" in result.stdout and "SD 1.5 model" in result.stdout


def test_doctor_says_which_found_models_are_not_used_and_why(tmp_path):
    from tests.generation.test_safetensors_header import SDXL_TEXT, checkpoint, ldm

    folder = tmp_path / "ComfyUI" / "models" / "checkpoints"
    folder.mkdir(parents=True)
    checkpoint(folder / "xl.safetensors", **ldm(text_width=2048), **{SDXL_TEXT: (1280,)})
    checkpoint(folder / "v15.safetensors", **ldm())
    result = animo("doctor", env={"ANIMO_MODEL_ROOTS": str(tmp_path / "ComfyUI")})
    (row,) = [line for line in result.stdout.splitlines() if line.startswith("SD 1.5 model")]
    assert f"{folder / 'v15.safetensors'} (single file, ComfyUI)" in row
    assert (f"{folder / 'xl.safetensors'} (single file, ComfyUI; not used: it is an SDXL "
            "checkpoint)") in row


def doctor_row(report: str, name: str) -> str:
    (row,) = [line for line in report.splitlines() if line.startswith(f"{name}  ")]
    return row.removeprefix(name).strip()


def test_doctor_shows_the_provider_that_runs_and_checks_each_emotion_model():
    result = animo("doctor")
    assert result.returncode == 0, result.stderr
    onnxruntime = doctor_row(result.stdout, "onnxruntime")
    providers = [word for word in onnxruntime.replace(":", " ").split()
                 if word.endswith("ExecutionProvider")]
    assert providers in (["CPUExecutionProvider"], ["CUDAExecutionProvider"]), onnxruntime
    assert "runs on" in onnxruntime
    for name, file in [("emotion CNN", "onnx_models/emotion_cnn.onnx"),
                       ("RAF-DB model", "resources/models/rafdb_expression_int8.onnx"),
                       ("YuNet detector", "resources/models/face_detection_yunet_2023mar.onnx"),
                       ("face landmarker", "resources/models/face_landmarker.task"),
                       ("emotion fusion", "onnx_models/emotion_fusion.json")]:
        row = doctor_row(result.stdout, name)
        assert row.startswith("ok ") and " KiB " in row and row.endswith(file), row
    assert result.stderr == ""  # MediaPipe loads without its console noise


def test_doctor_says_when_an_emotion_model_does_not_load(tmp_path):
    from animo_desktop.commands.doctor import model_check
    from animo_desktop.vision.fusion import EmotionFusion

    broken = tmp_path / "emotion_fusion.json"
    broken.write_text("{not json")
    assert model_check(broken, EmotionFusion.load).startswith(f"FAILED  {broken}: Expecting")
    missing = model_check(tmp_path / "missing.json", EmotionFusion.load)
    assert missing.startswith("FAILED") and "No such file" in missing


@pytest.mark.parametrize("argv, complaint", [
    (["--emotion", "bored"], "unknown emotion"),
    (["--backend", "magic"], "invalid choice"),
    (["--exit-after", "soon"], "not a number"),
    (["--exit-after", "-3"], "positive"),
    (["frobnicate"], "invalid choice"),
    (["--source", "no/such/video.mp4"], "no/such/video.mp4 is not a file"),
    (["--export", "x.jpg"], "the export is a PNG: name it x.png"),
    (["--export", "out/canvas"], "name it out/canvas.png"),
    (["--backend", "diffusion"], "--backend diffusion: no Stable Diffusion 1.5 model found"),
    (["--backend", "diffusion", "--model", "missing.safetensors"],
     "--backend diffusion: the model missing.safetensors does not exist"),
])
def test_bad_arguments_are_refused_with_a_reason(argv, complaint, tmp_path):
    # Refused before any window opens: an accepted run would start a session, exit 0. No
    # model is found in an empty home and Hugging Face cache.
    result = animo(*argv, "--exit-after", "2", "--session-dir", str(tmp_path / "sessions"),
                   cwd=tmp_path, env={"HOME": str(tmp_path), "HF_HUB_CACHE": str(tmp_path)})
    assert result.returncode == 2, result.stderr
    assert complaint in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "sessions").exists()


@pytest.mark.parametrize("argv, attribute, value", [
    (["--source", "none"], "source", "none"),
    (["--source", " NONE "], "source", " NONE "),
    (["--source", "3"], "source", "3"),  # a camera may be plugged in later
    (["--source", __file__], "source", __file__),
    (["--export", "OUT.PNG"], "export", "OUT.PNG"),
])
def test_sources_and_export_names_that_are_accepted(argv, attribute, value):
    assert getattr(build_parser().parse_args(argv), attribute) == value


def test_only_ascii_digits_name_a_camera():
    with pytest.raises(SystemExit) as refused:
        build_parser().parse_args(["--source", "\u0663"])  # ARABIC-INDIC DIGIT THREE
    assert refused.value.code == 2


def test_unattended_run_exports_a_canvas_of_several_artworks(tmp_path):
    out = tmp_path / "out.png"
    result = animo("--exit-after", "8", "--export", str(out),
                   "--session-dir", str(tmp_path / "sessions"))
    assert result.returncode == 0, result.stderr
    assert Image.open(out).size == (720, 985)
    session = json.loads(read_png_text(out)["animo:session"])
    assert session["artwork_count"] >= 2
    # The run ended cleanly: nothing is left to restore.
    assert find_unfinished_session(tmp_path / "sessions") is None


def test_kill_9_mid_session_then_restore_loses_at_most_the_artwork_in_progress(tmp_path):
    sessions = tmp_path / "sessions"
    app = start_animo("--session-dir", str(sessions), "--emotion", "joy")
    try:
        wait_for_saved_artworks(sessions, 2)
    finally:
        app.send_signal(signal.SIGKILL)
        app.wait()
    saved = len(list(sessions.glob("session-*/artworks/*.png")))
    assert find_unfinished_session(sessions) is not None
    # The killed ANIMO's lock is left behind; it must not keep the session from its restore.
    assert list(sessions.glob("session-*/session.lock"))

    out = tmp_path / "restored.png"
    result = animo("--session-dir", str(sessions), "--restore", "yes",
                   "--exit-after", "2", "--export", str(out))
    assert result.returncode == 0, result.stderr
    assert json.loads(read_png_text(out)["animo:session"])["artwork_count"] >= saved
    (state_file,) = sessions.glob("session-*/session.json")
    artworks = json.loads(state_file.read_text())["artworks"]
    assert [a["emotion"] for a in artworks[:saved]] == ["joy"] * saved


def test_a_second_animo_on_the_same_folder_leaves_the_running_session_alone(tmp_path):
    sessions = tmp_path / "sessions"
    first = start_animo("--backend", "painter", "--emotion", "joy",
                          "--session-dir", str(sessions), "--exit-after", "16")
    try:
        wait_for_saved_artworks(sessions, 1)
        (running,) = sessions.glob("session-*")
        saved_before = {png: png.read_bytes() for png in running.glob("artworks/*.png")}
        second = animo("--source", "none", "--backend", "painter", "--emotion", "sadness",
                       "--session-dir", str(sessions), "--restore", "yes",
                       "--exit-after", "4", "--export", str(tmp_path / "second.png"))
        assert first.poll() is None, "the first ANIMO ended before the second did"
    finally:
        assert first.wait(timeout=60) == 0
    assert second.returncode == 0, second.stderr

    # The second ran its own session, in its own folder, and never wrote the first's.
    (own,) = (folder for folder in sessions.glob("session-*") if folder != running)
    assert {png.name.split("-", 1)[1] for png in own.glob("artworks/*.png")} == {"sadness.png"}
    state = json.loads((running / "session.json").read_text())
    assert state["ended_at"] and {a["emotion"] for a in state["artworks"]} == {"joy"}
    assert {png.name.split("-", 1)[1] for png in running.glob("artworks/*")} <= {
        "joy.png", "joy.json"}
    assert all(png.read_bytes() == data for png, data in saved_before.items())
    log = (tmp_path / "data" / "logs" / "animo.log").read_text()
    assert f"the session in {running} is running in another ANIMO" in log


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP], ids=["SIGTERM", "SIGHUP"])
def test_a_termination_signal_quits_with_the_export_written(tmp_path, signum):
    """A logout (SIGHUP) or a service manager (SIGTERM) ends ANIMO as a quit does."""
    sessions, out = tmp_path / "sessions", tmp_path / "out.png"
    app = start_animo("--backend", "painter", "--emotion", "joy", "--session-dir",
                      str(sessions), "--exit-after", "60", "--export", str(out))
    try:
        wait_for_saved_artworks(sessions, 1)
        started = time.monotonic()
        app.send_signal(signum)
        assert app.wait(timeout=30) == 0
        assert time.monotonic() - started < 30  # long before --exit-after
    finally:
        if app.poll() is None:
            app.kill()
    assert out.is_file()
    (session,) = sessions.glob("session-*")
    assert json.loads((session / "session.json").read_text())["ended_at"]


def test_settings_persist_between_launches(tmp_path):
    exports = tmp_path / "my exports"
    sessions = tmp_path / "sessions"
    app = start_animo("--export", str(exports / "a.png"), "--session-dir", str(sessions))
    try:
        wait_for_saved_artworks(sessions, 1)
    finally:
        app.send_signal(signal.SIGINT)  # closes the window as the therapist would
        assert app.wait(timeout=30) == 0
    settings = json.loads((tmp_path / "config" / "settings.json").read_text())
    assert settings["last_export_dir"] == str(exports)
    assert settings["window_geometry"]  # the window's place and size, for the next launch
    assert settings["cadence_seconds"] == 6.0 and settings["canvas_width"] == 720


def test_an_unattended_run_leaves_the_settings_alone(tmp_path):
    settings_file = tmp_path / "config" / "settings.json"
    settings_file.parent.mkdir()
    settings_file.write_text('{"last_export_dir": "/home/therapist/Sessions",'
                             ' "cadence_seconds": 8.0}\n')
    before = settings_file.read_bytes()
    result = animo("--exit-after", "3", "--export", str(tmp_path / "check" / "a.png"),
                   "--session-dir", str(tmp_path / "sessions"))
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "check" / "a.png").is_file()
    assert settings_file.read_bytes() == before
    assert [path.name for path in settings_file.parent.iterdir()] == ["settings.json"]


def test_bench_painter_ends_with_one_json_line_of_figures():
    result = animo("bench", "painter", "--per-emotion", "2", "--size", "96")
    assert result.returncode == 0, result.stderr
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    assert figures["artworks"] == 14 and figures["size"] == 96
    assert 0 < figures["ms_median"] <= figures["ms_max"]
    assert 0 < figures["cpu_ms_median"] <= figures["cpu_ms_max"]
    assert set(figures["diversity"]) == {emotion.value for emotion in ALL_EMOTIONS}
    assert 0 < figures["diversity_min"] <= figures["diversity_mean"]
