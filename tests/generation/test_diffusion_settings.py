from pathlib import Path

from animo_desktop.emotions import Emotion
from animo_desktop.generation.diffusion_settings import (DiffusionSettings, Sampling,
                                                         choose_sampling)
from animo_desktop.generation.lora_manifest import FewStepLora
from animo_desktop.messages import GenerationRequest


def test_a_few_step_lora_brings_its_own_scheduler_steps_and_guidance():
    settings = DiffusionSettings(steps=25, guidance_scale=6.5)
    few_step = FewStepLora(Path("lcm.safetensors"), steps=5, guidance_scale=1.2)
    assert choose_sampling(settings, few_step) == Sampling("LCM", 5, 1.2)
    assert choose_sampling(settings, None) == Sampling("DPM++ 2M Karras", 25, 6.5)


def test_the_therapists_strength_overrides_the_blend_setting():
    settings = DiffusionSettings(blend_weight=0.6)
    request = GenerationRequest(job_id=1, emotion=Emotion.JOY, seed=0)
    assert settings.lora_blend(request) == 0.6
    assert settings.lora_blend(GenerationRequest(1, Emotion.JOY, 0, lora_strength=0.0)) == 0.0
    assert settings.lora_blend(GenerationRequest(1, Emotion.JOY, 0, lora_strength=1.4)) == 1.4
