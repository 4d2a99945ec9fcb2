import json
import os
import subprocess
import sys

from PIL import Image

from animo_desktop.cli import main
from animo_desktop.storage import read_png_text


def test_render_writes_pngs_with_a1111_parameters_and_session_json(tiny_model, tmp_path, capsys):
    out = tmp_path / "renders"
    assert main(["render", "--model", str(tiny_model.folder), "--lora-dir", str(tiny_model.lora_dir),
                 "--device", "cpu", "--emotion", "angry", "--prompt", "the sea", "--seed", "3",
                 "-n", "2", "--steps", "3", "--size", "64", "--out", str(out)]) == 0
    files = sorted(out.glob("*.png"))
    assert [file.name for file in files] == ["anger-3.png", "anger-4.png"]
    text = read_png_text(files[0])
    prompt, negative, settings = text["parameters"].split("\n")
    assert prompt.startswith("Anger artstyle, the sea")
    assert negative.startswith("Negative prompt: text")
    assert "Steps: 3, Sampler: DPM++ 2M Karras, CFG scale: 7.0, Seed: 3, Size: 64x64" in settings
    assert "Lora: anger-kohya.safetensors" in settings
    record = json.loads(text["animo:session"])
    assert (record["emotion"], record["seed"], record["backend"]) == ("anger", 3, "diffusion")
    assert Image.open(files[1]).size == (64, 64)
    assert "anger-4.png" in capsys.readouterr().out


def test_render_without_a_model_says_so(tmp_path, capsys):
    assert main(["render", "--emotion", "joy", "--out", str(tmp_path)]) == 1
    assert "no Stable Diffusion 1.5 model found" in capsys.readouterr().err


def test_make_tiny_model_is_quiet_and_writes_only_what_render_loads(tmp_path):
    result = subprocess.run([sys.executable, "-m", "animo_desktop", "make-tiny-model",
                             str(tmp_path)], capture_output=True, text=True, timeout=120,
                            env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""  # no library warnings, no progress bars
    # The diffusers folder and its LoRAs; no single-file twin that render would refuse.
    assert sorted(path.name for path in tmp_path.iterdir()) == ["README.txt", "lora",
                                                                "tiny-sd15"]
    assert f"render --model {tmp_path / 'tiny-sd15'} --lora-dir {tmp_path / 'lora'}" in \
        result.stdout
