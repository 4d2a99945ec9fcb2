"""A checkpoint cut short (an interrupted copy or download): the therapist is told what is
wrong with which file, and the built-in painter makes the session's artworks."""

import logging

import pytest

from tests.faults.conftest import logged, told
from tests.ui.conftest import wait_for_artworks, wait_for_canvas

CUTS = {"in its weights": lambda size: size // 2, "in its header": lambda size: 100}


@pytest.mark.parametrize("where", CUTS)
def test_a_truncated_checkpoint_hands_the_session_to_the_painter(
        launch_diffusion, qtbot, shown, caplog, tiny_checkpoint, tmp_path, where):
    models = tmp_path / "models"
    models.mkdir()
    checkpoint = models / "cut-short.safetensors"
    whole = tiny_checkpoint.read_bytes()
    checkpoint.write_bytes(whole[:CUTS[where](len(whole))])
    damaged = checkpoint.read_bytes()
    window, controller = launch_diffusion(checkpoint, "--emotion", "anger")
    assert window.backend_label.text() == "Backend: painter"
    warning = told(shown, "warning", "The Stable Diffusion model cut-short could not be used",
                   str(checkpoint), "is cut short", "built-in painter makes the artworks")
    assert len(warning) == 1 and warning[0] in window.statusBar().currentMessage()
    assert logged(caplog, logging.ERROR, "diffusion backend failed to start", str(checkpoint),
                  "is cut short")
    controller.set_cadence(1.0)
    wait_for_artworks(qtbot, controller, 2)
    assert {r.metadata.backend for r in controller.session.artworks} == {"painter"}
    controller.pause()
    wait_for_canvas(qtbot, controller)
    assert window.canvas_view.artwork_count == len(controller.session.artworks)
    # Nothing was written beside the model, nor into it.
    assert list(models.iterdir()) == [checkpoint] and checkpoint.read_bytes() == damaged


# Run in a child process: before the fix, the process died of SIGBUS, taking pytest along.
MODEL_FILES_CUT_MID_SESSION = """
import sys
from pathlib import Path
from animo_desktop.emotions import Emotion
from animo_desktop.generation.diffusion_backend import DiffusionBackend, DiffusionSettings
from animo_desktop.generation.model_locator import ModelSource
from animo_desktop.messages import GenerationRequest

folder = Path(sys.argv[1])
backend = DiffusionBackend(ModelSource(folder, "diffusers folder"), device="cpu",
                           lora_dir=sys.argv[2], settings=DiffusionSettings(steps=2, size=64))
request = GenerationRequest(job_id=1, emotion=Emotion.JOY, seed=7)
before = backend.generate(request, lambda progress: True).image.tobytes()
for weights in folder.rglob("*.safetensors"):
    weights.write_bytes(b"")  # the model's files rewritten under the running app
after = backend.generate(request, lambda progress: True).image.tobytes()
print("same" if after == before else "changed")
"""


def test_model_files_cut_short_during_the_session_change_nothing(tiny_model, tmp_path):
    import shutil
    import subprocess
    import sys
    folder = tmp_path / "model"
    shutil.copytree(tiny_model.folder, folder)
    result = subprocess.run([sys.executable, "-c", MODEL_FILES_CUT_MID_SESSION, str(folder),
                             str(tiny_model.lora_dir)], capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split()[-1] == "same"
