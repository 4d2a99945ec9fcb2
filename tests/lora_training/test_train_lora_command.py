"""`animo train-lora`: reproducible, --all, and every fault stops it with a clear message
and no half-written LoRA."""

import errno
import os
import shutil
import signal

import pytest
from PIL import Image
from safetensors.torch import load_file

from animo_desktop.cli import main
from animo_desktop.lora_training.training_state import training_state_paths
from tests.lora_training.conftest import ctrl_c_at_step, solid_images, train_command


@pytest.fixture
def lora_dir(tiny_model, tmp_path):
    folder = tmp_path / "lora"
    shutil.copytree(tiny_model.lora_dir, folder)
    return folder


def test_the_same_seed_gives_the_same_weights(tiny_model, lora_dir, tmp_path):
    images = solid_images(tmp_path / "joy")
    manifest = (lora_dir / "emotions.toml").read_text(encoding="utf-8")
    files = {}
    for name, seed in (("first", "0"), ("again", "0"), ("other", "1")):
        files[name] = tmp_path / f"{name}.safetensors"
        assert main(train_command(tiny_model, images, lora_dir, "--max-steps", "3", "--seed",
                                  seed, "--out", str(files[name]), "--no-manifest")) == 0
    first, again, other = (load_file(str(files[name])) for name in ("first", "again", "other"))
    assert first.keys() == again.keys() == other.keys()
    assert all(first[key].equal(again[key]) for key in first)
    assert not all(first[key].equal(other[key]) for key in first)
    assert (lora_dir / "emotions.toml").read_text(encoding="utf-8") == manifest  # --no-manifest


def test_all_trains_one_lora_per_emotion_folder(tiny_model, lora_dir, tmp_path, capsys):
    solid_images(tmp_path / "artworks" / "3_anger", (200, 0, 0), count=1)
    solid_images(tmp_path / "artworks" / "sad", (90, 90, 140), count=1)
    (tmp_path / "artworks" / "drafts").mkdir()
    command = train_command(tiny_model, tmp_path / "artworks", lora_dir, "--max-steps", "2")
    command[1:5] = ["--all", str(tmp_path / "artworks")]  # instead of --emotion and --images
    assert main(command) == 0
    manifest = (lora_dir / "emotions.toml").read_text(encoding="utf-8")
    for emotion in ("sadness", "anger"):
        assert (lora_dir / f"{emotion}.safetensors").is_file()
        assert f'[emotions.{emotion}]\nfile = "{emotion}.safetensors"' in manifest
    assert '[emotions.joy]\nfile = "joy.safetensors"' in manifest  # the random one, untouched
    assert "sadness-kohya" not in manifest


def _refused(command, capsys) -> str:
    assert main(command) == 1
    return capsys.readouterr().err


def test_a_bad_folder_stops_before_the_model_is_loaded(tiny_model, lora_dir, tmp_path, capsys):
    empty = tmp_path / "empty"
    empty.mkdir()
    error = _refused(train_command(tiny_model, empty, lora_dir), capsys)
    assert f"animo train-lora: {empty} holds no images" in error
    images = solid_images(tmp_path / "joy", count=1)
    Image.new("RGB", (8, 8)).save(images / "speck.png")
    # No such model either: the images are checked first.
    command = train_command(tiny_model, images, lora_dir) + ["--model", str(tmp_path / "none")]
    error = _refused(command, capsys)
    assert "speck.png is only 8 x 8 pixels" in error and "model" not in error
    assert not list(lora_dir.glob("*.tmp"))


def test_no_model_is_said_so(tiny_model, lora_dir, tmp_path, capsys):
    images = solid_images(tmp_path / "joy", count=1)
    command = train_command(tiny_model, images, lora_dir) + ["--model", str(tmp_path / "none")]
    assert f"the model {tmp_path / 'none'} does not exist" in _refused(command, capsys)


def test_wrong_options_are_refused_with_the_reason(tiny_model, lora_dir, tmp_path, capsys):
    images = solid_images(tmp_path / "joy", count=1)
    command = train_command(tiny_model, images, lora_dir)
    without_emotion = command[:1] + command[3:]
    assert "--images needs --emotion NAME" in _refused(without_emotion, capsys)
    assert "name it joy.safetensors" in _refused(command + ["--out", "joy.pt"], capsys)


def test_a_full_disk_leaves_no_half_written_lora(tiny_model, lora_dir, tmp_path, capsys,
                                                 monkeypatch):
    import animo_desktop.storage as storage

    def disk_full(descriptor):
        raise OSError(errno.ENOSPC, "No space left on device")

    images = solid_images(tmp_path / "joy", count=1)
    (lora_dir / "joy.safetensors").unlink()  # the tiny model's random one
    manifest_before = (lora_dir / "emotions.toml").read_text(encoding="utf-8")
    monkeypatch.setattr(storage.os, "fsync", disk_full)
    error = _refused(train_command(tiny_model, images, lora_dir, "--max-steps", "1"), capsys)
    assert (f"the joy LoRA could not be written to {lora_dir / 'joy.safetensors'} (No space "
            "left on device); nothing was written there") in error
    assert not (lora_dir / "joy.safetensors").exists()
    assert not list(lora_dir.glob(".joy.safetensors.*"))  # no temporary file left either
    assert (lora_dir / "emotions.toml").read_text(encoding="utf-8") == manifest_before


def test_a_diverged_training_writes_no_lora(tiny_model, lora_dir, tmp_path, capsys):
    images = solid_images(tmp_path / "joy", count=1)
    out = tmp_path / "joy.safetensors"
    command = train_command(tiny_model, images, lora_dir, "--max-steps", "3", "--out", str(out))
    command[command.index("--learning-rate") + 1] = "1e30"
    error = _refused(command, capsys)
    assert "the training diverged: the LoRA's weights are no longer finite numbers" in error
    assert not out.exists()


def test_a_training_stopped_by_ctrl_c_and_resumed_gives_the_uninterrupted_weights(
        tiny_model, lora_dir, tmp_path, capsys):
    images = solid_images(tmp_path / "joy")  # 2 steps an epoch: step 3 is mid-epoch
    whole, resumed = tmp_path / "whole.safetensors", tmp_path / "resumed.safetensors"

    def train(out, *options):
        return main(train_command(tiny_model, images, lora_dir, "--max-steps", "6",
                                  "--no-manifest", "--out", str(out), *options))

    assert train(whole) == 0
    capsys.readouterr()
    with ctrl_c_at_step(3):
        assert train(resumed) == 130
    state_tensors, state_json = training_state_paths(resumed)
    assert (f"the joy training stopped after step 3; its state is in {state_json}: the same "
            "command with --resume continues it") in capsys.readouterr().err
    assert not resumed.exists() and state_tensors.is_file()
    assert train(resumed, "--resume") == 0
    printed = capsys.readouterr().out
    assert "resuming after step 3" in printed
    assert "step 4/6" in printed and "step 3/6" not in printed  # it did not start over
    expected, got = load_file(str(whole)), load_file(str(resumed))
    assert expected.keys() == got.keys()
    assert all(expected[key].equal(got[key]) for key in expected)
    assert state_json.is_file() and state_tensors.is_file()  # the end's: to extend it


def test_a_finished_training_given_more_epochs_extends_to_the_longer_runs_weights(
        tiny_model, lora_dir, tmp_path, capsys):
    images = solid_images(tmp_path / "joy")  # 2 steps an epoch
    longer, extended = tmp_path / "longer.safetensors", tmp_path / "extended.safetensors"

    def train(out, epochs, *options):
        return main(train_command(tiny_model, images, lora_dir, "--epochs", epochs,
                                  "--no-manifest", "--out", str(out), *options))

    assert train(longer, "3") == 0
    assert train(extended, "2") == 0
    capsys.readouterr()
    assert train(extended, "2", "--resume") == 1  # nothing left to do at 2 epochs
    assert ("--resume: the training has done its 4 steps already: give it more --epochs"
            in capsys.readouterr().err)
    assert train(extended, "3", "--resume") == 0
    printed = capsys.readouterr().out
    assert "resuming after step 4" in printed and "step 5/6" in printed
    assert "epoch 2 validation image" not in printed  # written once, by the first run
    assert "epoch 3 validation image" in printed
    expected, got = load_file(str(longer)), load_file(str(extended))
    assert all(expected[key].equal(got[key]) for key in expected)


def test_a_state_that_cannot_be_saved_is_said_so(tiny_model, lora_dir, tmp_path, capsys,
                                                  monkeypatch):
    from animo_desktop import storage
    from animo_desktop.commands import train_lora as command

    def disk_full(descriptor):
        raise OSError(errno.ENOSPC, "No space left on device")

    def printer_pressing_ctrl_c(label, stream):
        def interrupt(progress):
            monkeypatch.setattr(storage.os, "fsync", disk_full)  # the disk fills up now
            os.kill(os.getpid(), signal.SIGINT)
        return interrupt

    monkeypatch.setattr(command, "progress_printer", printer_pressing_ctrl_c)
    out = tmp_path / "joy.safetensors"
    error = _refused(train_command(tiny_model, solid_images(tmp_path / "joy", count=1),
                                   lora_dir, "--out", str(out)), capsys)
    assert (f"the joy training stopped after step 1, but its state could not be saved "
            f"beside {out} (No space left on device): there is nothing to resume") in error
    # No state, no LoRA, no temporary file: only the images' and the manifest's folders.
    assert sorted(path.name for path in tmp_path.iterdir()) == ["joy", "lora"]


def test_resume_without_a_saved_state_says_so(tiny_model, lora_dir, tmp_path, capsys):
    images = solid_images(tmp_path / "joy", count=1)
    out = tmp_path / "joy.safetensors"
    error = _refused(train_command(tiny_model, images, lora_dir, "--out", str(out),
                                   "--resume"), capsys)
    assert (f"animo train-lora: --resume: no saved training state for joy.safetensors "
            f"({training_state_paths(out)[1]} is missing)") in error


def test_the_time_left_of_a_resumed_training_counts_only_its_own_steps():
    from animo_desktop.lora_training.trainer import TrainingProgress

    # Resumed after step 3: steps 4 to 6 took 3 s, so the 4 steps left take about 4 s.
    assert TrainingProgress(6, 10, 3, 0.1, 3.0, first_step=4).seconds_left == 4.0
    assert TrainingProgress(6, 10, 3, 0.1, 3.0).seconds_left == 2.0  # all 6 in 3 s
