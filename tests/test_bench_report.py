"""`animo bench report`: the table of every promised figure, and the README rewrite
(from given figures: no benchmark runs here)."""

import argparse
import json

import pytest

from animo_desktop.benchmarks import report_table
from animo_desktop.benchmarks.report_table import (FIGURES_END, FIGURES_START, NO_GPU,
                                                   render_table, replace_table, runs)

MACHINE, DATE = "test machine", "2026-12-01"
# Figures as each benchmark prints them on its last line.
FIGURES = {
    "vision": {"frames": 300, "landmarks_ms_median": 11.05, "classifier_ms_median": 0.8,
               "rafdb_ms_median": 14.2, "total_ms_median": 12.35, "total_ms_p95": 19.81,
               "total_ms_mean": 16.1, "fps": 75.2},
    "swap": {"original_ms_median": 325.0, "set_adapters_ms_median": 18.1,
             "animo_ms_median": 0.82, "ratio": 396.3, "switches": 35, "threads": 1},
    "generation": {"model": "tiny", "device": "CPU, 1 thread",
                   "dpm++_20_steps.ms_median": 743.0, "dpm++_20_steps.switch_ms_median": 1.0,
                   "dpm++_20_steps.images_per_second": 1.35, "dpm++_20_steps.size": 64,
                   "few_step_4_steps.ms_median": 186.0,
                   "few_step_4_steps.switch_ms_median": 1.1,
                   "few_step_4_steps.images_per_second": 5.4, "few_step_4_steps.size": 64},
    "train-lora": {"model": "tiny", "device": "CPU, 1 thread", "resolution": 64, "steps": 20,
                   "seconds_per_step_median": 0.2275, "steps_per_second": 4.4,
                   "peak_rss_mib": 483},
    "painter": {"artworks": 70, "size": 512, "ms_median": 41.0, "ms_p95": 47.5,
                "ms_max": 49.2},
    "canvas": {"artworks": 300, "stall_p99_ms": 7.4, "stall_max_ms": 33.0,
               "rss_growth_pct": -0.4, "composition_layout_max_ms": 21.3,
               "composition_ms": {"collage": {"layout_fresh_ms": 12.0, "paint_ms": 2400.0},
                                  "mosaic": {"layout_fresh_ms": 1.2, "paint_ms": 1500.0},
                                  "layers": {"layout_fresh_ms": 21.3, "paint_ms": 6100.0}}},
    "soak": {"backend": "painter", "device": "CPU", "artworks": 1000, "minutes": 4.2,
             "rss_start_mb": 300.0, "rss_end_mb": 306.0, "rss_growth_pct": 2.0,
             "ui_stall_ms_p99": 12.5, "ui_stall_ms_max": 60.0, "lost_artworks": 0},
}


def measured(figures=FIGURES, machine=MACHINE, date=DATE):
    return {name: {"command": "animo bench " + name, "figures": values, "machine": machine,
                   "date": date} for name, values in figures.items()}


def table_rows(table):
    return [line for line in table.splitlines() if line.startswith("| ")][1:]


def test_every_row_shows_its_figure_command_and_verdict():
    table = render_table(measured(), runs(1000, "painter"), MACHINE, DATE)
    assert table.startswith(f"Measured on {MACHINE}, {DATE}")
    rows = table_rows(table)
    assert len(rows) == len(report_table.ROWS)
    row = next(line for line in rows if line.startswith("| Emotion sensing"))
    assert "12.3 ms (p95 19.8 ms, mean 16.1 ms), 75 frames/s" in row and "at most 20 ms: **met**" in row
    ratio = next(line for line in rows if "original system" in line)
    assert "396 × (325 ms / 0.82 ms)" in ratio and "at least 20 ×: **met**" in ratio
    soak = next(line for line in rows if "RSS growth" in line)
    assert "+2.0 % (300 → 306 MiB) over 1000 painter artworks" in soak
    assert "**met**" in soak
    composition = next(line for line in rows if line.startswith("| Composition of 300"))
    assert ("| 21 ms; painting collage 2.4 s, mosaic 1.5 s, layers 6.1 s |" in composition
            and "layout at most 50 ms: **met**" in composition)
    lost = next(line for line in rows if "artworks lost" in line)
    assert "| 0 of 1000 |" in lost and "**met**" in lost


def test_a_missed_target_says_so():
    slow = {**FIGURES, "painter": {**FIGURES["painter"], "ms_max": 250.0}}
    row = next(line for line in table_rows(render_table(measured(slow), runs(1000, "painter"),
                                                        MACHINE, DATE))
               if "Built-in painter" in line)
    assert "under 200 ms: **not met**" in row


def test_gpu_rows_say_not_measured_unless_figures_exist():
    table = render_table(measured(), runs(1000, "painter"), MACHINE, DATE)
    gpu_rows = [line for line in table_rows(table) if "GPU" in line.split("|")[1]]
    assert len(gpu_rows) == 5 and all(f"| {NO_GPU} |" in line for line in gpu_rows)
    assert all("**" not in line for line in gpu_rows)  # no verdict without a figure

    gpu_generation = {**FIGURES["generation"], "model": "full_size_random",
                      "few_step_4_steps.ms_median": 120.0,
                      "few_step_4_steps.switch_ms_median": 25.0,
                      "dpm++_20_steps.peak_vram_gib": 3.4,
                      "few_step_4_steps.peak_vram_gib": 3.1}
    results = {**measured(), **measured({"generation-gpu": gpu_generation}, "H200",
                                        "2026-11-30")}
    rows = [line for line in table_rows(render_table(results, runs(1000, "painter"),
                                                     MACHINE, DATE))
            if "full-size SD 1.5" in line and "LoRA training" not in line]
    latency, switch, memory = rows
    assert "peak VRAM 3.1 GiB (on H200, 2026-11-30)" in latency and "**met**" in latency
    assert "25.00 ms" in switch and "**not met**" in switch
    assert "3.4 GiB" in memory and "**met**" in memory  # the larger of the two peaks


def test_a_short_soak_meets_no_target_over_a_thousand_artworks():
    short = {**FIGURES, "soak": {**FIGURES["soak"], "artworks": 100}}
    row = next(line for line in table_rows(render_table(measured(short),
                                                        runs(100, "painter"), MACHINE, DATE))
               if "RSS growth" in line)
    assert row.endswith("at most 5 % over 1,000 artworks |")


def test_the_rewrite_keeps_everything_outside_the_markers():
    readme = (f"# Benchmarks\n\nIntro.\n\n{FIGURES_START}\nold table\n{FIGURES_END}\n\n"
              "## Details\n\nProse that stays.\n")
    rewritten = replace_table(readme, "| new | table |")
    assert rewritten == (f"# Benchmarks\n\nIntro.\n\n{FIGURES_START}\n| new | table |\n"
                         f"{FIGURES_END}\n\n## Details\n\nProse that stays.\n")
    assert replace_table(rewritten, "| new | table |") == rewritten


def test_a_readme_without_markers_is_refused():
    with pytest.raises(ValueError, match="figures:start"):
        replace_table("# Benchmarks\n", "| table |")


def test_runs_left_out_keep_their_figures_and_only_the_table_changes(tmp_path, monkeypatch,
                                                                     capsys):
    readme = tmp_path / "README.md"
    readme.write_text(f"Before.\n{FIGURES_START}\n{FIGURES_END}\nAfter.\n", encoding="utf-8")
    stored = measured(machine="earlier machine", date="2026-11-01")
    (tmp_path / report_table.FIGURES_FILE).write_text(json.dumps(stored))
    monkeypatch.setattr(report_table, "measure", lambda run: FIGURES[run.name])
    args = argparse.Namespace(soak_artworks=1000, soak_backend="painter", only=["painter"],
                              readme=readme, machine=MACHINE, date=DATE)
    assert report_table.run(args) == 0
    text = readme.read_text(encoding="utf-8")
    assert text.startswith(f"Before.\n{FIGURES_START}\n") and text.endswith(
        f"{FIGURES_END}\nAfter.\n")
    painter = next(line for line in table_rows(text) if "Built-in painter" in line)
    vision = next(line for line in table_rows(text) if "Emotion sensing" in line)
    assert "(on " not in painter and "(on earlier machine, 2026-11-01)" in vision
    assert capsys.readouterr().out.strip().splitlines()[-1].startswith('{"vision"')


@pytest.mark.parametrize("seconds, vram_gib, verdict", [(0.15, 6.5, "**met**"),
                                                        (0.25, 6.5, "**not met**"),
                                                        (0.15, 9.0, "**not met**")])
def test_the_gpu_training_row_holds_both_targets(seconds, vram_gib, verdict):
    gpu_training = {**FIGURES["train-lora"], "model": "full_size_random", "resolution": 512,
                    "seconds_per_step_median": seconds, "peak_vram_gib": vram_gib}
    results = {**measured(), **measured({"train-lora-gpu": gpu_training})}
    row = next(line for line in table_rows(render_table(results, runs(1000, "painter"),
                                                        MACHINE, DATE))
               if line.startswith("| LoRA training step, full-size"))
    assert f"{seconds:.3f} s; {vram_gib} GiB" in row and f"(H100): {verdict}" in row
