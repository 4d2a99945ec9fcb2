"""Out of GPU memory during a training step: the step is tried again with gradient
checkpointing (the activations recomputed in the backward pass instead of kept: about a
third slower, much less memory), then with its batch split into smaller micro-batches
whose gradients add up to the whole batch's (so the LoRA learns what it would have, in as
many steps). At batch 1 with checkpointing there is nothing left to give up: the training
stops with the reason."""

from __future__ import annotations

import gc
from dataclasses import dataclass

import torch


class TrainingOutOfMemoryError(Exception):
    """Out of GPU memory with every saving on; the message says what the artist can do."""


@dataclass(frozen=True)
class MemoryPlan:
    gradient_checkpointing: bool = False
    micro_batches: int = 1  # the batch split into this many, gradients accumulated

    def next(self, batch_size: int) -> "MemoryPlan | None":
        """The next saving to try, None when none is left."""
        if not self.gradient_checkpointing:
            return MemoryPlan(gradient_checkpointing=True)
        if self.micro_batches < batch_size:
            return MemoryPlan(True, min(batch_size, self.micro_batches * 2))
        return None

    def description(self, batch_size: int) -> str:
        if self.micro_batches == 1:
            return "gradient checkpointing on"
        size = -(-batch_size // self.micro_batches)
        return (f"gradient checkpointing on and {self.micro_batches} micro-batches of at "
                f"most {size} images (gradients accumulated)")


def enable_gradient_checkpointing(pipeline) -> None:
    pipeline.unet.enable_gradient_checkpointing()
    # Non-reentrant: the text encoder's inputs (frozen embeddings) need no gradient, and
    # the reentrant variant would then give its LoRA layers none either.
    pipeline.text_encoder.activation_checkpointing_enable(
        activation_checkpointing_kwargs={"use_reentrant": False})


def free_accelerator_memory() -> None:
    """What the failed attempt held (its activations are garbage now)."""
    gc.collect()
    if torch.cuda.is_available():
        torch.cuda.empty_cache()
