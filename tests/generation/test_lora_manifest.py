from animo_desktop.emotions import Emotion
from animo_desktop.generation.lora_manifest import load_manifest, manifest_file
from tests.conftest import returns_in_time


def test_manifest_entries_weights_words_and_few_step(tmp_path):
    (tmp_path / "emotions.toml").write_text('''
directory = "files"
[emotions.angry]
file = "anger.safetensors"
weight = 0.7
trigger_words = "Angry"
prompt_additions = ["thick impasto"]
[emotions.joy]
trigger_words = ["Joyful", "Artstyle"]
[few_step]
file = "lcm.safetensors"
steps = 5
guidance_scale = 1.2
''')
    manifest, warnings = load_manifest(tmp_path)
    assert warnings == []
    anger = manifest.entry(Emotion.ANGER)
    assert anger.file == tmp_path / "files" / "anger.safetensors"
    assert (anger.weight, anger.trigger_words, anger.prompt_additions) == \
        (0.7, ("Angry",), ("thick impasto",))
    assert manifest.entry(Emotion.JOY).file is None
    assert manifest.entry(Emotion.FEAR).trigger_words == ()
    assert manifest.few_step.file == tmp_path / "files" / "lcm.safetensors"
    assert (manifest.few_step.steps, manifest.few_step.guidance_scale) == (5, 1.2)


def test_bad_entries_are_warned_about_and_skipped(tmp_path):
    (tmp_path / "emotions.toml").write_text('''
[emotions.joy]
weight = "strong"
[emotions.boredom]
file = "x.safetensors"
[emotions.fear]
file = "fear.safetensors"
[few_step]
file = "lcm.safetensors"
scheduler = "euler"
''')
    manifest, warnings = load_manifest(tmp_path)
    assert set(manifest.emotions) == {Emotion.FEAR}
    assert manifest.few_step is None
    assert len(warnings) == 3 and any("boredom" in text for text in warnings)


def test_missing_or_broken_manifest_means_prompt_only(tmp_path):
    manifest, warnings = load_manifest(tmp_path)
    assert manifest.emotions == {} and "no LoRA manifest" in warnings[0]
    (tmp_path / "emotions.toml").write_text("[emotions.joy\n")
    manifest, warnings = load_manifest(tmp_path)
    assert manifest.emotions == {} and "unreadable" in warnings[0]


def test_the_projects_manifest_reads_cleanly():
    manifest, warnings = load_manifest()
    assert warnings == []
    assert all(manifest.entry(emotion).trigger_words for emotion in Emotion)


def test_a_lora_folder_that_stalls_leaves_every_emotion_prompt_only_in_time(tmp_path,
                                                                             stalled_share):
    folder = stalled_share.stall(tmp_path / "share" / "lora")
    manifest, warnings = returns_in_time(lambda: load_manifest(folder),
                                         release=stalled_share.answer)
    assert manifest.emotions == {} and manifest.few_step is None
    assert warnings == [f"LoRA folder {folder} did not answer within 1 s: a network share "
                        "that stalls? Every emotion is prompt-only."]


def test_reading_and_training_find_the_same_manifest_file(tmp_path):
    """One rule for load_manifest and for the commands that write a manifest: a folder,
    existing or not yet, holds emotions.toml; a .toml path or any existing file is it."""
    (tmp_path / "made").mkdir()
    (tmp_path / "named.cfg").write_text("")
    assert manifest_file(tmp_path / "made") == tmp_path / "made" / "emotions.toml"
    assert manifest_file(tmp_path / "not yet") == tmp_path / "not yet" / "emotions.toml"
    assert manifest_file(tmp_path / "mine.toml") == tmp_path / "mine.toml"
    assert manifest_file(tmp_path / "named.cfg") == tmp_path / "named.cfg"
    _, warnings = load_manifest(tmp_path / "not yet")
    assert str(tmp_path / "not yet" / "emotions.toml") in warnings[0]
