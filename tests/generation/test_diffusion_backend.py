from dataclasses import replace

import numpy as np
import pytest
import safetensors.torch
import torch

from animo_desktop.emotions import ALL_EMOTIONS, Emotion
from animo_desktop.generation.backend import GenerationInterrupted
from animo_desktop.generation.diffusion_backend import TORCH_DEFAULT_THREADS, DiffusionSettings
from animo_desktop.generation.lora_bank import SLOT_ADAPTER
from animo_desktop.generation.tiny_model import TINY_IMAGE_SIZE, build_tiny_pipeline
from animo_desktop.messages import GenerationRequest
from tests.generation.conftest import TINY_SETTINGS, make_backend


def pixels(backend, emotion, seed=7, theme="the sea", on_progress=lambda progress: True):
    artwork = backend.generate(GenerationRequest(1, emotion, seed, theme), on_progress)
    return np.asarray(artwork.image), artwork


def test_same_inputs_give_identical_pixels(tiny_backend):
    first, _ = pixels(tiny_backend, Emotion.JOY)
    pixels(tiny_backend, Emotion.FEAR)  # another emotion in between changes nothing
    again, _ = pixels(tiny_backend, Emotion.JOY)
    assert first.shape == (TINY_IMAGE_SIZE, TINY_IMAGE_SIZE, 3)
    assert np.array_equal(first, again)


def test_switching_emotion_changes_the_output(tiny_backend):
    images = {emotion: pixels(tiny_backend, emotion)[0].astype(float) for emotion in ALL_EMOTIONS}
    for emotion in ALL_EMOTIONS[1:]:
        assert np.abs(images[emotion] - images[ALL_EMOTIONS[0]]).mean() > 1.0, emotion


def test_metadata_records_everything_needed_to_reproduce(tiny_backend):
    _, artwork = pixels(tiny_backend, Emotion.ANGER, seed=11)
    metadata = artwork.metadata
    assert (metadata.backend, metadata.seed, metadata.model) == ("diffusion", 11, "tiny-sd15")
    assert metadata.lora == "anger-kohya.safetensors"
    assert metadata.prompt.startswith("Anger artstyle, the sea")
    extra = metadata.extra
    assert extra["scheduler"] == "DPM++ 2M Karras" and extra["steps"] == TINY_SETTINGS.steps
    assert extra["lora_weight"] == 1.0 and len(extra["model_hash"]) == 10
    assert "face" in extra["negative_prompt"]
    assert set(extra["timings_ms"]) == {"lora_switch", "total"}


def test_preloaded_lora_gives_the_same_image_as_loading_it_with_diffusers(tiny_backend, tiny_model):
    """The slot (scales folded in, zero-padded) equals diffusers' own loading, for the
    PEFT layout (joy) and the Kohya layout with alpha (sadness)."""
    from diffusers import StableDiffusionPipeline

    reference = StableDiffusionPipeline.from_pretrained(tiny_model.folder, local_files_only=True)
    reference.scheduler = tiny_backend.pipeline.scheduler
    common = dict(prompt="x", num_inference_steps=3, height=TINY_IMAGE_SIZE,
                  width=TINY_IMAGE_SIZE, output_type="np")
    for emotion in (Emotion.JOY, Emotion.SADNESS):
        file = tiny_backend.manifest.entry(emotion).file
        reference.load_lora_weights(str(file), adapter_name=emotion.value)
        expected = reference(generator=torch.Generator().manual_seed(3), **common).images
        reference.unload_lora_weights()
        tiny_backend.loras.activate(emotion)
        actual = tiny_backend.pipeline(generator=torch.Generator().manual_seed(3), **common).images
        assert np.abs(actual - expected).max() < 2e-3, emotion


def test_every_lora_is_read_from_disk_once(tiny_model, monkeypatch):
    reads = []
    real_load = safetensors.torch.load_file
    monkeypatch.setattr(safetensors.torch, "load_file",
                        lambda path, *args, **kwargs: reads.append(path) or real_load(path, *args, **kwargs))
    backend = make_backend(tiny_model)
    for emotion in (*ALL_EMOTIONS, *ALL_EMOTIONS):
        backend.loras.activate(emotion)
    pixels(backend, Emotion.DISGUST)
    lora_reads = [path for path in reads if str(tiny_model.lora_dir) in str(path)]
    assert sorted(lora_reads) == sorted(str(backend.manifest.entry(e).file) for e in ALL_EMOTIONS)
    assert backend.loras.loaded == ALL_EMOTIONS


def test_a_bad_lora_costs_only_its_own_emotion(tiny_model, tmp_path):
    (tmp_path / "corrupt.safetensors").write_bytes(b"not a safetensors file at all")
    other_model = build_tiny_pipeline(seed=5)
    wrong = {f"unet.{name}.lora_A.weight": torch.zeros(4, 3) for name, module in
             other_model.unet.named_modules() if name.endswith("attn1.to_q")}
    wrong.update({key.replace("lora_A", "lora_B"): torch.zeros(3, 4) for key in wrong})
    safetensors.torch.save_file(wrong, str(tmp_path / "wrong-shape.safetensors"))
    (tmp_path / "emotions.toml").write_text(f'''
[emotions.joy]
file = "{tiny_model.lora_dir / 'joy.safetensors'}"
[emotions.sadness]
file = "corrupt.safetensors"
[emotions.fear]
file = "wrong-shape.safetensors"
[emotions.anger]
file = "missing.safetensors"
''')
    backend = make_backend(tiny_model, lora_dir=tmp_path)
    assert backend.loras.loaded == (Emotion.JOY,)
    for name in ("corrupt.safetensors", "wrong-shape.safetensors", "missing.safetensors"):
        assert sum(name in warning for warning in backend.warnings) == 1, name
    for emotion in ALL_EMOTIONS:
        _, artwork = pixels(backend, emotion)
        assert artwork.metadata.lora == ("joy.safetensors" if emotion is Emotion.JOY else None)


def test_blend_weight_zero_is_prompt_only(tiny_model, tiny_backend, tmp_path):
    (tmp_path / "emotions.toml").write_text('[emotions.joy]\ntrigger_words = ["Joy artstyle"]\n')
    prompt_only = make_backend(tiny_model, lora_dir=tmp_path)
    blend_zero = make_backend(tiny_model, settings=DiffusionSettings(
        steps=TINY_SETTINGS.steps, size=TINY_SETTINGS.size, blend_weight=0.0))
    image, artwork = pixels(blend_zero, Emotion.JOY)
    assert artwork.metadata.extra["lora_weight"] == 0.0
    assert np.array_equal(image, pixels(prompt_only, Emotion.JOY)[0])
    assert not np.array_equal(image, pixels(tiny_backend, Emotion.JOY)[0])


def test_progress_has_a_preview_per_step_and_false_stops_at_that_step(tiny_backend):
    seen = []
    pixels(tiny_backend, Emotion.SURPRISE, on_progress=lambda progress: seen.append(progress) or True)
    assert [p.step for p in seen] == list(range(1, TINY_SETTINGS.steps + 1))
    assert all(p.total_steps == TINY_SETTINGS.steps and p.preview.size == (8, 8) for p in seen)

    calls = []
    with pytest.raises(GenerationInterrupted):
        pixels(tiny_backend, Emotion.SURPRISE, on_progress=lambda progress: calls.append(progress.step) or progress.step < 2)
    assert calls == [1, 2]
    pixels(tiny_backend, Emotion.SURPRISE)  # the next job runs normally


def test_out_of_memory_follows_the_fallback_chain(tiny_model, monkeypatch):
    backend = make_backend(tiny_model)
    real_render = backend._render
    for failures, expected_backend, expected_size in ((1, "diffusion", 64), (2, "diffusion", 48),
                                                     (3, "painter", 512)):
        attempts = []

        def render(request, prompt, seed, plan, on_progress):
            attempts.append(plan)
            if len(attempts) <= failures:
                raise torch.OutOfMemoryError("CUDA out of memory (injected)")
            return real_render(request, prompt, seed, plan, on_progress)

        monkeypatch.setattr(backend, "_render", render)
        image, artwork = pixels(backend, Emotion.FEAR)
        assert artwork.metadata.backend == expected_backend
        assert image.shape[:2] == (expected_size, expected_size)
        assert len(artwork.metadata.extra["notices"]) >= 1
        assert attempts[1:2] == [] or attempts[1].memory_saving
    assert backend.pipeline.vae.use_slicing and backend.pipeline.vae.use_tiling


def test_a_flagged_image_is_regenerated_with_the_next_seed(tiny_model, monkeypatch):
    backend = make_backend(tiny_model)
    pipeline = backend.pipeline
    flags = iter([True, False])
    monkeypatch.setattr(pipeline, "run_safety_checker",
                        lambda image, device, dtype: (image, [next(flags)]))
    _, artwork = pixels(backend, Emotion.JOY, seed=20)
    assert artwork.metadata.seed == 21 and artwork.metadata.extra["requested_seed"] == 20


def test_few_step_lora_is_fused_once_and_uses_lcm(tiny_model, tmp_path):
    manifest = (tiny_model.lora_dir / "emotions.toml").read_text()
    (tmp_path / "emotions.toml").write_text(
        f'directory = "{tiny_model.lora_dir}"\n{manifest}\n[few_step]\nfile = "few-step.safetensors"\n'
        "steps = 4\nguidance_scale = 1.5\n")
    backend = make_backend(tiny_model, lora_dir=tmp_path)
    base = build_tiny_pipeline()
    fused = backend.pipeline.unet.down_blocks[0].attentions[0].transformer_blocks[0].attn1.to_q
    assert not torch.equal(fused.base_layer.weight,
                           base.unet.down_blocks[0].attentions[0].transformer_blocks[0].attn1.to_q.weight)
    assert list(fused.lora_A) == [SLOT_ADAPTER]  # fused, its adapter gone
    _, artwork = pixels(backend, Emotion.ANGER)
    assert (artwork.metadata.extra["scheduler"], artwork.metadata.extra["steps"]) == ("LCM", 4)
    assert artwork.metadata.extra["guidance_scale"] == 1.5


def test_palette_guidance_starts_from_the_painter(tiny_model):
    backend = make_backend(tiny_model, settings=DiffusionSettings(
        steps=4, size=TINY_IMAGE_SIZE, palette_strength=0.5))
    steps = []
    image, artwork = pixels(backend, Emotion.JOY, on_progress=lambda p: steps.append(p) or True)
    assert image.shape[:2] == (TINY_IMAGE_SIZE, TINY_IMAGE_SIZE)
    assert [p.total_steps for p in steps] == [2, 2]
    assert artwork.metadata.extra["palette_strength"] == 0.5


def test_switching_does_not_recompile_a_compiled_unet(tiny_model):
    torch._dynamo.reset()
    backend = make_backend(tiny_model, settings=DiffusionSettings(
        steps=1, size=TINY_IMAGE_SIZE, compile_backend="eager"))
    joy, _ = pixels(backend, Emotion.JOY)  # compiles
    graphs = torch._dynamo.utils.counters["stats"]["unique_graphs"]
    anger, _ = pixels(backend, Emotion.ANGER)
    joy_again, _ = pixels(backend, Emotion.JOY)
    assert torch._dynamo.utils.counters["stats"]["unique_graphs"] == graphs
    # The switch acts inside the compiled graph, and exactly.
    assert not np.array_equal(joy, anger) and np.array_equal(joy, joy_again)


def test_each_request_can_carry_its_own_lora_strength(tiny_model, tiny_backend):
    blend_zero = make_backend(tiny_model, settings=DiffusionSettings(
        steps=TINY_SETTINGS.steps, size=TINY_SETTINGS.size, blend_weight=0.0))
    request = GenerationRequest(1, Emotion.JOY, 7, "the sea", lora_strength=0.0)
    artwork = tiny_backend.generate(request, lambda progress: True)
    assert artwork.metadata.extra["lora_weight"] == 0.0
    assert np.array_equal(np.asarray(artwork.image), pixels(blend_zero, Emotion.JOY)[0])
    half = tiny_backend.generate(GenerationRequest(1, Emotion.JOY, 7, "the sea",
                                                   lora_strength=0.5), lambda progress: True)
    full = pixels(tiny_backend, Emotion.JOY)[1]
    assert half.metadata.extra["lora_weight"] == 0.5 * full.metadata.extra["lora_weight"]


@pytest.fixture
def torch_threads():
    before = torch.get_num_threads()
    yield
    torch.set_num_threads(before)


def test_on_the_cpu_generation_leaves_a_core_to_the_camera_and_the_window(tiny_model,
                                                                          torch_threads):
    torch.set_num_threads(TORCH_DEFAULT_THREADS)  # as a fresh process starts
    make_backend(tiny_model, settings=replace(TINY_SETTINGS, cpu_threads=None))
    assert torch.get_num_threads() == max(1, TORCH_DEFAULT_THREADS - 1)
    make_backend(tiny_model, settings=replace(TINY_SETTINGS, cpu_threads=3))
    assert torch.get_num_threads() == 3
