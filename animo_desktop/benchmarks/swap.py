"""`animo bench swap`: the cost of switching emotion LoRA, ANIMO against the original system.

On the tiny random model (built in a temporary folder, CPU), three ways to switch:
- original: the original system's pattern, load the emotion's LoRA from disk before each
  generation and unload it after;
- set_adapters: all seven preloaded as diffusers adapters, switched with set_adapters
  (recompiles a torch.compile'd UNet, so ANIMO does not use it);
- animo: ANIMO's preloaded in-place slot (lora_bank), torch.compile-safe.
Reports each median and `ratio` = original / animo.
"""

from __future__ import annotations

import argparse
import platform
import tempfile
import time
from pathlib import Path
from typing import Callable

from animo_desktop.arguments import positive_int
from animo_desktop.benchmarks.report import median_ms, percentile_ms, print_report
from animo_desktop.emotions import ALL_EMOTIONS, Emotion

NAME = "swap"
HELP = "time an emotion LoRA switch: ANIMO's preloaded slot vs loading from disk each time"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--rounds", type=positive_int, default=5, metavar="N",
                        help="passes over the seven emotions (default 5)")
    parser.add_argument("--threads", type=positive_int, default=1,
                        help="torch CPU threads (default 1: steadier on a shared machine)")


def _time_switches(switch: Callable[[Emotion], None], rounds: int) -> list[float]:
    samples = []
    for _ in range(rounds):
        for emotion in ALL_EMOTIONS:
            started = time.perf_counter()
            switch(emotion)
            samples.append((time.perf_counter() - started) * 1000)
    return samples


def run(args: argparse.Namespace) -> int:
    import torch
    from diffusers import StableDiffusionPipeline

    from animo_desktop.generation.lora_bank import EmotionLoraBank, read_lora_file
    from animo_desktop.generation.lora_manifest import load_manifest
    from animo_desktop.generation.model_loading import quiet_libraries
    from animo_desktop.generation.tiny_model import write_tiny_model

    quiet_libraries()
    torch.set_num_threads(args.threads)
    with tempfile.TemporaryDirectory(prefix="animo-bench-swap-") as folder:
        model = write_tiny_model(Path(folder))
        manifest, _ = load_manifest(model.lora_dir)
        files = {emotion: manifest.entry(emotion).file for emotion in ALL_EMOTIONS}

        def fresh_pipeline() -> StableDiffusionPipeline:
            pipeline = StableDiffusionPipeline.from_pretrained(model.folder, local_files_only=True,
                                                               use_safetensors=True)
            pipeline.set_progress_bar_config(disable=True)
            return pipeline

        original = fresh_pipeline()

        def load_from_disk(emotion: Emotion) -> None:
            original.load_lora_weights(str(files[emotion]), adapter_name=emotion.value)
            original.unload_lora_weights()

        adapters = fresh_pipeline()
        for emotion in ALL_EMOTIONS:
            adapters.load_lora_weights(read_lora_file(files[emotion]), adapter_name=emotion.value)

        def set_adapters(emotion: Emotion) -> None:
            adapters.set_adapters([emotion.value], [manifest.entry(emotion).weight])

        animo = fresh_pipeline()
        bank = EmotionLoraBank(animo, manifest)
        bank.load()

        samples = {"original": _time_switches(load_from_disk, args.rounds),
                   "set_adapters": _time_switches(set_adapters, args.rounds),
                   "animo": _time_switches(bank.activate, args.rounds)}
    medians = {name: median_ms(values) for name, values in samples.items()}
    ratio = round(medians["original"] / max(medians["animo"], 1e-6), 1)
    rows = [(name, f"median {medians[name]:.2f} ms, p95 {percentile_ms(values, 0.95):.2f} ms "
                   f"over {len(values)} switches") for name, values in samples.items()]
    rows.append(("ratio", f"original / animo = {ratio}"))
    print_report(f"Emotion LoRA switch, tiny model, CPU ({platform.processor() or 'CPU'}, "
                 f"{args.threads} thread(s))", rows,
                 {"original_ms_median": medians["original"],
                  "set_adapters_ms_median": medians["set_adapters"],
                  "animo_ms_median": medians["animo"], "ratio": ratio,
                  "switches": len(samples["animo"]), "threads": args.threads})
    return 0
