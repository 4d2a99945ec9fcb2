"""`animo doctor`: the emotion LoRAs' row counts the folder the app reads (ANIMO_LORA_DIR
or --lora-dir); with its model or LoRA folder on a network share that stalls, it tells
which folder did not answer, and ends."""

import pytest

from animo_desktop.cli import main
from tests.conftest import returns_in_time


def doctor_rows(capsys, *arguments: str) -> dict[str, str]:
    assert main(["doctor", *arguments]) == 0
    return {name: value.strip() for name, value in
            (line.split("  ", 1) for line in capsys.readouterr().out.splitlines())}


@pytest.fixture
def two_loras(tmp_path):
    folder = tmp_path / "loras"
    folder.mkdir()
    for name in ("joy.safetensors", "sadness.safetensors"):
        (folder / name).write_bytes(b"")
    (folder / "emotions.toml").write_text("", encoding="utf-8")
    return folder


def test_doctor_counts_the_loras_of_the_folder_the_app_reads(two_loras, tmp_path, monkeypatch,
                                                              capsys):
    monkeypatch.setenv("ANIMO_LORA_DIR", str(two_loras))
    assert doctor_rows(capsys)["emotion LoRAs"] == f"2 in {two_loras} (manifest)"
    empty = tmp_path / "empty"
    empty.mkdir()
    assert doctor_rows(capsys, "--lora-dir", str(empty))["emotion LoRAs"] == (
        f"0 in {empty} (no manifest)")
    assert doctor_rows(capsys, "--lora-dir", str(two_loras / "emotions.toml"))[
        "emotion LoRAs"] == f"2 in {two_loras} (manifest)"


def test_doctor_names_the_folders_that_stall_and_ends(tmp_path, monkeypatch, capsys,
                                                      stalled_share):
    share = stalled_share.stall(tmp_path / "share")
    monkeypatch.setenv("ANIMO_MODEL_ROOTS", str(share))
    loras = stalled_share.stall(tmp_path / "loras")
    monkeypatch.setenv("ANIMO_LORA_DIR", str(loras))
    assert returns_in_time(lambda: main(["doctor"]), release=stalled_share.answer,
                           seconds=60) == 0
    rows = dict(line.split("  ", 1) for line in capsys.readouterr().out.splitlines())
    assert rows["SD 1.5 model"].strip() == (
        f"FAILED  {share / 'models' / 'Stable-diffusion'} did not answer within 1 s: a "
        "network share that stalls?")
    assert rows["emotion LoRAs"].strip() == (
        f"FAILED  {loras} did not answer within 1 s: a network share that stalls?")
