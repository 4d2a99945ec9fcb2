"""A checkpoint cut short (an interrupted copy or download): the therapist is told what is
wrong with which file, and the built-in painter makes the session's artworks."""

import logging

import pytest

from tests.faults.conftest import logged, told
from tests.ui.conftest import wait_for_artworks, wait_for_canvas

CUTS = {"in its weights": lambda size: size // 2, "in its header": lambda size: 100}


@pytest.mark.parametrize("where", CUTS)
def test_a_truncated_checkpoint_hands_the_session_to_the_painter(
        launch_diffusion, qtbot, shown, caplog, tiny_model, tmp_path, where):
    models = tmp_path / "models"
    models.mkdir()
    checkpoint = models / "cut-short.safetensors"
    whole = tiny_model.checkpoint.read_bytes()
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
