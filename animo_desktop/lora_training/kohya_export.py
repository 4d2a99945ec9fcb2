"""The trained LoRA as a Kohya-format safetensors file, as AUTOMATIC1111, ComfyUI and
Civitai's tools read it: `lora_unet_*` and `lora_te_*` keys with `lora_down`, `lora_up`
and `alpha`, fp16 as the recipe saved them, and Kohya's `ss_*` metadata.

ComfyUI silently ignores a LoRA in diffusers' own layout (measured: 0 of 64 tensors
applied), hence Kohya's. diffusers' `convert_state_dict_to_kohya` names SD 1.5's text
encoder `lora_te1_` (SDXL's first encoder); Kohya's SD 1.5 files say `lora_te_`.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import torch

from animo_desktop import __version__
from animo_desktop.lora_training.buckets import bucket_sizes
from animo_desktop.lora_training.image_folder import ImageFolder
from animo_desktop.lora_training.recipe import ADAFACTOR_OPTIONS, MAX_GRADIENT_NORM
from animo_desktop.lora_training.trainer import TrainedLora
from animo_desktop.storage import atomic_write_bytes

SAVE_DTYPE = torch.float16
_DIFFUSERS_TEXT_ENCODER_STEM = "lora_te1_"
KOHYA_TEXT_ENCODER_STEM = "lora_te_"


def kohya_tensors(trained: TrainedLora) -> dict[str, torch.Tensor]:
    """The LoRA's matrices under Kohya's keys, each layer with its alpha, in fp16."""
    from diffusers.utils import convert_state_dict_to_kohya

    peft_layers = {f"unet.{key}": tensor for key, tensor in trained.unet_layers.items()}
    for key, tensor in trained.text_encoder_layers.items():
        # Kohya's names start at CLIP's text_model, which transformers 5 no longer nests.
        peft_layers[f"text_encoder.{'' if key.startswith('text_model.') else 'text_model.'}"
                    f"{key}"] = tensor
    tensors = {}
    for key, tensor in convert_state_dict_to_kohya(peft_layers).items():
        if key.startswith(_DIFFUSERS_TEXT_ENCODER_STEM):
            key = KOHYA_TEXT_ENCODER_STEM + key.removeprefix(_DIFFUSERS_TEXT_ENCODER_STEM)
        if key.endswith(".alpha"):  # diffusers writes the rank as an integer
            tensor = torch.tensor(trained.settings.alpha)
        tensors[key] = tensor.to(SAVE_DTYPE).contiguous()
    return tensors


def tag_frequencies(folder: ImageFolder) -> dict[str, int]:
    """How often each comma-separated caption tag occurs (Kohya's ss_tag_frequency)."""
    return dict(Counter(tag.strip() for image in folder.images
                        for tag in image.caption.split(",") if tag.strip()))


def kohya_metadata(trained: TrainedLora, folder: ImageFolder, model_name: str,
                   output_name: str) -> dict[str, str]:
    """Kohya's ss_* training metadata (every value a string, as safetensors wants)."""
    settings = trained.settings
    images_with_repeats = len(folder.images) * settings.repeats
    sizes = Counter(image.pixels.size for image in folder.images)
    bucket_counts = list(sizes.values())
    dataset_key = folder.folder.name
    learning_rate = str(settings.learning_rate)
    values = {
        "ss_output_name": output_name,
        "ss_sd_model_name": model_name,
        "ss_base_model_version": "sd_v1",
        "ss_v2": False,
        "ss_network_module": "networks.lora",
        "ss_network_dim": settings.rank,
        "ss_network_alpha": settings.alpha,
        "ss_num_epochs": settings.epochs,
        "ss_epoch": trained.epochs,
        "ss_steps": trained.steps,
        "ss_max_train_steps": settings.total_steps(bucket_counts),
        "ss_num_batches_per_epoch": settings.steps_per_epoch(bucket_counts),
        "ss_num_train_images": images_with_repeats,
        "ss_num_reg_images": 0,
        "ss_batch_size_per_device": settings.batch_size,
        "ss_total_batch_size": settings.batch_size,
        "ss_gradient_accumulation_steps": 1,
        "ss_learning_rate": learning_rate,
        "ss_unet_lr": learning_rate,
        "ss_text_encoder_lr": learning_rate,
        "ss_lr_scheduler": "constant",
        "ss_lr_warmup_steps": 0,
        "ss_optimizer": "transformers.optimization.Adafactor(" + ",".join(
            f"{name}={value}" for name, value in ADAFACTOR_OPTIONS.items()) + ")",
        "ss_max_grad_norm": MAX_GRADIENT_NORM,
        "ss_mixed_precision": "fp16" if trained.mixed_precision else "no",
        "ss_resolution": f"({settings.resolution}, {settings.resolution})",
        "ss_enable_bucket": True,
        "ss_min_bucket_reso": min(min(size) for size in bucket_sizes(settings.resolution)),
        "ss_max_bucket_reso": max(max(size) for size in bucket_sizes(settings.resolution)),
        "ss_bucket_no_upscale": False,
        "ss_bucket_info": json.dumps({"buckets": {
            str(number): {"resolution": list(size), "count": count * settings.repeats}
            for number, (size, count) in enumerate(sorted(sizes.items()))}}),
        "ss_cache_latents": True,
        "ss_seed": settings.seed,
        "ss_training_started_at": trained.started_at,
        "ss_training_finished_at": trained.finished_at,
        "ss_training_comment": f"trained with ANIMO {__version__}",
        "ss_dataset_dirs": json.dumps({dataset_key: {"n_repeats": settings.repeats,
                                                     "img_count": len(folder.images)}},
                                      ensure_ascii=False),
        "ss_tag_frequency": json.dumps({dataset_key: tag_frequencies(folder)},
                                       ensure_ascii=False),
    }
    return {key: str(value) for key, value in values.items()}


def write_lora_file(path: Path, tensors: dict[str, torch.Tensor],
                    metadata: dict[str, str]) -> None:
    """Write atomically: a full disk leaves the old file (or none), never half a LoRA. The
    file is meant to be shared with other tools: it gets the usual file mode."""
    from safetensors.torch import save

    atomic_write_bytes(path, save(tensors, metadata), shared=True)
