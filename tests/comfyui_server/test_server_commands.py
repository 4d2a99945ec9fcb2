"""`animo doctor --server` and `animo bench comfyui` against the real server."""

from __future__ import annotations

import json

from animo_desktop.cli import main
from tests.comfyui_server.conftest import only_loopback

pytestmark = only_loopback


def test_doctor_tells_what_the_server_holds_and_which_loras_it_lacks(comfyui_server, lora_dir,
                                                                     tmp_path, capsys):
    manifest = (lora_dir / "emotions.toml").read_text().replace(
        "animo-disgust.safetensors", "disgust-elsewhere.safetensors")
    (tmp_path / "emotions.toml").write_text(manifest)

    assert main(["doctor", "--server", comfyui_server.url, "--lora-dir", str(tmp_path)]) == 0
    report = capsys.readouterr().out
    assert "ComfyUI 0.3.64" in report and "cpu" in report
    assert comfyui_server.checkpoint_name in report
    assert "every node of ANIMO's job graph" in report
    assert "6 present" in report
    assert "MISSING disgust-elsewhere.safetensors (disgust: prompt only)" in report


def test_doctor_says_when_the_server_does_not_answer(comfyui_server, capsys):
    from tests.comfyui_server.conftest import free_loopback_port

    assert main(["doctor", "--server", f"http://127.0.0.1:{free_loopback_port()}"]) == 1
    assert "FAILED" in capsys.readouterr().out


def test_bench_comfyui_serves_two_rooms_and_ends_with_its_figures(comfyui_server, lora_dir,
                                                                  capsys):
    assert main(["bench", "comfyui", "--server", comfyui_server.url, "--rooms", "2",
                 "--artworks", "2", "--steps", "3", "--size", "64",
                 "--lora-dir", str(lora_dir)]) == 0
    output = capsys.readouterr().out.strip().splitlines()
    assert any("ComfyUI server: cpu" in line for line in output)
    figures = json.loads(output[-1])
    assert figures["rooms"] == 2 and figures["from_server"] == 4
    assert figures["painted_instead"] == 0 and figures["artworks_per_minute"] > 0
