"""`animo doctor --server` and `animo bench comfyui` against the real server."""

from __future__ import annotations

import json

import pytest

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


def test_doctor_fails_a_checkpoint_the_server_lacks(comfyui_server, capsys):
    assert main(["doctor", "--server", comfyui_server.url, "--server-checkpoint",
                 "elsewhere.safetensors"]) == 1
    assert f"FAILED  no elsewhere.safetensors among {comfyui_server.checkpoint_name}" in \
        capsys.readouterr().out


def test_doctor_says_when_the_server_does_not_answer(comfyui_server, capsys):
    from tests.comfyui_server.conftest import free_loopback_port

    assert main(["doctor", "--server", f"http://127.0.0.1:{free_loopback_port()}"]) == 1
    assert "FAILED" in capsys.readouterr().out


def test_bench_comfyui_serves_rooms_and_compares_its_overhead_with_local_diffusion(
        comfyui_server, lora_dir, tmp_path, capsys):
    from tests.comfyui_server.thin_checkpoint import kohya_loras, thin_diffusers_folder

    same_model = thin_diffusers_folder(comfyui_server.install.home / "checkpoints")
    # The manifest, with the server's LoRA files beside it for local diffusion too.
    (tmp_path / "emotions.toml").write_text(
        f'directory = "{kohya_loras(comfyui_server.install.home / "loras")}"\n'
        + (lora_dir / "emotions.toml").read_text())
    assert main(["bench", "comfyui", "--server", comfyui_server.url, "--rooms", "1,2",
                 "--artworks", "2", "--steps", "3", "--size", "64",
                 "--lora-dir", str(tmp_path), "--model", str(same_model),
                 "--device", "cpu"]) == 0
    output = capsys.readouterr().out.strip().splitlines()
    assert output[0].startswith("ComfyUI server: cpu")
    assert any("local diffusion" in line for line in output)
    figures = json.loads(output[-1])
    assert set(figures["rooms"]) == {"1", "2"}
    for rooms, result in figures["rooms"].items():
        assert result["from_server"] == result["artworks"] == 2 * int(rooms)
        assert result["painted_instead"] == 0 and result["artworks_per_minute"] > 0
        assert 0 < result["overhead_ms_median"] < result["ms_median"]
    local = figures["local_diffusion"]
    assert 0 < local["overhead_ms_median"] < local["ms_median"]
    assert figures["server_overhead_beyond_local_ms"] == pytest.approx(
        figures["rooms"]["1"]["overhead_ms_median"] - local["overhead_ms_median"], abs=0.1)


def test_bench_comfyui_refuses_a_room_count_that_is_not_one(capsys):
    with pytest.raises(SystemExit):
        main(["bench", "comfyui", "--server", "http://127.0.0.1:1", "--rooms", "1,0"])
    assert "must be at least 1" in capsys.readouterr().err
