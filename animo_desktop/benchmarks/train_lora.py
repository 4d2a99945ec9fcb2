"""`animo bench train-lora`: seconds per LoRA training step and peak memory, with
`animo train-lora`'s own training loop (trainer.train_lora) and the recipe's settings.

Default: the tiny random model on the CPU, one thread, 64 px (a smoke run of the path).
`--full-size-random` trains on `bench generation`'s full SD 1.5 architecture with random
fp16 weights at 512 px (needs a CUDA GPU): fp16 mixed precision as on a real checkpoint.
The first steps (allocations, kernel choices) are left out of the median.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from animo_desktop.arguments import positive_int
from animo_desktop.benchmarks.report import print_report

NAME = "train-lora"
HELP = "seconds per LoRA training step and peak memory (the tiny model on the CPU)"
WARM_UP_STEPS = 2
TRAINING_IMAGES = 4


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--full-size-random", action="store_true",
                        help="full SD 1.5 architecture, random fp16 weights, 512 px (CUDA "
                             "only)")
    parser.add_argument("--steps", type=positive_int, default=20,
                        help=f"steps timed after {WARM_UP_STEPS} warm-up steps "
                             "(default %(default)s)")


def run(args: argparse.Namespace) -> int:
    import torch
    from PIL import Image

    from animo_desktop.benchmarks.probes import peak_rss_mib
    from animo_desktop.lora_training.image_folder import TrainingImage
    from animo_desktop.lora_training.recipe import DEFAULT_RESOLUTION, TrainingSettings
    from animo_desktop.lora_training.trainer import train_lora

    if args.full_size_random and not torch.cuda.is_available():
        print("animo bench train-lora --full-size-random needs a CUDA GPU (a full-size "
              "training step at 512 px takes tens of seconds on a CPU).")
        return 2
    if args.full_size_random:
        from animo_desktop.benchmarks.generation import full_size_random_pipeline

        pipeline, resolution = full_size_random_pipeline(), DEFAULT_RESOLUTION
        device_name = torch.cuda.get_device_name(0)
        torch.cuda.reset_peak_memory_stats()
    else:
        from animo_desktop.generation.tiny_model import TINY_IMAGE_SIZE, build_tiny_pipeline

        torch.set_num_threads(1)  # steadier figures, as bench generation's CPU run
        pipeline, resolution, device_name = build_tiny_pipeline(), TINY_IMAGE_SIZE, \
            "CPU, 1 thread"
    images = [TrainingImage(Path(f"colour {index}.png"), "Joy, Artstyle",
                            Image.new("RGB", (resolution, resolution), (40 * index, 90, 160)))
              for index in range(TRAINING_IMAGES)]
    step_ends: list[float] = []
    train_lora(pipeline, images,
               TrainingSettings(resolution=resolution, max_steps=WARM_UP_STEPS + args.steps),
               on_progress=lambda progress: step_ends.append(_synchronized_clock()))
    step_seconds = [end - start for start, end in
                    zip(step_ends[WARM_UP_STEPS - 1:], step_ends[WARM_UP_STEPS:])]
    seconds_per_step = round(statistics.median(step_seconds), 4)
    figures = {"model": "full_size_random" if args.full_size_random else "tiny",
               "device": device_name, "resolution": resolution, "steps": len(step_seconds),
               "seconds_per_step_median": seconds_per_step,
               "steps_per_second": round(1 / seconds_per_step, 2),
               "peak_rss_mib": round(peak_rss_mib())}
    if args.full_size_random:
        figures["peak_vram_gib"] = round(torch.cuda.max_memory_allocated() / 2**30, 2)
    model = ("full-size SD 1.5 (random fp16 weights)" if args.full_size_random
             else "tiny random model")
    rows = [("step, median", f"{seconds_per_step * 1000:.1f} ms "
                             f"({figures['steps_per_second']} steps/s) at {resolution} px"),
            ("peak memory", f"{figures['peak_rss_mib']} MiB resident"
             + (f", {figures['peak_vram_gib']} GiB VRAM" if args.full_size_random else ""))]
    print_report(f"LoRA training (rank 8, batch 1, Adafactor), {model}, {device_name}", rows,
                 figures)
    return 0


def _synchronized_clock() -> float:
    """time.perf_counter() once the GPU's queued work is done (CUDA runs asynchronously)."""
    import torch

    if torch.cuda.is_available():
        torch.cuda.synchronize()
    return time.perf_counter()
