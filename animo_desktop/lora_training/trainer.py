"""The LoRA training loop: the original Kohya_ss recipe (recipe.py), in diffusers and PEFT.

A standard LoRA on the UNet and the text encoder, on their attention projections (the
layers ANIMO's LoRA bank switches); latents cached once; fp16 mixed precision when the
model is fp16 (on CUDA), fp32 otherwise (on the CPU).

Every random draw (the LoRA's initial weights, the order of the images, the noise and the
timesteps) comes from the seed, on the CPU: the same seed gives the same weights.

Out of GPU memory in a step, the step is tried again with less (memory_fallback.py).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np
import torch
import torch.nn.functional as F

from animo_desktop.generation.lora_bank import TEXT_ENCODER_LORA_TARGETS, UNET_LORA_TARGETS
from animo_desktop.lora_training.buckets import Size, bucket_image_counts
from animo_desktop.lora_training.image_folder import TrainingImage
from animo_desktop.lora_training.memory_fallback import (MemoryPlan, TrainingOutOfMemoryError,
                                                         enable_gradient_checkpointing,
                                                         free_accelerator_memory)
from animo_desktop.lora_training.recipe import (ADAFACTOR_OPTIONS, MAX_GRADIENT_NORM,
                                                TrainingSettings)
from animo_desktop.lora_training.training_state import TrainingState, TrainingStateError

log = logging.getLogger(__name__)

TRAINING_ADAPTER = "animo_training"


class TrainingDivergedError(Exception):
    """The LoRA's weights became NaN or infinite: no file is written for it."""


class TrainingInterrupted(Exception):
    """Stopped on request after a step; `state` continues it (train_lora's resume_from)."""

    def __init__(self, state: TrainingState):
        super().__init__(f"interrupted after step {state.step}")
        self.state = state


@dataclass(frozen=True)
class TrainingProgress:
    step: int
    total_steps: int
    epoch: int  # from 1
    loss: float
    elapsed_seconds: float  # since this run began
    first_step: int = 1  # this run's first step: a resumed training's began later

    @property
    def seconds_left(self) -> float:
        steps_timed = self.step - self.first_step + 1
        return self.elapsed_seconds / steps_timed * (self.total_steps - self.step)


@dataclass(frozen=True)
class TrainedLora:
    unet_layers: dict[str, torch.Tensor]  # PEFT keys ("down_blocks....to_q.lora_A.weight")
    text_encoder_layers: dict[str, torch.Tensor]
    settings: TrainingSettings
    steps: int
    epochs: int  # epochs begun (the last one may be cut short by max_steps)
    losses: tuple[float, ...]  # one per step
    mixed_precision: bool
    started_at: float  # time.time()
    finished_at: float
    state: TrainingState  # at the end: --resume with more epochs extends the training


@dataclass(frozen=True)
class TrainingBatch:
    """What one denoising step sees: clean latents, caption tokens, noise, timesteps."""
    latents: torch.Tensor
    input_ids: torch.Tensor
    noise: torch.Tensor
    timesteps: torch.Tensor


def train_lora(pipeline, images: Sequence[TrainingImage], settings: TrainingSettings,
               on_progress: Callable[[TrainingProgress], None] = lambda progress: None,
               on_epoch_end: Callable[[int, int], None] = lambda epoch, step: None,
               resume_from: TrainingState | None = None,
               stop_requested: Callable[[], bool] = lambda: False,
               on_notice: Callable[[str], None] = lambda text: None,
               ) -> TrainedLora:
    """Train a LoRA on these images into pipeline's UNet and text encoder (their adapter
    stays in place: load a fresh pipeline for the next LoRA). on_epoch_end(epoch, step)
    runs after each epoch with the models in eval mode under the training's precision, so
    that it can paint with the LoRA as it is (a validation image). When stop_requested()
    turns true, the step under way ends and TrainingInterrupted carries the state that
    resume_from continues to the very weights of an uninterrupted training. on_notice
    tells what the artist should know (a memory fallback)."""
    from diffusers import DDPMScheduler

    if not images:
        raise ValueError("no images to train on")
    started_at, started = time.time(), time.perf_counter()
    unet, text_encoder = pipeline.unet, pipeline.text_encoder
    device = unet.device
    mixed_precision = unet.dtype == torch.float16
    noise_scheduler = DDPMScheduler.from_config(pipeline.scheduler.config)
    latents = cache_latents(pipeline, images)
    image_sizes = [image.pixels.size for image in images]
    input_ids = caption_tokens(pipeline.tokenizer, [image.caption for image in images])
    parameters = add_lora_adapters(pipeline, settings)
    optimizer = _adafactor(parameters, settings.learning_rate)
    # fp16 gradients underflow without loss scaling; on fp32 the scaler does nothing.
    scaler = torch.amp.GradScaler(device.type, enabled=mixed_precision)
    generator = torch.Generator("cpu").manual_seed(settings.seed)
    total = settings.total_steps(bucket_image_counts(image_sizes))
    memory_plan = MemoryPlan()
    losses: list[float] = []
    epoch, resumed_epoch_order, resumed_position, first_step = 0, None, 0, 1
    if resume_from is not None:
        if resume_from.step >= total:
            raise TrainingStateError(
                f"--resume: the training has done its {resume_from.step} steps already: "
                "give it more --epochs (or a larger --max-steps) to go on")
        _restore(resume_from, unet, text_encoder, optimizer, scaler, generator)
        losses = list(resume_from.losses)
        first_step = len(losses) + 1
        epoch = resume_from.epoch - 1
        resumed_epoch_order, resumed_position = (resume_from.epoch_order,
                                                 resume_from.epoch_position)
    while len(losses) < total:
        epoch += 1
        unet.train()
        text_encoder.train()
        if resumed_epoch_order is not None and len(resumed_epoch_order):
            batches, resumed_epoch_order = resumed_epoch_order, None
        else:
            order = torch.arange(len(images)).repeat(settings.repeats)
            order = order[torch.randperm(len(order), generator=generator)]
            batches = bucket_batches(order, image_sizes, settings.batch_size, generator)
        next_position = resumed_position
        for position in range(resumed_position, len(batches)):
            if len(losses) == total:
                break
            next_position = position + 1
            batch_indices = batch_members(batches, position)
            batch_latents = torch.cat([latents[index] for index in batch_indices.tolist()])
            batch = TrainingBatch(
                batch_latents, input_ids[batch_indices],
                torch.randn(batch_latents.shape, generator=generator),
                torch.randint(0, noise_scheduler.config.num_train_timesteps,
                              (len(batch_indices),), generator=generator))
            while True:
                try:
                    loss = _accumulate_gradients(pipeline, noise_scheduler, batch, scaler,
                                                 memory_plan.micro_batches, mixed_precision)
                    break
                except torch.OutOfMemoryError as error:
                    optimizer.zero_grad(set_to_none=True)  # the failed attempt's part
                    free_accelerator_memory()
                    memory_plan = _save_memory(pipeline, memory_plan, len(batch_indices),
                                               len(losses) + 1, error, on_notice)
            scaler.unscale_(optimizer)
            torch.nn.utils.clip_grad_norm_(parameters, MAX_GRADIENT_NORM)
            scaler.step(optimizer)
            scaler.update()
            optimizer.zero_grad(set_to_none=True)
            losses.append(loss)
            on_progress(TrainingProgress(len(losses), total, epoch, losses[-1],
                                         time.perf_counter() - started, first_step))
            if stop_requested():
                # As it is, even at an epoch's end: resumed, that epoch's end comes first.
                raise TrainingInterrupted(TrainingState(
                    settings, len(images), epoch, batches, next_position, tuple(losses),
                    _lora_layers(unet), _lora_layers(text_encoder), optimizer.state_dict(),
                    scaler.state_dict(), generator.get_state()))
        resumed_position, resumed_epoch_order = 0, None
        unet.eval()
        text_encoder.eval()
        with torch.autocast(device.type, dtype=torch.float16, enabled=mixed_precision):
            on_epoch_end(epoch, len(losses))
    unet_layers, text_encoder_layers = _lora_layers(unet), _lora_layers(text_encoder)
    # ANIMO's LoRA bank (and every other tool) would refuse such a file, or paint black.
    if not all(bool(torch.isfinite(tensor).all())
               for tensor in (*unet_layers.values(), *text_encoder_layers.values())):
        raise TrainingDivergedError(
            f"the training diverged: the LoRA's weights are no longer finite numbers after "
            f"{len(losses)} steps (last loss {losses[-1]}); try a lower --learning-rate")
    if next_position == len(batches):  # the epoch is whole: an extension draws the next
        final_epoch, batches, next_position = epoch + 1, batches[:0], 0
    else:
        final_epoch = epoch
    final_state = TrainingState(settings, len(images), final_epoch, batches, next_position,
                                tuple(losses), unet_layers, text_encoder_layers,
                                optimizer.state_dict(), scaler.state_dict(),
                                generator.get_state())
    return TrainedLora(unet_layers, text_encoder_layers, settings, len(losses), epoch,
                       tuple(losses), mixed_precision, started_at, time.time(), final_state)


def _accumulate_gradients(pipeline, noise_scheduler, batch: TrainingBatch, scaler,
                          micro_batches: int, mixed_precision: bool) -> float:
    """The batch's gradients, in micro-batches when memory asks for it (each loss weighted
    by its share of the batch: the sum is the whole batch's mean loss); returns that loss."""
    device_type = pipeline.unet.device.type
    size = len(batch.latents)
    loss = 0.0
    for part in range(micro_batches):
        chunk = slice(part * size // micro_batches, (part + 1) * size // micro_batches)
        micro_batch = TrainingBatch(batch.latents[chunk], batch.input_ids[chunk],
                                    batch.noise[chunk], batch.timesteps[chunk])
        share = len(micro_batch.latents) / size
        with torch.autocast(device_type, dtype=torch.float16, enabled=mixed_precision):
            part_loss = denoising_loss(pipeline, noise_scheduler, micro_batch) * share
        scaler.scale(part_loss).backward()
        loss += float(part_loss.detach())
    return loss


def _save_memory(pipeline, plan: MemoryPlan, batch_size: int, step: int,
                 error: torch.OutOfMemoryError, on_notice: Callable[[str], None]) -> MemoryPlan:
    """The next memory plan, in place and told; TrainingOutOfMemoryError when none is left."""
    saving = plan.next(batch_size)
    if saving is None:
        raise TrainingOutOfMemoryError(
            f"out of GPU memory at step {step} even with {plan.description(batch_size)}: "
            "close other programs using the GPU, or train at a lower --resolution") from error
    if saving.gradient_checkpointing and not plan.gradient_checkpointing:
        enable_gradient_checkpointing(pipeline)
    text = (f"out of GPU memory at step {step}: trying again with "
            f"{saving.description(batch_size)}")
    log.warning(text)
    on_notice(text)
    return saving


def denoising_loss(pipeline, noise_scheduler, batch: TrainingBatch) -> torch.Tensor:
    """Stable Diffusion's training objective: how far the UNet's prediction for the
    noised latents is from the noise (or the velocity, for a v-prediction model)."""
    device = pipeline.unet.device
    latents, noise = batch.latents.to(device), batch.noise.to(device)
    timesteps = batch.timesteps.to(device)
    noisy = noise_scheduler.add_noise(latents, noise, timesteps)
    hidden_states = pipeline.text_encoder(batch.input_ids.to(device))[0]
    prediction = pipeline.unet(noisy, timesteps, hidden_states).sample
    if noise_scheduler.config.prediction_type == "v_prediction":
        target = noise_scheduler.get_velocity(latents, noise, timesteps)
    else:
        target = noise
    return F.mse_loss(prediction.float(), target.float())


@torch.no_grad()
def cache_latents(pipeline, images: Sequence[TrainingImage]) -> list[torch.Tensor]:
    """Each image through the VAE once (Kohya's cache_latents), as fp32 on the CPU, at its
    bucket's size (1 x 4 x h/8 x w/8 each); one latent draw per image, from a generator of
    its own, so the cache is reproducible."""
    vae = pipeline.vae
    generator = torch.Generator("cpu").manual_seed(0)
    cached = []
    for image in images:
        pixels = np.asarray(image.pixels, dtype=np.float32) / 127.5 - 1.0
        tensor = torch.from_numpy(pixels).permute(2, 0, 1).unsqueeze(0)
        distribution = vae.encode(tensor.to(vae.device, vae.dtype)).latent_dist
        draw = torch.randn(distribution.mean.shape, generator=generator)
        latent = distribution.mean.float().cpu() + distribution.std.float().cpu() * draw
        cached.append(latent * vae.config.scaling_factor)
    return cached


def bucket_batches(order: torch.Tensor, image_sizes: Sequence[Size], batch_size: int,
                   generator: torch.Generator) -> torch.Tensor:
    """An epoch's batches from its image order (repeats included): each bucket's images in
    that order, in batches of batch_size (the last of a bucket may be smaller), the batches
    of several buckets then shuffled together. One row per batch, padded with -1."""
    by_bucket: dict[Size, list[int]] = {}
    for index in order.tolist():
        by_bucket.setdefault(image_sizes[index], []).append(index)
    batches = [indices[start:start + batch_size] for indices in by_bucket.values()
               for start in range(0, len(indices), batch_size)]
    if len(by_bucket) > 1:  # one bucket: the order is random already (and stays the same)
        batches = [batches[i] for i in torch.randperm(len(batches), generator=generator)]
    table = torch.full((len(batches), batch_size), -1, dtype=torch.long)
    for row, batch in enumerate(batches):
        table[row, :len(batch)] = torch.tensor(batch)
    return table


def batch_members(table: torch.Tensor, row: int) -> torch.Tensor:
    """The image indices of one batch (its padding left out)."""
    indices = table[row]
    return indices[indices >= 0]


def caption_tokens(tokenizer, captions: Sequence[str]) -> torch.Tensor:
    """The captions as CLIP token ids, padded to 77 (a longer caption is cut there, as
    Kohya does by default)."""
    return tokenizer(list(captions), padding="max_length", truncation=True,
                     max_length=tokenizer.model_max_length, return_tensors="pt").input_ids


def add_lora_adapters(pipeline, settings: TrainingSettings) -> list[torch.nn.Parameter]:
    """A fresh LoRA on the UNet and the text encoder; returns its trainable parameters
    (fp32 even when the model is fp16, as mixed precision wants)."""
    from peft import LoraConfig, inject_adapter_in_model

    pipeline.vae.requires_grad_(False)
    torch.manual_seed(settings.seed)  # PEFT draws the initial down matrices from torch's RNG
    parameters = []
    for model, targets in ((pipeline.unet, UNET_LORA_TARGETS),
                           (pipeline.text_encoder, TEXT_ENCODER_LORA_TARGETS)):
        model.requires_grad_(False)
        # PEFT itself, not the models' add_adapter: transformers' asks for a newer PEFT.
        inject_adapter_in_model(LoraConfig(r=settings.rank, lora_alpha=settings.alpha,
                                           init_lora_weights="gaussian",
                                           target_modules=list(targets)),
                                model, TRAINING_ADAPTER)
        for parameter in model.parameters():
            if parameter.requires_grad:
                parameter.data = parameter.data.float()
                parameters.append(parameter)
    return parameters


def _adafactor(parameters: list[torch.nn.Parameter], learning_rate: float):
    from transformers.optimization import Adafactor

    return Adafactor(parameters, lr=learning_rate, **ADAFACTOR_OPTIONS)


def _restore(state: TrainingState, unet, text_encoder, optimizer, scaler, generator) -> None:
    for model, layers in ((unet, state.unet_layers), (text_encoder, state.text_encoder_layers)):
        for name, module in _training_lora_modules(model):
            for matrix in ("lora_A", "lora_B"):
                getattr(module, matrix)[TRAINING_ADAPTER].weight.data.copy_(
                    layers[f"{name}.{matrix}.weight"])
    optimizer.load_state_dict(state.optimizer_state)
    scaler.load_state_dict(state.scaler_state)
    generator.set_state(state.generator_state)


def _training_lora_modules(model):
    from peft.tuners.tuners_utils import BaseTunerLayer

    for name, module in model.named_modules():
        if isinstance(module, BaseTunerLayer) and TRAINING_ADAPTER in module.lora_A:
            yield name, module


def _lora_layers(model) -> dict[str, torch.Tensor]:
    """The trained down (A) and up (B) matrices in PEFT's layout, as fp32 on the CPU."""
    layers = {}
    for name, module in _training_lora_modules(model):
        for matrix in ("lora_A", "lora_B"):
            weight = getattr(module, matrix)[TRAINING_ADAPTER].weight
            layers[f"{name}.{matrix}.weight"] = weight.detach().float().cpu().clone()
    return layers
