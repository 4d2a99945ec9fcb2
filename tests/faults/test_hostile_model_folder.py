"""A diffusers model folder made hostile: a named pipe among its files, weights that are
not finite numbers, or a share that stops answering (while the models are looked for, or
while one loads). The real app tells the therapist which
file or folder and why, the built-in painter makes the session's artworks, and nothing
waits forever (quitting included)."""

import errno
import logging
import shutil
import threading
import time

import pytest

from animo_desktop.ui import generation_worker
from tests.conftest import make_fifo, release_readers
from tests.faults.conftest import logged, told
from tests.generation.test_model_loading import poisoned
from tests.ui.conftest import wait_for_artworks


def fifo_in_the_unet(folder):
    return make_fifo(folder / "unet" / "a.safetensors")


def nan_in_the_unet(folder):
    weights = folder / "unet" / "diffusion_pytorch_model.safetensors"
    poisoned(weights, weights, "conv_in.weight", float("nan"))


@pytest.mark.parametrize("harm, words", [
    (fifo_in_the_unet, "which is not a regular file (a named pipe"),
    (nan_in_the_unet, "not finite numbers (NaN or infinity)"),
], ids=["fifo", "nan"])
def test_a_hostile_model_folder_hands_the_session_to_the_painter(
        launch_diffusion, qtbot, shown, tiny_model, tmp_path, harm, words):
    folder = tmp_path / "tiny-sd15"
    shutil.copytree(tiny_model.folder, folder)
    fifo = harm(folder)
    try:
        window, controller = launch_diffusion(folder, "--emotion", "fear")
    finally:  # a worker stuck reading the FIFO would hang the quit after a failure
        if fifo is not None:
            release_readers(fifo)
    assert window.backend_label.text() == "Backend: painter"
    assert told(shown, "warning", "The Stable Diffusion model tiny-sd15 could not be used",
                str(folder), words, "built-in painter makes the artworks")
    controller.set_cadence(1.0)
    wait_for_artworks(qtbot, controller, 1)
    assert {record.metadata.backend for record in controller.session.artworks} == {"painter"}


def test_a_model_folder_that_stalls_hands_the_session_to_the_painter_and_quits(
        launch, stalled_share, qtbot, shown, caplog, tmp_path, monkeypatch):
    share = stalled_share.stall(tmp_path / "share")
    monkeypatch.setenv("ANIMO_MODEL_ROOTS", str(share))
    window, controller = launch("--emotion", "fear")
    qtbot.waitUntil(lambda: window.backend_label.text() != "Backend: starting…", timeout=10000)
    assert window.backend_label.text() == "Backend: painter"
    stalled = share / "models" / "Stable-diffusion"  # the first folder looked in there
    assert told(shown, "warning", f"{stalled} did not answer within 1 s: a network share "
                "that stalls?", "built-in painter makes the artworks")
    assert logged(caplog, logging.WARNING, str(stalled), "did not answer")
    controller.set_cadence(1.0)
    wait_for_artworks(qtbot, controller, 1)
    # The share still stalls: quitting waits for no reader stuck there.
    window.close_without_asking()
    controller.shutdown()


class StalledLoad:
    """The model's weights on a share that stops answering once they are being read:
    loading waits until release() (or a time limit, so that a test that fails does not
    hang), then fails as a share gone for good would."""

    def __init__(self, monkeypatch, limit_s: float):
        from diffusers import StableDiffusionPipeline

        self.released = threading.Event()
        self.started = threading.Event()
        self._timer = threading.Timer(limit_s, self.released.set)
        self._timer.start()

        def stalled_from_pretrained(*args, **kwargs):
            self.started.set()
            self.released.wait()
            raise OSError(errno.EIO, "Input/output error")

        monkeypatch.setattr(StableDiffusionPipeline, "from_pretrained", stalled_from_pretrained)

    def release(self) -> None:
        self._timer.cancel()
        self.released.set()


def test_a_model_whose_loading_stalls_hands_the_session_to_the_painter(
        launch_diffusion, qtbot, shown, caplog, tiny_model, monkeypatch):
    monkeypatch.setattr(generation_worker, "MODEL_LOAD_DEADLINE_S", 1.0)
    stall = StalledLoad(monkeypatch, limit_s=60)
    try:
        window, controller = launch_diffusion(tiny_model.folder, "--emotion", "joy")
        assert window.backend_label.text() == "Backend: painter"
        assert told(shown, "warning", "The model did not finish loading within 1 s",
                    "at: Loading model", "built-in painter makes the artworks")
        assert logged(caplog, logging.ERROR, "did not finish loading within 1 s")
        controller.set_cadence(1.0)
        wait_for_artworks(qtbot, controller, 1)
        assert {record.metadata.backend for record in controller.session.artworks} \
            == {"painter"}
        assert not stall.released.is_set()  # the load is still stuck, and quitting waits not
        window.close_without_asking()
        controller.shutdown()
    finally:
        stall.release()


def test_quitting_while_the_model_still_loads_waits_for_no_stuck_load(
        launch, qtbot, tiny_model, monkeypatch):
    limit_s = 30
    stall = StalledLoad(monkeypatch, limit_s=limit_s)
    try:
        window, controller = launch("--backend", "diffusion", "--model",
                                    str(tiny_model.folder), "--device", "cpu")
        qtbot.waitUntil(stall.started.is_set, timeout=20000)
        assert window.backend_label.text() == "Backend: starting…"
        began = time.monotonic()
        window.close_without_asking()
        controller.shutdown()
        # Well under the stall's limit: the quit did not wait for the load to give up.
        assert time.monotonic() - began < limit_s / 3
    finally:
        stall.release()
