"""`animo bench soak`: a short real soak, the camera on the demo video, in its own process
(the benchmark makes its own QApplication)."""

import json
import re
import subprocess
import sys
from pathlib import Path

from animo_desktop.benchmarks.report_table import ROWS
from tests.test_cli import animo

REPOSITORY = Path(__file__).resolve().parents[1]
PROMISED_KEYS = {"artworks", "minutes", "rss_start_mb", "rss_end_mb", "rss_growth_pct",
                 "ui_stall_ms_p99", "lost_artworks", "camera_frames_read", "emotion_changes"}


def soak(*options):
    result = animo("bench", "soak", *options, timeout=180)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout.strip().splitlines()


def test_a_painter_soak_loses_no_artwork_and_ends_with_its_figures():
    lines = soak("--backend", "painter", "--artworks", "12", "--sample-every", "5")
    figures = json.loads(lines[-1])
    assert PROMISED_KEYS <= figures.keys()
    assert figures["backend"] == "painter" and figures["artworks"] == 12
    assert figures["lost_artworks"] == 0
    assert figures["artworks_on_canvas"] == figures["artworks_in_folder"] == 12
    assert figures["camera_frames_read"] > 0  # the camera ran throughout
    assert sum(figures["artwork_emotions"].values()) == 12
    assert 0 < figures["rss_start_mb"] and 0 <= figures["ui_stall_ms_p99"]
    assert "gpu_mem_end_mb" not in figures  # no GPU here
    # The table over time: after the warm-up (2 artworks), at 5 and 10, at the end; its
    # columns generated, on canvas, in folder are the 9th to 7th from the right.
    samples = [line.split() for line in lines if re.match(r"\s+\d+ s ", line)]
    assert [sample[-9:-6] for sample in samples] == [[str(n)] * 3 for n in (2, 5, 10, 12)]
    # The report's soak rows read these very figures.
    assert all(row.figure(figures) for row in ROWS if row.run == "soak")


def test_a_soak_with_the_tiny_diffusion_model():
    figures = json.loads(soak("--artworks", "3", "--steps", "2")[-1])
    assert (figures["backend"], figures["steps"], figures["size"]) == ("diffusion", 2, [64, 64])
    assert figures["artworks"] == 3 and figures["lost_artworks"] == 0


def test_the_bench_script_is_the_same_command():
    result = subprocess.run([sys.executable, str(REPOSITORY / "bench" / "soak.py"), "--help"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and "--artworks" in result.stdout
    assert result.stdout.startswith("usage: animo bench soak")


def test_a_soak_of_no_time_is_refused():
    result = animo("bench", "soak", "--minutes", "0")
    assert result.returncode == 2 and "must be more than 0" in result.stderr
