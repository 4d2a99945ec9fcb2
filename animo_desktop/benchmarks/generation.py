"""`animo bench generation`: time from a confirmed emotion to the finished artwork.

Runs ANIMO's diffusion backend as the app does: each request switches to another
emotion's LoRA, then samples and decodes. Two configurations: DPM++ 2M Karras (20 steps)
and few-step sampling (an LCM-style LoRA fused at load, 4 steps, guidance 1.5).

Default: the tiny random model on the CPU (a smoke run). `--full-size-random` builds the
full SD 1.5 architecture from ANIMO's shipped configs with random fp16 weights and seven
rank-32 LoRAs, half of them in the Kohya layout as for the tiny model (needs a CUDA GPU):
the figures then stand for a real SD 1.5 checkpoint.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from animo_desktop.arguments import positive_int
from animo_desktop.benchmarks.report import median_ms, print_report
from animo_desktop.emotions import ALL_EMOTIONS

NAME = "generation"
HELP = "time emotion-to-artwork with the diffusion backend (20-step and 4-step sampling)"
FULL_SIZE_LORA_RANK = 32
# Random LoRAs at full size: small deltas keep the random network's activations finite.
FULL_SIZE_LORA_GAIN = 0.05


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--full-size-random", action="store_true",
                        help="full SD 1.5 architecture, random fp16 weights, rank-32 LoRAs "
                             "(CUDA only)")
    parser.add_argument("--per-emotion", type=positive_int, default=2, metavar="N",
                        help="artworks per emotion and configuration (default 2)")
    parser.add_argument("--steps", type=positive_int, default=20,
                        help="DPM++ steps (default 20)")
    parser.add_argument("--few-steps", type=positive_int, default=4,
                        help="few-step steps (default 4)")


def _write_model(folder: Path, full_size: bool):
    """Save the model and its LoRAs under folder: (model folder, LoRA folder, manifest
    text, few-step LoRA file)."""
    from animo_desktop.generation.lora_manifest import MANIFEST_NAME
    from animo_desktop.generation.tiny_model import write_random_loras, write_tiny_model

    if full_size:
        pipeline = full_size_random_pipeline()
        model_folder, lora_dir = folder / "sd15-random", folder / "lora"
        pipeline.save_pretrained(model_folder, safe_serialization=True)
        few_step = write_random_loras(pipeline, lora_dir, rank=FULL_SIZE_LORA_RANK,
                                      gain=FULL_SIZE_LORA_GAIN)
    else:
        model = write_tiny_model(folder)
        model_folder, lora_dir, few_step = model.folder, model.lora_dir, model.few_step_lora
    manifest = (lora_dir / MANIFEST_NAME).read_text(encoding="utf-8")
    return model_folder, lora_dir, manifest, few_step


def full_size_random_pipeline():
    import torch
    from diffusers import (AutoencoderKL, PNDMScheduler, StableDiffusionPipeline,
                           UNet2DConditionModel)
    from transformers import CLIPTextConfig, CLIPTextModel

    from animo_desktop.generation.clip_tokenizer import sd15_tokenizer
    from animo_desktop.generation.model_loading import SD15_CONFIG_DIR

    torch.manual_seed(0)
    with torch.device("cuda"):
        unet = UNet2DConditionModel.from_config(UNet2DConditionModel.load_config(SD15_CONFIG_DIR / "unet"))
        vae = AutoencoderKL.from_config(AutoencoderKL.load_config(SD15_CONFIG_DIR / "vae"))
        text_encoder = CLIPTextModel(CLIPTextConfig.from_pretrained(SD15_CONFIG_DIR / "text_encoder"))
    scheduler = PNDMScheduler.from_config(PNDMScheduler.load_config(SD15_CONFIG_DIR / "scheduler"))
    pipeline = StableDiffusionPipeline(
        vae=vae, text_encoder=text_encoder, tokenizer=sd15_tokenizer(), unet=unet,
        scheduler=scheduler, safety_checker=None, feature_extractor=None,
        requires_safety_checker=False)
    return pipeline.to(torch.float16)


def _measure(backend, per_emotion: int) -> dict[str, float]:
    """Median emotion-to-artwork and LoRA-switch times over requests that each change emotion."""
    import torch

    from animo_desktop.messages import GenerationRequest

    cuda = backend.device.device.type == "cuda"
    backend.generate(GenerationRequest(0, ALL_EMOTIONS[-1], 0), lambda progress: True)  # warm-up
    if cuda:
        torch.cuda.reset_peak_memory_stats()
    totals, switches = [], []
    for round_index in range(per_emotion):
        for emotion in ALL_EMOTIONS:
            if cuda:
                torch.cuda.synchronize()
            started = time.perf_counter()
            artwork = backend.generate(GenerationRequest(1, emotion, round_index), lambda p: True)
            if cuda:
                torch.cuda.synchronize()
            totals.append((time.perf_counter() - started) * 1000)
            switches.append(artwork.metadata.extra["timings_ms"]["lora_switch"])
    figures = {"ms_median": median_ms(totals), "switch_ms_median": median_ms(switches),
               "images_per_second": round(1000 / median_ms(totals), 2)}
    if cuda:
        figures["peak_vram_gib"] = round(torch.cuda.max_memory_allocated() / 2**30, 2)
    return figures


def run(args: argparse.Namespace) -> int:
    import torch

    from animo_desktop.generation.diffusion_backend import DiffusionBackend, DiffusionSettings
    from animo_desktop.generation.lora_manifest import MANIFEST_NAME
    from animo_desktop.generation.model_locator import ModelSource

    if args.full_size_random and not torch.cuda.is_available():
        print("animo bench generation --full-size-random needs a CUDA GPU (a full-size step "
              "takes about 8 s on a CPU).")
        return 2
    device = "cuda" if args.full_size_random else "cpu"
    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory(prefix="animo-bench-generation-") as folder:
        model_folder, lora_dir, manifest, few_step = _write_model(Path(folder), args.full_size_random)
        source = ModelSource(model_folder, "diffusers folder")
        few_step_dir = Path(folder) / "few-step-manifest"
        few_step_dir.mkdir()
        (few_step_dir / MANIFEST_NAME).write_text(
            f'directory = "{lora_dir}"\n{manifest}\n[few_step]\nfile = "{few_step.name}"\n'
            f"steps = {args.few_steps}\nguidance_scale = 1.5\n", encoding="utf-8")
        for name, manifest_dir in ((f"dpm++_{args.steps}_steps", lora_dir),
                                   (f"few_step_{args.few_steps}_steps", few_step_dir)):
            backend = DiffusionBackend(source, device=device, lora_dir=manifest_dir,
                                       # The tiny model is fastest, and steadiest, on one
                                       # thread (a GPU run ignores it).
                                       settings=DiffusionSettings(steps=args.steps,
                                                                  cpu_threads=1))
            results[name] = _measure(backend, args.per_emotion)
            results[name]["size"] = backend.size
            del backend
            if torch.cuda.is_available():
                torch.cuda.empty_cache()
    rows = [(name, f"{figures['ms_median']:.1f} ms emotion-to-artwork, "
                   f"{figures['images_per_second']} images/s, LoRA switch "
                   f"{figures['switch_ms_median']:.2f} ms"
                   + (f", peak VRAM {figures['peak_vram_gib']} GiB" if "peak_vram_gib" in figures else ""))
            for name, figures in results.items()]
    model = "full-size SD 1.5 (random fp16 weights, rank-32 LoRAs)" if args.full_size_random \
        else "tiny random model"
    device_name = torch.cuda.get_device_name(0) if args.full_size_random else "CPU, 1 thread"
    print_report(f"Emotion to artwork, {model}, {device_name}", rows,
                 {"model": "full_size_random" if args.full_size_random else "tiny",
                  "device": device_name, **{f"{name}.{key}": value for name, figures in
                                            results.items() for key, value in figures.items()}})
    return 0
