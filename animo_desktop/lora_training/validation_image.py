"""The validation image: after each epoch, the LoRA being trained paints its caption at the
training seed, the same every epoch, so that the artist sees the style arrive.

Written atomically beside the LoRA (`joy.epoch-3.png`) with the PNG text every ANIMO
artwork carries: AUTOMATIC1111's `parameters` and ANIMO's `animo:session` JSON.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path

import torch

from animo_desktop.emotions import Emotion
from animo_desktop.generation.artwork_parameters import PARAMETERS_KEY, a1111_parameters
from animo_desktop.generation.diffusion_backend import DiffusionSettings
from animo_desktop.generation.prompts import NEGATIVE_PROMPT
from animo_desktop.messages import ArtworkMetadata
from animo_desktop.session import SESSION_METADATA_KEY, now_iso
from animo_desktop.storage import atomic_write_png

BACKEND_NAME = "train-lora validation"


@dataclass(frozen=True)
class ValidationImage:
    """What each epoch's image is drawn from: all but the epoch stay the same."""
    lora: Path  # the LoRA file being trained; the images go beside it
    emotion: Emotion
    prompt: str  # the emotion's trigger words, the default caption
    seed: int
    size: int
    model: str


def validation_image_path(lora: Path, epoch: int) -> Path:
    return lora.with_name(f"{lora.stem}.epoch-{epoch}.png")


def write_validation_image(pipeline, validation: ValidationImage, epoch: int, step: int
                           ) -> Path:
    """Paint with the LoRA as it is now (the pipeline in eval mode, under the training's
    precision) and write the PNG; returns its path."""
    # The session's sampling settings, so the image shows what a session would paint.
    sampling = DiffusionSettings()
    started = time.perf_counter()
    output = pipeline(validation.prompt, negative_prompt=NEGATIVE_PROMPT,
                      height=validation.size, width=validation.size,
                      num_inference_steps=sampling.steps,
                      guidance_scale=sampling.guidance_scale,
                      generator=torch.Generator("cpu").manual_seed(validation.seed))
    image = output.images[0]
    path = validation_image_path(validation.lora, epoch)
    metadata = ArtworkMetadata(
        created_at=now_iso(), emotion=validation.emotion, backend=BACKEND_NAME,
        seed=validation.seed, prompt=validation.prompt,
        generation_ms=(time.perf_counter() - started) * 1000, model=validation.model,
        lora=validation.lora.name,
        extra={"negative_prompt": NEGATIVE_PROMPT, "steps": sampling.steps,
               "scheduler": type(pipeline.scheduler).__name__,
               "guidance_scale": sampling.guidance_scale, "size": list(image.size),
               "lora_weight": 1.0, "epoch": epoch, "training_step": step})
    atomic_write_png(path, image, {
        PARAMETERS_KEY: a1111_parameters(metadata),
        SESSION_METADATA_KEY: json.dumps(metadata.to_dict(), ensure_ascii=False)})
    return path
