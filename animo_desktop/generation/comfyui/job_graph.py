"""One generation request as a ComfyUI API-format prompt graph of stock nodes, so that
any ComfyUI server runs it without custom nodes.

    checkpoint -> [few-step LoRA] -> [emotion LoRA] -> CLIPTextEncode x 2 -> KSampler
    (from EmptyLatentImage, or the painter's artwork: LoadImage -> VAEEncode) -> VAEDecode
    -> SaveImageWebsocket

The prompt, sampling and LoRA weight come from the same settings and manifest as local
diffusion (prompts, diffusion_settings), so both backends describe an artwork alike.
SaveImageWebsocket returns the image over the socket and stores nothing on the server.
With palette guidance the painter's artwork is uploaded first to the server's temp
folder (emptied when the server starts), one file per room that each job overwrites.
Node ids are words, so the server's error about a node ("emotion_lora") says which.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from animo_desktop.generation.comfyui.server_inventory import ServerInventory
from animo_desktop.generation.diffusion_settings import (DEFAULT_SCHEDULER, FEW_STEP_SCHEDULER,
                                                         DiffusionSettings, Sampling,
                                                         choose_sampling)
from animo_desktop.generation.lora_manifest import LoraManifest
from animo_desktop.generation.prompts import NEGATIVE_PROMPT, build_prompt
from animo_desktop.messages import GenerationRequest

# ANIMO's scheduler (A1111's name) -> ComfyUI's KSampler sampler_name and scheduler.
COMFYUI_SAMPLERS = {DEFAULT_SCHEDULER: ("dpmpp_2m", "karras"),
                    FEW_STEP_SCHEDULER: ("lcm", "sgm_uniform")}
SD15_SIZE = 512  # pixels, square: SD 1.5's own, when the settings name none
# The nodes whose messages the client follows (job_tracker): steps, and the artwork.
SAMPLER_NODE = "sampler"
OUTPUT_NODE = "save"


@dataclass(frozen=True)
class JobGraph:
    nodes: dict[str, dict[str, Any]]  # the API-format prompt: node id -> class_type, inputs
    prompt: str
    checkpoint: str
    lora: str | None  # the server's name for the emotion LoRA; None: prompt-only
    lora_weight: float  # 0.0 when no emotion LoRA acts
    few_step_lora: str | None
    sampling: Sampling
    size: int
    palette_strength: float  # 0.0: from noise; else the share of the schedule sampled


def build_job_graph(request: GenerationRequest, checkpoint: str, manifest: LoraManifest,
                    settings: DiffusionSettings, inventory: ServerInventory,
                    guide_image: str | None = None) -> JobGraph:
    """The graph for one request. A LoRA the server lacks is left out: the emotion is
    then prompt-only (and a missing few-step LoRA means the usual sampling). With
    `guide_image` (the server's name for the painter's uploaded artwork) and a palette
    strength, sampling starts from it as local diffusion's img2img does."""
    few_step = manifest.few_step
    few_step_lora = inventory.lora_named(few_step.file.name) if few_step else None
    sampling = choose_sampling(settings, few_step if few_step_lora else None)
    entry = manifest.entry(request.emotion)
    lora = inventory.lora_named(entry.file.name) if entry.file else None
    lora_weight = entry.weight * settings.lora_blend(request) if lora else 0.0
    if not lora_weight:
        lora = None
    prompt = build_prompt(request.emotion, request.theme, entry,
                          with_trigger_words=lora is not None)
    size = artwork_size(settings)

    nodes: dict[str, dict[str, Any]] = {
        "checkpoint": _node("CheckpointLoaderSimple", ckpt_name=checkpoint)}
    model, clip = ["checkpoint", 0], ["checkpoint", 1]
    # The few-step LoRA first: local diffusion fuses it into the base weights.
    for node_id, name, weight in (("few_step_lora", few_step_lora, 1.0),
                                  ("emotion_lora", lora, lora_weight)):
        if name:
            nodes[node_id] = _node("LoraLoader", model=model, clip=clip, lora_name=name,
                                   strength_model=weight, strength_clip=weight)
            model, clip = [node_id, 0], [node_id, 1]
    sampler_name, scheduler = COMFYUI_SAMPLERS[sampling.scheduler]
    strength = settings.palette_strength if guide_image else 0.0
    steps = sampling.steps
    if strength:
        # As diffusers' img2img: the last `strength` of a `steps` schedule. KSampler's
        # denoise spreads its own steps over that share, so it is given that many.
        steps = max(1, int(sampling.steps * strength))
        nodes["guide"] = _node("LoadImage", image=guide_image)
        nodes["latent"] = _node("VAEEncode", pixels=["guide", 0], vae=["checkpoint", 2])
    else:
        nodes["latent"] = _node("EmptyLatentImage", width=size, height=size, batch_size=1)
    nodes.update({
        "positive": _node("CLIPTextEncode", text=prompt, clip=clip),
        "negative": _node("CLIPTextEncode", text=NEGATIVE_PROMPT, clip=clip),
        SAMPLER_NODE: _node("KSampler", model=model, seed=request.seed, steps=steps,
                         cfg=sampling.guidance_scale, sampler_name=sampler_name,
                         scheduler=scheduler, positive=["positive", 0],
                         negative=["negative", 0], latent_image=["latent", 0],
                         denoise=strength or 1.0),
        "decode": _node("VAEDecode", samples=[SAMPLER_NODE, 0], vae=["checkpoint", 2]),
        OUTPUT_NODE: _node("SaveImageWebsocket", images=["decode", 0]),
    })
    return JobGraph(nodes, prompt, checkpoint, lora, lora_weight, few_step_lora, sampling, size,
                    strength)


def artwork_size(settings: DiffusionSettings) -> int:
    """The side of the artworks (and of the painter's guide image) in pixels."""
    return settings.size or SD15_SIZE


def _node(class_type: str, **inputs: Any) -> dict[str, Any]:
    return {"class_type": class_type, "inputs": inputs}
