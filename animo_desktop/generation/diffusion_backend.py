"""The Stable Diffusion 1.5 backend: one pipeline, seven preloaded emotion LoRAs.

Constructed in the generation thread (loading takes seconds to minutes); `generate` makes
one artwork: switch the emotion's LoRA in place, build the prompt and encode it whole
(any length: prompt_encoding), sample (DPM++ 2M Karras, or the few-step scheduler when
the manifest fuses an LCM-LoRA), optionally from the painter's artwork as a palette
guide, with a latent preview at every step.

Faults never end the session: out of GPU memory retries with VAE slicing and tiling,
then at a smaller size, then hands the job to the built-in painter; a safety-checker hit
is regenerated with the next seed rather than shown black.
"""

from __future__ import annotations

import gc
import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from PIL import Image

from animo_desktop.generation.backend import GenerationInterrupted, ProgressCallback
from animo_desktop.generation.diffusion_settings import (DEFAULT_SCHEDULER, DiffusionSettings,
                                                         choose_sampling)
from animo_desktop.generation.latent_preview import latents_to_preview
from animo_desktop.generation.lora_bank import EmotionLoraBank, fuse_few_step_lora
from animo_desktop.generation.lora_manifest import LoraManifest, default_lora_dir, load_manifest
from animo_desktop.generation.model_loading import (LoadProgress, choose_device, load_pipeline,
                                                    model_hash, quiet_libraries)
from animo_desktop.generation.model_locator import ModelSource
from animo_desktop.generation.painter_backend import painted_instead
from animo_desktop.generation.prompt_encoding import encode_prompts
from animo_desktop.generation.prompts import NEGATIVE_PROMPT, build_prompt
from animo_desktop.messages import (Artwork, ArtworkMetadata, BackendInfo, GenerationProgress,
                                    GenerationRequest, LoraTrained)
from animo_desktop.painter import paint
from animo_desktop.session import now_iso

log = logging.getLogger(__name__)

BLEND_RANGE = (0.0, 1.5)
SMALLER_SIZE_FACTOR = 0.75


@dataclass(frozen=True)
class _Plan:
    """How one attempt runs: the out-of-memory fallback chain changes these."""
    size: int
    memory_saving: bool = False


_PromptEmbeddings = tuple[torch.Tensor, torch.Tensor]  # positive, negative
TORCH_DEFAULT_THREADS = torch.get_num_threads()  # one per physical core


class _SafetyFlagged(Exception):
    pass


class DiffusionBackend:
    def __init__(self, source: ModelSource, device: str = "auto", lora_dir: Path | None = None,
                 settings: DiffusionSettings = DiffusionSettings(),
                 config_dir: Path | None = None, on_load_progress: LoadProgress = lambda text: None):
        quiet_libraries()  # first: importing the pipelines already warns
        from diffusers import (DPMSolverMultistepScheduler, LCMScheduler,
                               StableDiffusionImg2ImgPipeline)

        if not BLEND_RANGE[0] <= settings.blend_weight <= BLEND_RANGE[1]:
            raise ValueError(f"blend weight {settings.blend_weight} is outside {BLEND_RANGE}")
        self.settings = settings
        self.source = source
        self.warnings: list[str] = []
        started = time.perf_counter()
        self.device, device_warnings = choose_device(device)
        self.warnings += device_warnings
        if self.device.device.type == "cpu":
            torch.set_num_threads(settings.cpu_threads or max(1, TORCH_DEFAULT_THREADS - 1))
        self._pipeline = load_pipeline(source, self.device, config_dir, on_load_progress)
        self.manifest: LoraManifest
        # Read again when a LoRA trained meanwhile is loaded.
        self._lora_dir = lora_dir or default_lora_dir()
        self.manifest, manifest_warnings = load_manifest(lora_dir)
        self.warnings += manifest_warnings
        few_step = self.manifest.few_step
        if few_step is not None:
            on_load_progress(f"Fusing few-step LoRA {few_step.file.name}")
            try:
                fuse_few_step_lora(self._pipeline, few_step)
            except Exception as error:  # the model still works with the normal scheduler
                log.warning("few-step LoRA %s not used: %s", few_step.file, error)
                self.warnings.append(f"The few-step LoRA {few_step.file.name} could not be used "
                                     f"({error}); sampling uses {DEFAULT_SCHEDULER}.")
                few_step = None
        self.loras = EmotionLoraBank(self._pipeline, self.manifest)
        self.warnings += self.loras.load(on_load_progress)
        if few_step is not None:
            self._pipeline.scheduler = LCMScheduler.from_config(self._pipeline.scheduler.config)
        else:
            self._pipeline.scheduler = DPMSolverMultistepScheduler.from_config(
                self._pipeline.scheduler.config, algorithm_type="dpmsolver++",
                solver_order=2, use_karras_sigmas=True)
        sampling = choose_sampling(settings, few_step)
        self.scheduler_name, self.steps = sampling.scheduler, sampling.steps
        self.guidance_scale = sampling.guidance_scale
        # Shares every module with the text-to-image pipeline: no extra memory.
        components = self._pipeline.components
        self._img2img = StableDiffusionImg2ImgPipeline(
            **components, requires_safety_checker=components["safety_checker"] is not None)
        self._img2img.set_progress_bar_config(disable=True)
        if settings.compile_backend:
            on_load_progress("Compiling the UNet")
            self._pipeline.unet.compile(backend=settings.compile_backend)
        self.size = settings.size or \
            self._pipeline.unet.config.sample_size * self._pipeline.vae_scale_factor
        self.model_hash = model_hash(source)
        self.load_seconds = time.perf_counter() - started
        self.info = BackendInfo(
            name="diffusion", device=self.device.description,
            detail=f"{source.name}, {len(self.loras.loaded)} emotion LoRAs, "
                   f"{self.scheduler_name} {self.steps} steps")
        log.info("diffusion backend ready in %.1f s: %s", self.load_seconds, self.info.detail)

    @property
    def pipeline(self):
        return self._pipeline

    def reload_lora(self, trained: LoraTrained) -> list[str]:
        """Load a LoRA just trained in place of its emotion's, when this session's
        manifest is the one pointed at it: the next artwork of that emotion uses it.
        Returns warnings (none: it is in use)."""
        emotion = trained.emotion
        manifest, warnings = load_manifest(self._lora_dir)
        if manifest.source is None or manifest.source.resolve() != trained.manifest.resolve():
            return [f"The {emotion.value} LoRA was trained into {trained.manifest}, but this "
                    f"session's LoRAs come from {self._lora_dir}: it is "
                    f"used once ANIMO starts with --lora-dir {trained.manifest.parent}."]
        for warning in warnings:  # the same as at start, told then
            log.warning(warning)
        problems = self.loras.reload(manifest, emotion)
        if not problems:
            self.manifest = manifest
            log.info("the %s LoRA is now %s", emotion.value, trained.lora)
        return problems

    def generate(self, request: GenerationRequest, on_progress: ProgressCallback) -> Artwork:
        started = time.perf_counter()
        emotion = request.emotion
        lora_weight = self.loras.activate(emotion, self.settings.lora_blend(request))
        switch_ms = (time.perf_counter() - started) * 1000
        lora = self.loras.lora_for(emotion) if lora_weight else None
        prompt = build_prompt(emotion, request.theme, self.manifest.entry(emotion),
                              with_trigger_words=lora is not None)
        # After the switch: a LoRA may change the text encoder too.
        embeddings = encode_prompts(self._pipeline.tokenizer, self._pipeline.text_encoder,
                                    prompt, NEGATIVE_PROMPT)
        notices: list[str] = []
        seed = request.seed
        for plan in self._fallback_plans():
            try:
                image, seed = self._render_safely(request, embeddings, plan, on_progress)
                break
            except torch.OutOfMemoryError as error:
                log.warning("out of memory at %d px (memory saving %s): %s", plan.size,
                            plan.memory_saving, error)
                notices.append(f"Out of memory at {plan.size} px")
                self._free_memory()
            except _SafetyFlagged:
                notices.append("The safety checker flagged every attempt")
                break
        else:
            image = None
        if image is None:
            return self._painter_fallback(request, on_progress, notices)
        elapsed_ms = (time.perf_counter() - started) * 1000
        extra: dict[str, Any] = {
            "negative_prompt": NEGATIVE_PROMPT,
            "steps": self.steps,
            "scheduler": self.scheduler_name,
            "guidance_scale": self.guidance_scale,
            "size": list(image.size),
            "lora_weight": round(lora_weight, 3),
            "model_hash": self.model_hash,
            "device": self.device.description,
            "palette_strength": self.settings.palette_strength,
            "timings_ms": {"lora_switch": round(switch_ms, 2), "total": round(elapsed_ms, 1)},
        }
        if seed != request.seed:
            extra["requested_seed"] = request.seed
        if notices:
            extra["notices"] = notices
        metadata = ArtworkMetadata(
            created_at=now_iso(), emotion=emotion, backend=self.info.name, seed=seed,
            prompt=prompt, generation_ms=elapsed_ms, model=self.source.name,
            lora=lora.file.name if lora and lora.file else None, extra=extra)
        return Artwork(request.job_id, image, metadata)

    def _fallback_plans(self) -> list[_Plan]:
        size = self.size
        smaller = max(8, int(size * SMALLER_SIZE_FACTOR) // 8 * 8)
        return [_Plan(size), _Plan(size, memory_saving=True), _Plan(smaller, memory_saving=True)]

    def _render_safely(self, request: GenerationRequest, embeddings: _PromptEmbeddings,
                       plan: _Plan, on_progress: ProgressCallback) -> tuple[Image.Image, int]:
        """Render; when the safety checker flags the image, try the next seeds."""
        for attempt in range(self.settings.safety_retries + 1):
            seed = request.seed + attempt
            image, flagged = self._render(request, embeddings, seed, plan, on_progress)
            if not flagged:
                return image, seed
            log.warning("safety checker flagged job %d seed %d; regenerating", request.job_id, seed)
        raise _SafetyFlagged()

    def _render(self, request: GenerationRequest, embeddings: _PromptEmbeddings, seed: int,
                plan: _Plan, on_progress: ProgressCallback) -> tuple[Image.Image, bool]:
        if plan.memory_saving:
            # Stays on for the rest of the session: this GPU has shown it needs it.
            self._pipeline.vae.enable_slicing()
            self._pipeline.vae.enable_tiling()
        strength = self.settings.palette_strength
        total_steps = max(1, int(self.steps * strength)) if strength else self.steps

        def on_step_end(pipeline, step: int, timestep, tensors: dict) -> dict:
            preview = latents_to_preview(tensors["latents"])
            if not on_progress(GenerationProgress(request.job_id, step + 1, total_steps, preview)):
                # Stops here: no further step and no VAE decode for a stale job.
                raise GenerationInterrupted(f"job {request.job_id} stopped at step {step + 1}")
            return tensors

        prompt_embeds, negative_prompt_embeds = embeddings
        common = dict(prompt_embeds=prompt_embeds, negative_prompt_embeds=negative_prompt_embeds,
                      num_inference_steps=self.steps, guidance_scale=self.guidance_scale,
                      generator=torch.Generator("cpu").manual_seed(seed),
                      callback_on_step_end=on_step_end)
        if strength:
            guide = paint(request.emotion, seed, plan.size)
            output = self._img2img(image=guide, strength=strength, **common)
        else:
            output = self._pipeline(height=plan.size, width=plan.size, **common)
        flagged = bool(output.nsfw_content_detected and output.nsfw_content_detected[0])
        return output.images[0], flagged

    def _free_memory(self) -> None:
        gc.collect()
        if self.device.device.type == "cuda":
            torch.cuda.empty_cache()

    def _painter_fallback(self, request: GenerationRequest, on_progress: ProgressCallback,
                          notices: list[str]) -> Artwork:
        return painted_instead(request, on_progress,
                               ["; ".join(notices) + ": the built-in painter made this artwork."])

