"""Tools ▸ Train emotion LoRAs…: the dialog runs `animo train-lora` in a process of its
own on the tiny model, shows its progress, loss curve and validation images, announces the
LoRA written, stops cleanly on Stop (no LoRA, a state to resume), and says what is wrong
with a folder."""

import shutil

import pytest
from PySide6.QtWidgets import QPushButton

from animo_desktop.emotions import Emotion
from animo_desktop.lora_training.training_plan import TrainingPlan
from animo_desktop.lora_training.training_run import RunState
from animo_desktop.lora_training.training_state import training_state_paths
from animo_desktop.messages import LoraTrained
from animo_desktop.ui.lora_training_dialog import LoraTrainingDialog
from tests.generation.conftest import tiny_model  # noqa: F401  (the session's tiny model)
from tests.lora_training.conftest import TEST_OPTIONS, solid_images

# Python, torch and diffusers start in the training's own process: seconds on a busy CPU.
TRAINING_TIMEOUT_MS = 180_000


@pytest.fixture
def lora_dir(tiny_model, tmp_path):  # noqa: F811
    folder = tmp_path / "lora"
    shutil.copytree(tiny_model.lora_dir, folder)
    (folder / "joy.safetensors").unlink()  # the random one: any joy LoRA is the dialog's
    return folder


@pytest.fixture
def open_dialog(qtbot, tiny_model, lora_dir, monkeypatch):  # noqa: F811
    monkeypatch.setenv("OMP_NUM_THREADS", "1")  # the training's process: a shared machine
    dialogs = []

    def _open(*options: str) -> LoraTrainingDialog:
        plan = TrainingPlan(model=str(tiny_model.folder), lora_dir=str(lora_dir),
                            device="cpu", epochs=2, options=(*TEST_OPTIONS, *options))
        dialog = LoraTrainingDialog(plan)
        qtbot.addWidget(dialog)
        dialog.show()
        dialogs.append(dialog)
        return dialog

    yield _open
    for dialog in dialogs:
        dialog.shut_down()


def test_a_folder_shows_its_image_count_and_thumbnails(open_dialog, tmp_path):
    dialog = open_dialog()
    assert not dialog.start_button.isEnabled()  # no folder yet
    dialog.set_folder(Emotion.JOY, solid_images(tmp_path / "10_joy", count=3))
    description, thumbnails = dialog._folder_rows[Emotion.JOY]
    assert description.text() == "10_joy: 3 images, each 10 times an epoch"
    assert [not label.pixmap().isNull() for label in thumbnails] == [True, True, True, False]
    assert dialog.start_button.isEnabled()
    clear = next(button for button in dialog.findChildren(QPushButton)
                 if button.toolTip() == "Train no joy LoRA")
    clear.click()
    assert description.text() == "no folder" and Emotion.JOY not in dialog.plan.folders
    assert all(label.pixmap().isNull() for label in thumbnails)
    assert not dialog.start_button.isEnabled()


def test_an_empty_folder_is_refused_before_anything_starts(open_dialog, tmp_path):
    dialog = open_dialog()
    (tmp_path / "empty").mkdir()
    dialog.set_folder(Emotion.SADNESS, tmp_path / "empty")
    dialog.set_folder(Emotion.JOY, solid_images(tmp_path / "joy"))
    description, _ = dialog._folder_rows[Emotion.SADNESS]
    assert "holds no images" in description.text()
    dialog.start_button.click()
    assert not dialog.is_training
    assert "Sadness: " in dialog.log_view.toPlainText()
    assert "holds no images" in dialog.log_view.toPlainText()


def test_a_training_shows_its_progress_and_announces_the_lora(open_dialog, qtbot, tmp_path,
                                                               lora_dir):
    dialog = open_dialog("--max-steps", "4")  # 2 images: 2 steps an epoch, 2 epochs
    dialog.set_folder(Emotion.JOY, solid_images(tmp_path / "joy"))
    announced = []
    dialog.lora_trained.connect(announced.append)
    dialog.start_button.click()
    assert dialog.is_training and not dialog.start_button.isEnabled()
    qtbot.waitUntil(lambda: dialog.run.is_over, timeout=TRAINING_TIMEOUT_MS)
    assert dialog.run.state is RunState.FINISHED, dialog.log_view.toPlainText()
    assert len(dialog.loss_curve.losses) == 4
    assert dialog.progress_bar.value() == dialog.progress_bar.maximum() == 4
    assert dialog.validation_images.count() == 2
    assert [dialog.validation_images.item(row).text() for row in range(2)] == ["Joy 1", "Joy 2"]
    assert not dialog.validation_images.item(1).icon().isNull()
    lora = lora_dir / "joy.safetensors"
    assert announced == [LoraTrained(Emotion.JOY, lora, lora_dir / "emotions.toml")]
    assert lora.is_file()
    assert "now uses joy.safetensors" in dialog.log_view.toPlainText()
    assert dialog.step_label.text().startswith("Done")


def test_stop_leaves_no_lora_and_a_state_to_resume(open_dialog, qtbot, tmp_path, lora_dir):
    dialog = open_dialog()
    dialog.epochs_field.setValue(100)  # 200 steps: far more than it runs before Stop
    dialog.set_folder(Emotion.JOY, solid_images(tmp_path / "joy"))
    announced = []
    dialog.lora_trained.connect(announced.append)
    dialog.start_button.click()
    qtbot.waitUntil(lambda: dialog.run.last_step is not None, timeout=TRAINING_TIMEOUT_MS)
    dialog.stop_button.click()
    assert not dialog.stop_button.isEnabled()
    qtbot.waitUntil(lambda: dialog.run.is_over, timeout=TRAINING_TIMEOUT_MS)
    assert dialog.run.state is RunState.STOPPED, dialog.log_view.toPlainText()
    lora = lora_dir / "joy.safetensors"
    assert not lora.exists() and announced == []
    assert not list(lora_dir.glob(".joy*"))  # no temporary file left
    assert all(path.is_file() for path in training_state_paths(lora))
    assert dialog.run.stopped.step == dialog.run.last_step.step < 200
    assert dialog.start_button.isEnabled() and not dialog.is_training


def test_a_damaged_image_is_shown_in_the_dialog(open_dialog, qtbot, tmp_path):
    dialog = open_dialog()
    images = solid_images(tmp_path / "joy", count=1)
    (images / "cut.png").write_bytes((images / "colour 0.png").read_bytes()[:60])
    dialog.set_folder(Emotion.JOY, images)
    dialog.start_button.click()
    qtbot.waitUntil(lambda: dialog.run.is_over, timeout=TRAINING_TIMEOUT_MS)
    assert dialog.run.state is RunState.FAILED
    assert "cut.png is damaged or cut short" in dialog.log_view.toPlainText()
    assert dialog.step_label.text().startswith("The training stopped")


def test_a_model_that_does_not_exist_is_shown_in_the_dialog(open_dialog, qtbot, tmp_path):
    dialog = open_dialog()
    dialog.set_folder(Emotion.JOY, solid_images(tmp_path / "joy", count=1))
    dialog.model_field.setText(str(tmp_path / "no-model"))
    dialog.start_button.click()
    qtbot.waitUntil(lambda: dialog.run.is_over, timeout=TRAINING_TIMEOUT_MS)
    assert dialog.run.state is RunState.FAILED
    assert f"the model {tmp_path / 'no-model'} does not exist" in dialog.log_view.toPlainText()


def test_the_tools_menu_opens_it_with_the_sessions_model_and_loras(launch, tiny_model,  # noqa: F811
                                                                   lora_dir, qtbot):
    window, _ = launch("--backend", "painter", "--model", str(tiny_model.folder),
                       "--lora-dir", str(lora_dir))
    tools = next(action.menu() for action in window.menuBar().actions()
                 if action.text() == "&Tools")
    next(action for action in tools.actions()
         if action.text() == "Train emotion &LoRAs…").trigger()
    dialog = window.lora_training_dialog
    assert dialog.isVisible()
    assert dialog.model_field.text() == str(tiny_model.folder)
    assert dialog.plan.lora_dir == str(lora_dir)
    # A LoRA announced reaches the generation worker; the painter makes the artworks.
    dialog.lora_trained.emit(LoraTrained(Emotion.JOY, lora_dir / "joy.safetensors",
                                         lora_dir / "emotions.toml"))
    qtbot.waitUntil(lambda: "it is used when Stable Diffusion makes the artworks"
                    in window.statusBar().currentMessage())
    dialog.close()
    assert not dialog.isVisible()
    assert window.show_lora_training() is dialog  # one dialog, where it was
