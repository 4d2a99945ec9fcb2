"""`animo bench train-lora`: its table and JSON line on the tiny model; the full-size run
refuses a machine without CUDA."""

import json

import torch

from animo_desktop.cli import main


def test_the_tiny_model_run_ends_with_its_figures_as_json(capsys):
    threads = torch.get_num_threads()
    try:
        assert main(["bench", "train-lora", "--steps", "3"]) == 0
    finally:
        torch.set_num_threads(threads)  # the bench takes one thread, as its own process
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0] == ("LoRA training (rank 8, batch 1, Adafactor), tiny random model, "
                        "CPU, 1 thread")
    figures = json.loads(lines[-1])
    assert figures.keys() == {"model", "device", "resolution", "steps",
                              "seconds_per_step_median", "steps_per_second", "peak_rss_mib"}
    assert (figures["model"], figures["resolution"], figures["steps"]) == ("tiny", 64, 3)
    assert figures["seconds_per_step_median"] > 0 and figures["peak_rss_mib"] > 0
    assert f"({figures['steps_per_second']} steps/s) at 64 px" in lines[1]


def test_the_full_size_run_needs_cuda(capsys, monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert main(["bench", "train-lora", "--full-size-random"]) == 2
    assert "--full-size-random needs a CUDA GPU" in capsys.readouterr().out
