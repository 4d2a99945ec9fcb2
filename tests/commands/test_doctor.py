"""`animo doctor` with its model or LoRA folder on a network share that stalls: it tells
which folder did not answer, and ends."""

from animo_desktop.cli import main
from animo_desktop.commands import doctor
from tests.conftest import returns_in_time


def test_doctor_names_the_folders_that_stall_and_ends(tmp_path, monkeypatch, capsys,
                                                      stalled_share):
    share = stalled_share.stall(tmp_path / "share")
    monkeypatch.setenv("ANIMO_MODEL_ROOTS", str(share))
    stalled_share.stall(doctor.LORA_DIR)
    assert returns_in_time(lambda: main(["doctor"]), release=stalled_share.answer,
                           seconds=60) == 0
    rows = dict(line.split("  ", 1) for line in capsys.readouterr().out.splitlines())
    assert rows["SD 1.5 model"].strip() == (
        f"FAILED  {share / 'models' / 'Stable-diffusion'} did not answer within 1 s: a "
        "network share that stalls?")
    assert rows["emotion LoRAs"].strip() == (
        f"FAILED  {doctor.LORA_DIR} did not answer within 1 s: a network share that stalls?")
