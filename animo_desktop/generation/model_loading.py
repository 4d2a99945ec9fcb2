"""Loading a located Stable Diffusion 1.5 model offline, on the chosen device.

Single files are loaded with the SD 1.5 component configs shipped in sd15_config/ and
CLIP's vocabulary built from the shipped BPE merges, so nothing is ever fetched.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterable

import torch

from animo_desktop.generation.backend import DEVICE_CHOICES
from animo_desktop.generation.model_locator import (ModelLoadError, ModelSource,
                                                    not_regular_files)
from animo_desktop.generation.safetensors_header import damaged, not_sd15

log = logging.getLogger(__name__)

SD15_CONFIG_DIR = Path(__file__).resolve().parent / "sd15_config"
LoadProgress = Callable[[str], None]


def first_line(error: BaseException) -> str:
    """An exception's first line, for one-sentence messages (the log keeps the rest)."""
    lines = str(error).strip().splitlines()
    return lines[0] if lines else type(error).__name__


def quiet_libraries() -> None:
    """No console progress bars or load reports from diffusers and transformers: ANIMO
    reports loading itself, and a desktop app has no console to show them."""
    import diffusers
    import transformers

    diffusers.utils.logging.disable_progress_bar()
    transformers.utils.logging.disable_progress_bar()
    transformers.utils.logging.set_verbosity_error()


@dataclass(frozen=True)
class DeviceChoice:
    device: torch.device
    dtype: torch.dtype
    description: str  # for the status bar: "CPU", "CUDA: <GPU name>"


def choose_device(preference: str = "auto") -> tuple[DeviceChoice, list[str]]:
    """fp16 on CUDA, fp32 on CPU; asking for CUDA without one falls back with a warning."""
    if preference not in DEVICE_CHOICES:
        raise ValueError(f"unknown device {preference!r}; expected one of {DEVICE_CHOICES}")
    warnings = []
    if preference in ("auto", "cuda") and torch.cuda.is_available():
        return DeviceChoice(torch.device("cuda"), torch.float16,
                            f"CUDA: {torch.cuda.get_device_name(0)}"), warnings
    if preference == "cuda":
        warnings.append("No CUDA GPU is available: the model runs on the CPU (slowly).")
    return DeviceChoice(torch.device("cpu"), torch.float32, "CPU"), warnings


def load_pipeline(source: ModelSource, device: DeviceChoice, config_dir: Path | None = None,
                  on_progress: LoadProgress = lambda text: None):
    """The Stable Diffusion pipeline of this model on this device (safetensors only).

    config_dir: the diffusers configs a single file is read with (default: SD 1.5's).
    """
    quiet_libraries()  # first: importing the pipeline already warns
    from diffusers import StableDiffusionPipeline

    on_progress(f"Loading model {source.name}")
    if source.kind == "single file":
        if damage := damaged(source.path):
            raise ModelLoadError(f"the model {source.path} {damage}")
        if config_dir is None and (other := not_sd15(source.path)):
            raise ModelLoadError(f"the model {source.path} is {other}: ANIMO needs a Stable "
                                 "Diffusion 1.5 checkpoint")
    elif special := not_regular_files(source.path):
        raise ModelLoadError(f"the model folder {source.path} holds "
                             f"{special[0].relative_to(source.path)}, which is not a regular "
                             "file (a named pipe or a device, whose reading could wait forever)")
    try:
        if source.kind == "single file":
            config_dir = config_dir or SD15_CONFIG_DIR
            pipeline = StableDiffusionPipeline.from_single_file(
                str(source.path), config=str(config_dir), local_files_only=True,
                dtype=device.dtype, safety_checker=None, feature_extractor=None,
                requires_safety_checker=False, **_tokenizer_unless_in(config_dir))
        else:
            pipeline = StableDiffusionPipeline.from_pretrained(
                str(source.path), local_files_only=True, use_safetensors=True,
                dtype=device.dtype)
    except Exception as error:  # diffusers raises many types for a damaged model
        log.exception("model %s failed to load", source.path)
        raise ModelLoadError(f"the model {source.path} could not be loaded: "
                             f"{first_line(error)}") from error
    on_progress(f"Moving model to {device.description}")
    pipeline.set_progress_bar_config(disable=True)
    pipeline = _detached_from_files(pipeline.to(device.device))
    weights = _named_weights(pipeline)
    # Checked as they will be used (fp16 on a GPU): a NaN or an infinity anywhere turns
    # every artwork black.
    if bad := non_finite_tensors(weights):
        raise ModelLoadError(f"the model {source.path} holds weights that are not finite "
                             f"numbers (NaN or infinity) in {len(bad)} of its {len(weights)} "
                             f"tensors, first {bad[0]}: a damaged or badly merged model")
    return pipeline


def non_finite_tensors(named: Iterable[tuple[str, torch.Tensor]]) -> list[str]:
    """The names of the floating-point tensors that hold a NaN or an infinity. One tensor
    at a time, on its own device: the check needs at most a boolean copy of the largest."""
    return [name for name, tensor in named
            if tensor.is_floating_point() and not bool(torch.isfinite(tensor).all())]


def _named_weights(pipeline) -> list[tuple[str, torch.Tensor]]:
    """Every parameter and buffer of the pipeline's models, named 'component.path'."""
    return [(f"{component_name}.{name}", tensor)
            for component_name, component in pipeline.components.items()
            if isinstance(component, torch.nn.Module)
            for name, tensor in (*component.named_parameters(), *component.named_buffers())]


def _detached_from_files(pipeline):
    """On the CPU the weights are still memory-mapped from the model's files: a file
    rewritten or cut short during the session would change the model or kill the process
    (SIGBUS). Each tensor gets memory of its own, one at a time; the model touches every
    weight at every step anyway, so the memory it holds barely changes."""
    for _, tensor in _named_weights(pipeline):
        if tensor.device.type == "cpu":
            tensor.data = tensor.data.clone()
    return pipeline


def _tokenizer_unless_in(config_dir: Path) -> dict:
    if (config_dir / "tokenizer" / "tokenizer_config.json").is_file():
        return {}
    from animo_desktop.generation.clip_tokenizer import sd15_tokenizer
    return {"tokenizer": sd15_tokenizer()}


def model_hash(source: ModelSource) -> str:
    """AUTOMATIC1111's short model hash: the first 10 hex digits of the weights' SHA-256
    (the checkpoint file, or a diffusers folder's UNet weights)."""
    if source.kind == "single file":
        weights = source.path
    else:
        candidates = sorted((source.path / "unet").glob("*.safetensors"))
        if not candidates:
            return ""
        weights = candidates[0]
    stat = weights.stat()
    return _sha256_prefix(weights, stat.st_size, stat.st_mtime_ns)


@lru_cache(maxsize=16)
def _sha256_prefix(path: Path, size: int, mtime_ns: int) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(1 << 22):
            digest.update(chunk)
    return digest.hexdigest()[:10]
