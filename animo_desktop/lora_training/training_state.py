"""The state a training resumes from (`--resume`: one stopped, or a finished one given more
epochs), saved beside the LoRA: the
tensors (LoRA weights, the optimiser's moments, the generator's RNG state, the epoch's
batches) in `NAME.training-state.safetensors`, everything else (step, epoch, losses,
settings, the optimiser's numbers) in `NAME.training-state.json`. Never pickle: a state
file handed on must not be able to run code.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import torch
from safetensors import SafetensorError, safe_open
from safetensors.torch import save as save_tensors

from animo_desktop.lora_training.recipe import TrainingSettings
from animo_desktop.storage import atomic_write_bytes, atomic_write_json

FORMAT_VERSION = 2  # 2: the epoch's batches within aspect-ratio buckets
UNET_PREFIX, TEXT_ENCODER_PREFIX = "unet.", "text_encoder."
OPTIMIZER_PREFIX = "optimizer."
GENERATOR_KEY, EPOCH_ORDER_KEY = "generator_state", "epoch_order"


class TrainingStateError(Exception):
    """No state to resume from, or one that does not belong to this training."""


@dataclass(frozen=True)
class TrainingState:
    settings: TrainingSettings
    image_count: int
    epoch: int  # from 1: the epoch under way
    epoch_order: torch.Tensor  # that epoch's batches: image indices, a row each, -1 padded
    epoch_position: int  # its batches already done
    losses: tuple[float, ...]  # one per step done
    unet_layers: dict[str, torch.Tensor]
    text_encoder_layers: dict[str, torch.Tensor]
    optimizer_state: dict[str, Any]  # torch's Optimizer.state_dict()
    scaler_state: dict[str, Any]
    generator_state: torch.Tensor

    @property
    def step(self) -> int:
        return len(self.losses)


def training_state_paths(lora: Path) -> tuple[Path, Path]:
    stem = f"{lora.stem}.training-state"
    return lora.with_name(f"{stem}.safetensors"), lora.with_name(f"{stem}.json")


def save_training_state(lora: Path, state: TrainingState) -> None:
    """The tensors first, then the JSON, each atomically: a JSON names the step its
    tensors file must carry, so a pair from two different saves is refused."""
    tensors_path, json_path = training_state_paths(lora)
    tensors = {GENERATOR_KEY: state.generator_state, EPOCH_ORDER_KEY: state.epoch_order}
    tensors.update({UNET_PREFIX + key: value for key, value in state.unet_layers.items()})
    tensors.update({TEXT_ENCODER_PREFIX + key: value
                    for key, value in state.text_encoder_layers.items()})
    optimizer_numbers: dict[str, dict[str, Any]] = {}
    for index, parameter_state in state.optimizer_state["state"].items():
        for name, value in parameter_state.items():
            if isinstance(value, torch.Tensor):
                tensors[f"{OPTIMIZER_PREFIX}{index}.{name}"] = value.detach().cpu().contiguous()
            else:
                optimizer_numbers.setdefault(str(index), {})[name] = value
    step = str(state.step)
    atomic_write_bytes(tensors_path, save_tensors(tensors, metadata={"step": step}))
    atomic_write_json(json_path, {
        "format": FORMAT_VERSION, "step": state.step, "settings": asdict(state.settings),
        "image_count": state.image_count, "epoch": state.epoch,
        "epoch_position": state.epoch_position, "losses": list(state.losses),
        "optimizer_numbers": optimizer_numbers,
        "optimizer_param_groups": state.optimizer_state["param_groups"],
        "scaler_state": state.scaler_state})


def load_training_state(lora: Path, settings: TrainingSettings, image_count: int
                        ) -> TrainingState:
    tensors_path, json_path = training_state_paths(lora)
    if not json_path.is_file() or not tensors_path.is_file():
        raise TrainingStateError(
            f"--resume: no saved training state for {lora.name} ({json_path} is missing): "
            "a training stopped with Ctrl+C saves one; start without --resume")
    try:
        saved = json.loads(json_path.read_text(encoding="utf-8"))
        with safe_open(str(tensors_path), "pt") as opened:
            tensors = {key: opened.get_tensor(key) for key in opened.keys()}
            tensors_step = (opened.metadata() or {}).get("step")
    except (OSError, ValueError, SafetensorError) as error:
        raise TrainingStateError(f"--resume: the training state {json_path} cannot be read "
                                 f"({error})") from error
    if saved.get("format") != FORMAT_VERSION:
        raise TrainingStateError(f"--resume: {json_path} was saved by another version of "
                                 "ANIMO; start without --resume")
    if str(saved.get("step")) != tensors_step:
        raise TrainingStateError(f"--resume: {json_path} and {tensors_path.name} come from "
                                 "different saves; start without --resume")
    if _beyond_length(saved["settings"]) != _beyond_length(asdict(settings)) \
            or saved["image_count"] != image_count:
        raise TrainingStateError(
            f"--resume: the state in {json_path} was saved by a training with other "
            f"settings or images ({saved['settings']}, {saved['image_count']} images): "
            "resume with the same command, or start without --resume")
    optimizer_state: dict[int, dict[str, Any]] = {}
    for index, numbers in saved["optimizer_numbers"].items():
        optimizer_state.setdefault(int(index), {}).update(numbers)
    for key, value in tensors.items():
        if key.startswith(OPTIMIZER_PREFIX):
            index, name = key[len(OPTIMIZER_PREFIX):].split(".", 1)
            optimizer_state.setdefault(int(index), {})[name] = value
    return TrainingState(
        settings=settings, image_count=image_count, epoch=saved["epoch"],
        epoch_order=tensors[EPOCH_ORDER_KEY], epoch_position=saved["epoch_position"],
        losses=tuple(saved["losses"]),
        unet_layers=_with_prefix(tensors, UNET_PREFIX),
        text_encoder_layers=_with_prefix(tensors, TEXT_ENCODER_PREFIX),
        optimizer_state={"state": optimizer_state,
                         "param_groups": saved["optimizer_param_groups"]},
        scaler_state=saved["scaler_state"], generator_state=tensors[GENERATOR_KEY])


def _beyond_length(settings: dict[str, Any]) -> dict[str, Any]:
    """The settings but how long the training runs: a resumed one may run longer."""
    return {key: value for key, value in settings.items()
            if key not in ("epochs", "max_steps")}


def _with_prefix(tensors: dict[str, torch.Tensor], prefix: str) -> dict[str, torch.Tensor]:
    return {key[len(prefix):]: value for key, value in tensors.items()
            if key.startswith(prefix)}
