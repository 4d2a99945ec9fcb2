"""The sampling settings that local diffusion and a ComfyUI server share, and the sampling
(scheduler, steps, guidance) they derive from these and the manifest's few-step LoRA.

Free of torch: a backend that sends its jobs to a server needs none.
"""

from __future__ import annotations

from dataclasses import dataclass

from animo_desktop.generation.lora_manifest import FewStepLora
from animo_desktop.messages import GenerationRequest

# A1111's scheduler names: they go into the artwork's `parameters` text as they are.
DEFAULT_SCHEDULER = "DPM++ 2M Karras"
FEW_STEP_SCHEDULER = "LCM"


@dataclass(frozen=True)
class DiffusionSettings:
    steps: int = 20
    guidance_scale: float = 7.0
    size: int | None = None  # pixels, square; None: the model's own (512 for SD 1.5)
    blend_weight: float = 1.0  # scales every emotion LoRA's manifest weight, 0..1.5
    # Palette guidance: start from the painter's artwork for the emotion (img2img) with
    # this strength; 0 starts from noise.
    palette_strength: float = 0.0
    # torch.compile backend for the UNet ("inductor"), or None. LoRA switches never
    # recompile (see lora_bank).
    compile_backend: str | None = None
    # Regenerations with the next seed when the safety checker flags an image.
    safety_retries: int = 2
    # torch threads when generating on the CPU; None: one per core but one, left to the
    # camera worker and the window. torch's default takes every core, and they fight: a
    # 20-step tiny-model artwork beside the camera took 2.2 s on one of this 2-core
    # machine's cores and 3 to 9 s on both (bench/README.md, soak).
    cpu_threads: int | None = None

    def lora_blend(self, request: GenerationRequest) -> float:
        """What scales the emotion LoRA's manifest weight for this request: the
        therapist's strength when the request carries one, else this setting."""
        return self.blend_weight if request.lora_strength is None else request.lora_strength


@dataclass(frozen=True)
class Sampling:
    scheduler: str  # DEFAULT_SCHEDULER or FEW_STEP_SCHEDULER
    steps: int
    guidance_scale: float


def choose_sampling(settings: DiffusionSettings, few_step: FewStepLora | None) -> Sampling:
    """The few-step LoRA's scheduler, steps and guidance when one is in use (it is trained
    for them), else DPM++ 2M Karras with the settings' steps and guidance."""
    if few_step is not None:
        return Sampling(FEW_STEP_SCHEDULER, few_step.steps, few_step.guidance_scale)
    return Sampling(DEFAULT_SCHEDULER, settings.steps, settings.guidance_scale)
