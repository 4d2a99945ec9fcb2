"""Pointing the manifest at a trained LoRA keeps the user's file as it was otherwise."""

import shutil

import pytest

from animo_desktop.emotions import Emotion
from animo_desktop.generation.lora_manifest import DEFAULT_LORA_DIR, MANIFEST_NAME, load_manifest
from animo_desktop.lora_training.manifest_update import (ManifestUpdateError, point_emotion_at,
                                                         trigger_words)


def test_the_emotion_points_at_the_new_file_and_every_comment_stays(tmp_path):
    shutil.copy(DEFAULT_LORA_DIR / MANIFEST_NAME, tmp_path / MANIFEST_NAME)
    before = (tmp_path / MANIFEST_NAME).read_text(encoding="utf-8")
    point_emotion_at(tmp_path, Emotion.ANGER, tmp_path / "anger.safetensors", ["unused"])
    after = (tmp_path / MANIFEST_NAME).read_text(encoding="utf-8")
    comments = [line for line in before.splitlines() if line.lstrip().startswith("#")]
    assert comments and all(line in after.splitlines() for line in comments)
    # One line more, and only that: the user's commented-out line stays as it was.
    assert after.replace('\nfile = "anger.safetensors"\n', "\n", 1) == before
    manifest, warnings = load_manifest(tmp_path)
    assert not warnings
    anger = manifest.entry(Emotion.ANGER)
    assert anger.file == tmp_path / "anger.safetensors"
    assert anger.trigger_words == ("Angry", "Artstyle") and anger.weight == 0.8
    assert manifest.entry(Emotion.JOY).file is None


def test_a_file_outside_the_lora_folder_is_named_by_its_absolute_path(tmp_path):
    lora = tmp_path / "elsewhere" / "joy.safetensors"
    (tmp_path / "loras").mkdir()
    (tmp_path / "loras" / MANIFEST_NAME).write_text('directory = "../files"\n',
                                                    encoding="utf-8")
    point_emotion_at(tmp_path / "loras", Emotion.JOY, lora, ["Joyful", "Artstyle"])
    manifest, _ = load_manifest(tmp_path / "loras")
    assert manifest.entry(Emotion.JOY).file.resolve() == lora.resolve()
    assert manifest.entry(Emotion.JOY).trigger_words == ("Joyful", "Artstyle")


@pytest.mark.parametrize("folder", [".", "new folder"])
def test_a_missing_manifest_is_created(tmp_path, folder):
    loras = tmp_path / folder
    written = point_emotion_at(loras, Emotion.FEAR, loras / "fear.safetensors",
                               ["Fear", "Artstyle"])
    assert written == loras / MANIFEST_NAME
    manifest, warnings = load_manifest(loras)
    assert not warnings
    assert manifest.entry(Emotion.FEAR).file.resolve() == (loras / "fear.safetensors").resolve()
    assert manifest.entry(Emotion.FEAR).trigger_words == ("Fear", "Artstyle")


def test_a_damaged_manifest_is_left_alone_and_named(tmp_path):
    path = tmp_path / MANIFEST_NAME
    path.write_text("[emotions.joy\nfile = ", encoding="utf-8")
    with pytest.raises(ManifestUpdateError, match=f"the LoRA manifest {path} cannot be read"):
        point_emotion_at(tmp_path, Emotion.JOY, tmp_path / "joy.safetensors", ["Joy"])
    assert path.read_text(encoding="utf-8") == "[emotions.joy\nfile = "


def test_the_training_caption_is_the_manifests_trigger_words_else_name_and_class():
    manifest, _ = load_manifest(DEFAULT_LORA_DIR)
    assert trigger_words(manifest, Emotion.ANGER) == ("Angry", "Artstyle")
    empty, _ = load_manifest(DEFAULT_LORA_DIR / "no-such-folder")
    assert trigger_words(empty, Emotion.ANGER) == ("Anger", "Artstyle")
