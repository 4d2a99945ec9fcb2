"""Typed messages carried by Qt signals between the workers and the window.

Each message is an immutable value: a worker builds it, a signal carries it, the
receiver reads it. Nothing is shared or mutated across threads.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from PIL import Image

from animo_desktop.emotions import Emotion
from animo_desktop.json_fields import NUMBER, OPTIONAL_TEXT, json_field


def sentence(text: str) -> str:
    """The text ended with a full stop, unless it ends as a sentence already: an error's
    words followed by a sentence of ours would otherwise read "... version.. That"."""
    return text if text.endswith((".", "!", "?")) else f"{text}."


@dataclass(frozen=True)
class EmotionReading:
    """An emotion confirmed by the camera worker, or pinned by the therapist."""

    emotion: Emotion
    probabilities: Mapping[Emotion, float]
    timestamp: float
    source: str  # "camera" or "pinned"


@dataclass(frozen=True)
class FrameReading:
    """The camera worker's view of one frame: what this frame alone says (probabilities),
    what the smoother believes after it (smoothed over the last few frames) and the emotion
    it has confirmed, and whether a face is seen."""

    probabilities: Mapping[Emotion, float]
    face_present: bool
    timestamp: float
    smoothed: Mapping[Emotion, float]
    confirmed: Emotion


@dataclass(frozen=True)
class GenerationRequest:
    job_id: int
    emotion: Emotion
    seed: int
    theme: str = ""
    # Where the worker saves the finished artwork (PNG + JSON sidecar); None: keep in memory.
    save_as: Path | None = None
    # Scales the emotion LoRA's manifest weight (0..1.5); None: the backend's setting.
    lora_strength: float | None = None


@dataclass(frozen=True)
class ArtworkMetadata:
    created_at: str  # ISO 8601, local time with offset
    emotion: Emotion
    backend: str
    seed: int
    prompt: str
    generation_ms: float
    model: str | None = None
    lora: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "time": self.created_at,
            "emotion": self.emotion.value,
            "backend": self.backend,
            "seed": self.seed,
            "prompt": self.prompt,
            "model": self.model,
            "lora": self.lora,
            "generation_ms": round(self.generation_ms, 1),
            **({"extra": dict(self.extra)} if self.extra else {}),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "ArtworkMetadata":
        return cls(
            created_at=json_field(data, "time", str),
            emotion=Emotion(json_field(data, "emotion", str)),
            backend=json_field(data, "backend", str),
            seed=json_field(data, "seed", int),
            prompt=json_field(data, "prompt", str, ""),
            generation_ms=float(json_field(data, "generation_ms", NUMBER, 0.0)),
            model=json_field(data, "model", OPTIONAL_TEXT, None),
            lora=json_field(data, "lora", OPTIONAL_TEXT, None),
            extra=dict(json_field(data, "extra", dict, {})),
        )


@dataclass(frozen=True)
class Artwork:
    job_id: int
    image: Image.Image
    metadata: ArtworkMetadata
    saved_to: Path | None = None


@dataclass(frozen=True)
class GenerationProgress:
    job_id: int
    step: int
    total_steps: int
    preview: Image.Image | None = None


@dataclass(frozen=True)
class BackendInfo:
    name: str  # "painter" or "diffusion"
    device: str  # "CPU", "CUDA: <GPU name>", ...
    detail: str = ""


@dataclass(frozen=True)
class WorkerError:
    source: str  # "generation", "camera", "session", ...
    message: str  # one sentence for the therapist
    detail: str = ""  # technical detail for the log


@dataclass(frozen=True)
class LoraTrained:
    """A LoRA the app trained is written and the manifest points at it: the generation
    worker loads it in place of the emotion's old one."""

    emotion: Emotion
    lora: Path
    manifest: Path
