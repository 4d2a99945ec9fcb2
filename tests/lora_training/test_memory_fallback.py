"""Out of GPU memory in a training step (injected on the CPU): the step is tried again
with gradient checkpointing, then in micro-batches, and the command says so; with nothing
left to give up it stops with the reason and writes no LoRA."""

import torch
from safetensors.torch import load_file

from animo_desktop.cli import main
from animo_desktop.lora_training import trainer
from animo_desktop.lora_training.memory_fallback import MemoryPlan
from tests.lora_training.conftest import solid_images, train_command


def out_of_memory_for(monkeypatch, failures: int, batch_sizes: list[int], checkpointing):
    """denoising_loss raises OutOfMemoryError its first `failures` calls; every call's
    batch size, and whether the UNet checkpoints then, is recorded."""
    real_loss = trainer.denoising_loss
    calls = {"count": 0}

    def loss(pipeline, noise_scheduler, batch):
        calls["count"] += 1
        batch_sizes.append(len(batch.latents))
        checkpointing.append(pipeline.unet.is_gradient_checkpointing)
        if calls["count"] <= failures:
            raise torch.OutOfMemoryError("CUDA out of memory (injected)")
        return real_loss(pipeline, noise_scheduler, batch)

    monkeypatch.setattr(trainer, "denoising_loss", loss)


def test_the_plans_give_up_checkpointing_then_halve_the_batch():
    plan = MemoryPlan().next(4)
    assert plan == MemoryPlan(gradient_checkpointing=True, micro_batches=1)
    assert [plan.next(4), plan.next(4).next(4)] == [MemoryPlan(True, 2), MemoryPlan(True, 4)]
    assert MemoryPlan(True, 4).next(4) is None and plan.next(1) is None
    assert MemoryPlan(True, 2).description(3) == (
        "gradient checkpointing on and 2 micro-batches of at most 2 images (gradients "
        "accumulated)")


def test_out_of_memory_retries_with_checkpointing_then_micro_batches(
        tiny_model, tmp_path, capsys, monkeypatch):
    batch_sizes, checkpointing = [], []
    out_of_memory_for(monkeypatch, 2, batch_sizes, checkpointing)
    out = tmp_path / "joy.safetensors"
    command = train_command(tiny_model, solid_images(tmp_path / "joy", count=4),
                            tiny_model.lora_dir, "--batch-size", "2", "--epochs", "1",
                            "--no-manifest", "--out", str(out))
    assert main(command) == 0
    printed = capsys.readouterr().out
    assert "out of GPU memory at step 1: trying again with gradient checkpointing on\n" \
        in printed
    assert ("out of GPU memory at step 1: trying again with gradient checkpointing on and 2 "
            "micro-batches of at most 1 images (gradients accumulated)") in printed
    # Whole batch, whole batch checkpointed, then halves: step 1's, and step 2's (the
    # savings stay on).
    assert batch_sizes == [2, 2, 1, 1, 1, 1]
    assert checkpointing == [False, True, True, True, True, True]
    # Checkpointed, the text encoder's LoRA still learns: its up matrices start at zero.
    trained = load_file(str(out))
    text_encoder_ups = [tensor for key, tensor in trained.items()
                        if key.startswith("lora_te_") and "lora_up" in key]
    assert text_encoder_ups and all(bool(tensor.any()) for tensor in text_encoder_ups)


def test_out_of_memory_at_batch_1_with_checkpointing_stops_with_the_reason(
        tiny_model, tmp_path, capsys, monkeypatch):
    out_of_memory_for(monkeypatch, 2, [], [])
    out = tmp_path / "joy.safetensors"
    command = train_command(tiny_model, solid_images(tmp_path / "joy", count=1),
                            tiny_model.lora_dir, "--no-manifest", "--out", str(out))
    assert main(command) == 1
    assert ("animo train-lora: out of GPU memory at step 1 even with gradient checkpointing "
            "on: close other programs using the GPU, or train at a lower --resolution") \
        in capsys.readouterr().err
    assert not out.exists()


def test_out_of_memory_painting_a_validation_image_is_told_and_the_training_goes_on(
        tiny_model, tmp_path, capsys, monkeypatch):
    from animo_desktop.lora_training import validation_image

    def out_of_memory(*args):
        raise torch.OutOfMemoryError("CUDA out of memory (injected)")

    monkeypatch.setattr(validation_image, "write_validation_image", out_of_memory)
    out = tmp_path / "joy.safetensors"
    command = train_command(tiny_model, solid_images(tmp_path / "joy", count=1),
                            tiny_model.lora_dir, "--epochs", "1", "--no-manifest",
                            "--out", str(out))
    assert main(command) == 0
    assert ("warning: the epoch 1 validation image could not be painted: out of GPU memory "
            "(the training goes on)") in capsys.readouterr().err
    assert out.is_file()
