"""`animo make-tiny-model DIR`: a tiny random SD 1.5-shaped model and seven emotion LoRAs.

For tests and demos only, built offline: its images are noise.
"""

from __future__ import annotations

import argparse
from pathlib import Path

NAME = "make-tiny-model"
HELP = "build a tiny RANDOM test model and emotion LoRAs (offline; its images are noise)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("directory", type=Path, metavar="DIR", help="where to write it")
    parser.add_argument("--seed", type=int, default=0, help="seed of the random weights")


def run(args: argparse.Namespace) -> int:
    from animo_desktop.generation.tiny_model import NOTICE, write_tiny_model

    model = write_tiny_model(args.directory, args.seed)
    print(NOTICE.strip())
    print(f"diffusers folder   {model.folder}")
    print(f"emotion LoRAs      {model.lora_dir}")
    print(f"few-step LoRA      {model.few_step_lora} (random; add a [few_step] table to use it)")
    print(f"try: animo render --model {model.folder} --lora-dir {model.lora_dir} "
          "--emotion joy --size 64 --out renders")
    return 0
