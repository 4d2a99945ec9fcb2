"""`animo render`: make artworks from the command line, no window, with Stable Diffusion
or with the built-in painter (`--backend painter`), the same backends the app uses.

Each PNG carries AUTOMATIC1111's `parameters` text and ANIMO's `animo:session` JSON.
"""

from __future__ import annotations

import argparse
import json
import secrets
import sys
from pathlib import Path

from animo_desktop.arguments import emotion, image_side, positive_int
from animo_desktop.emotions import accepted_emotion_words
from animo_desktop.generation.backend import add_model_arguments

NAME = "render"
HELP = ("make artworks for an emotion and write them as PNGs (Stable Diffusion, or "
        "--backend painter)")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--emotion", type=emotion, required=True, metavar="NAME",
                        help=f"one of {accepted_emotion_words()}")
    parser.add_argument("--backend", choices=("diffusion", "painter"), default="diffusion",
                        help="Stable Diffusion (the model found, or --model) or the built-in "
                             "painter, which needs no model and ignores the diffusion options")
    parser.add_argument("--prompt", default="", metavar="TEXT", help="the therapist's theme")
    parser.add_argument("--seed", type=int, help="first seed (default: random); the n-th "
                                                 "image uses seed + n")
    parser.add_argument("-n", "--count", type=positive_int, default=1, help="how many images")
    parser.add_argument("--steps", type=positive_int, default=20,
                        help="sampling steps (a few-step LoRA in the manifest sets its own)")
    parser.add_argument("--size", type=image_side,
                        help="image side in pixels (default: the model's own, 512 for SD 1.5)")
    parser.add_argument("--blend", type=float, default=1.0, help="LoRA blend weight, 0..1.5")
    parser.add_argument("--palette-strength", type=float, default=0.0,
                        help="start from the painter's artwork (img2img) with this strength")
    add_model_arguments(parser)
    parser.add_argument("--out", required=True, type=Path, metavar="DIR",
                        help="folder for the PNGs")


def run(args: argparse.Namespace) -> int:
    from animo_desktop.generation.artwork_parameters import PARAMETERS_KEY, a1111_parameters
    from animo_desktop.generation.model_locator import ModelLoadError
    from animo_desktop.messages import GenerationRequest
    from animo_desktop.session import SESSION_METADATA_KEY
    from animo_desktop.storage import atomic_write_png

    try:
        backend = _backend(args)
    except (ModelLoadError, ValueError) as error:
        print(f"animo render: {error}", file=sys.stderr)
        return 1
    first_seed = args.seed if args.seed is not None else secrets.randbelow(2**31)
    for index in range(args.count):
        request = GenerationRequest(index + 1, args.emotion, first_seed + index, args.prompt)
        artwork = backend.generate(request, lambda progress: True)
        metadata = artwork.metadata
        path = args.out / f"{args.emotion.value}-{metadata.seed}.png"
        atomic_write_png(path, artwork.image, {
            PARAMETERS_KEY: a1111_parameters(metadata),
            SESSION_METADATA_KEY: json.dumps(metadata.to_dict(), ensure_ascii=False)})
        print(f"{path}  ({metadata.generation_ms:.0f} ms, {metadata.lora or 'no LoRA'})")
    return 0


def _backend(args: argparse.Namespace):
    """The backend asked for; Stable Diffusion's warnings go to stderr. Never falls back to
    the painter: a render asked for Stable Diffusion fails with the reason instead."""
    if args.backend == "painter":
        from animo_desktop.generation.painter_backend import PainterBackend
        return PainterBackend()
    from animo_desktop.generation.backend import require_model
    from animo_desktop.generation.diffusion_backend import DiffusionBackend, DiffusionSettings

    settings = DiffusionSettings(steps=args.steps, size=args.size, blend_weight=args.blend,
                                 palette_strength=args.palette_strength)
    backend = DiffusionBackend(require_model(args.model), device=args.device,
                               lora_dir=args.lora_dir, settings=settings)
    for warning in backend.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    return backend
