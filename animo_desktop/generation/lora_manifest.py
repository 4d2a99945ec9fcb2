"""The emotion LoRA manifest (`emotions.toml`): which LoRA, how strong, which words.

    directory = "D:/loras"            # optional: where the files are (default: beside this file)

    [emotions.anger]
    file = "anger.safetensors"        # optional: without it the emotion is prompt-only
    weight = 0.8                      # the LoRA's strength (the blend setting scales it)
    trigger_words = ["Angry", "Artstyle"]
    prompt_additions = ["thick impasto"]

    [few_step]                        # optional: an LCM-LoRA (or similar), fused once at load
    file = "lcm-lora-sdv1-5.safetensors"
    scheduler = "lcm"
    steps = 4
    guidance_scale = 1.5

A damaged manifest, or a folder that does not answer, never stops the app: what cannot be
read is reported as a warning and the emotions concerned are generated from the prompt
alone.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from animo_desktop.emotions import Emotion
from animo_desktop.folder_deadline import FolderStalled, FolderTrail, read_within_deadline
from animo_desktop.resources import RESOURCES_DIR

MANIFEST_NAME = "emotions.toml"
# The project's own LoRA folder (a source checkout or a bundle keeps it beside resources/).
DEFAULT_LORA_DIR = RESOURCES_DIR.parent / "lora"
LORA_DIR_VARIABLE = "ANIMO_LORA_DIR"
DEFAULT_WEIGHT = 0.8
FEW_STEP_SCHEDULERS = ("lcm",)


@dataclass(frozen=True)
class EmotionLora:
    emotion: Emotion
    file: Path | None = None
    weight: float = DEFAULT_WEIGHT
    trigger_words: tuple[str, ...] = ()
    prompt_additions: tuple[str, ...] = ()


@dataclass(frozen=True)
class FewStepLora:
    file: Path
    scheduler: str = "lcm"
    steps: int = 4
    guidance_scale: float = 1.5


@dataclass(frozen=True)
class LoraManifest:
    source: Path | None = None  # the manifest file; None when there is none
    emotions: dict[Emotion, EmotionLora] = field(default_factory=dict)
    few_step: FewStepLora | None = None
    folder: Path | None = None  # where its files are (`directory`, else beside it)

    def entry(self, emotion: Emotion) -> EmotionLora:
        return self.emotions.get(emotion) or EmotionLora(emotion)


def default_lora_dir() -> Path:
    """ANIMO_LORA_DIR when set, else the project's lora/ folder."""
    configured = os.environ.get(LORA_DIR_VARIABLE)
    return Path(configured).expanduser() if configured else DEFAULT_LORA_DIR


def load_manifest(location: Path | None = None) -> tuple[LoraManifest, list[str]]:
    """Read a manifest (a folder holding emotions.toml, or the file itself); a folder that
    does not answer in time (a network share that stalls) is told, as an unreadable
    manifest is."""
    location = Path(location) if location is not None else default_lora_dir()
    try:
        return read_within_deadline(lambda: _read_manifest(location), FolderTrail(location))
    except FolderStalled as error:
        return LoraManifest(), [f"LoRA folder {error} Every emotion is prompt-only."]


def manifest_file(location: Path) -> Path:
    """The manifest file of a LoRA folder (or the file itself); a path that does not exist
    yet is a folder, to hold a new manifest, unless it ends in .toml."""
    if location.is_dir() or not (location.is_file() or location.suffix == ".toml"):
        return location / MANIFEST_NAME
    return location


def _read_manifest(location: Path) -> tuple[LoraManifest, list[str]]:
    path = manifest_file(location)
    if not path.is_file():
        return LoraManifest(), [f"no LoRA manifest at {path}: every emotion is prompt-only"]
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    # ValueError: also a number of thousands of digits; RecursionError: nesting too deep.
    except (OSError, UnicodeDecodeError, ValueError, RecursionError) as error:
        return LoraManifest(path), [f"LoRA manifest {path} is unreadable ({error}): every "
                                    "emotion is prompt-only"]
    warnings: list[str] = []
    try:
        folder = path.parent / Path(str(raw.get("directory", "."))).expanduser()
    except RuntimeError as error:  # "~someone" of a user this machine does not know
        warnings.append(f"LoRA manifest {path}: directory {raw['directory']!r}: {error}; "
                        "looking beside the manifest")
        folder = path.parent
    emotions: dict[Emotion, EmotionLora] = {}
    for name, table in _tables(raw, "emotions", path, warnings).items():
        try:
            emotion = Emotion.parse(name)
            emotions[emotion] = _emotion_entry(emotion, table, folder)
        except (TypeError, ValueError) as error:
            warnings.append(f"LoRA manifest {path}, [emotions.{name}]: {error}; ignored")
    few_step = None
    if "few_step" in raw:
        try:
            few_step = _few_step_entry(raw["few_step"], folder)
        except (TypeError, ValueError, KeyError) as error:
            warnings.append(f"LoRA manifest {path}, [few_step]: {error}; ignored")
    return LoraManifest(path, emotions, few_step, folder), warnings


def _tables(raw: dict[str, Any], name: str, path: Path, warnings: list[str]) -> dict[str, Any]:
    tables = raw.get(name, {})
    if not isinstance(tables, dict):
        warnings.append(f"LoRA manifest {path}: [{name}] is not a table; ignored")
        return {}
    return tables


def _words(value: Any, key: str) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if not isinstance(value, list) or not all(isinstance(word, str) for word in value):
        raise TypeError(f"{key} must be a string or a list of strings")
    return tuple(value)


def _weight(value: Any, low: float, high: float, key: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
        raise ValueError(f"{key} must be a number in {low}..{high}")
    return float(value)


def _emotion_entry(emotion: Emotion, table: Any, folder: Path) -> EmotionLora:
    if not isinstance(table, dict):
        raise TypeError("not a table")
    file = table.get("file")
    return EmotionLora(
        emotion=emotion,
        file=folder / str(file) if file else None,
        weight=_weight(table.get("weight", DEFAULT_WEIGHT), 0.0, 2.0, "weight"),
        trigger_words=_words(table.get("trigger_words", []), "trigger_words"),
        prompt_additions=_words(table.get("prompt_additions", []), "prompt_additions"))


def _few_step_entry(table: Any, folder: Path) -> FewStepLora:
    if not isinstance(table, dict):
        raise TypeError("not a table")
    scheduler = str(table.get("scheduler", "lcm")).lower()
    if scheduler not in FEW_STEP_SCHEDULERS:
        raise ValueError(f"scheduler must be one of {FEW_STEP_SCHEDULERS}")
    steps = table.get("steps", 4)
    if isinstance(steps, bool) or not isinstance(steps, int) or not 1 <= steps <= 12:
        raise ValueError("steps must be an integer in 1..12")
    return FewStepLora(file=folder / str(table["file"]), scheduler=scheduler, steps=steps,
                       guidance_scale=_weight(table.get("guidance_scale", 1.5), 0.0, 3.0,
                                              "guidance_scale"))
