import json
from dataclasses import replace
from pathlib import Path

import pytest

from animo_desktop.emotions import Emotion
from animo_desktop.generation.comfyui.job_graph import OUTPUT_NODE, SAMPLER_NODE, build_job_graph
from animo_desktop.generation.comfyui.server_inventory import ServerInventory
from animo_desktop.generation.diffusion_settings import DiffusionSettings
from animo_desktop.generation.lora_manifest import EmotionLora, FewStepLora, LoraManifest
from animo_desktop.generation.prompts import NEGATIVE_PROMPT, build_prompt
from animo_desktop.messages import GenerationRequest

FOLDER = Path("/clinic/loras")
JOY = EmotionLora(Emotion.JOY, FOLDER / "joy.safetensors", weight=0.8,
                  trigger_words=("Joyful", "Artstyle"))
MANIFEST = LoraManifest(emotions={
    Emotion.JOY: JOY,
    Emotion.SADNESS: EmotionLora(Emotion.SADNESS, FOLDER / "sadness.safetensors"),
    Emotion.NEUTRAL: EmotionLora(Emotion.NEUTRAL, trigger_words=("Calm",)),
})
FEW_STEP = FewStepLora(FOLDER / "lcm-lora-sdv1-5.safetensors", steps=5, guidance_scale=1.2)
SERVER = ServerInventory(
    version="0.3.64", ram_total=0, devices=(), node_types=frozenset(),
    checkpoints=("sd15.safetensors",),
    loras=("animo/joy.safetensors", "lcm-lora-sdv1-5.safetensors"),
    samplers=(), schedulers=())
SETTINGS = DiffusionSettings(steps=20, guidance_scale=7.0, size=384, blend_weight=1.0)


def joy_request(**changes):
    return replace(GenerationRequest(job_id=3, emotion=Emotion.JOY, seed=1234, theme="the sea"),
                   **changes)


def test_a_request_becomes_the_graph_of_stock_nodes():
    job = build_job_graph(joy_request(lora_strength=1.25), "sd15.safetensors", MANIFEST,
                          SETTINGS, SERVER)
    prompt = build_prompt(Emotion.JOY, "the sea", JOY)
    assert prompt.startswith("Joyful, Artstyle, the sea")
    assert job.nodes == {
        "checkpoint": {"class_type": "CheckpointLoaderSimple",
                       "inputs": {"ckpt_name": "sd15.safetensors"}},
        "emotion_lora": {"class_type": "LoraLoader", "inputs": {
            "model": ["checkpoint", 0], "clip": ["checkpoint", 1],
            "lora_name": "animo/joy.safetensors", "strength_model": 1.0, "strength_clip": 1.0}},
        "positive": {"class_type": "CLIPTextEncode",
                     "inputs": {"text": prompt, "clip": ["emotion_lora", 1]}},
        "negative": {"class_type": "CLIPTextEncode",
                     "inputs": {"text": NEGATIVE_PROMPT, "clip": ["emotion_lora", 1]}},
        "latent": {"class_type": "EmptyLatentImage",
                   "inputs": {"width": 384, "height": 384, "batch_size": 1}},
        "sampler": {"class_type": "KSampler", "inputs": {
            "model": ["emotion_lora", 0], "seed": 1234, "steps": 20, "cfg": 7.0,
            "sampler_name": "dpmpp_2m", "scheduler": "karras", "positive": ["positive", 0],
            "negative": ["negative", 0], "latent_image": ["latent", 0], "denoise": 1.0}},
        "decode": {"class_type": "VAEDecode",
                   "inputs": {"samples": ["sampler", 0], "vae": ["checkpoint", 2]}},
        "save": {"class_type": "SaveImageWebsocket", "inputs": {"images": ["decode", 0]}},
    }
    assert (SAMPLER_NODE, OUTPUT_NODE) == ("sampler", "save")
    assert (job.prompt, job.checkpoint, job.lora, job.few_step_lora, job.size) == \
        (prompt, "sd15.safetensors", "animo/joy.safetensors", None, 384)
    assert job.lora_weight == pytest.approx(0.8 * 1.25)
    assert job.sampling.scheduler == "DPM++ 2M Karras"


def test_the_same_request_gives_the_same_graph_and_another_seed_only_another_seed():
    first = build_job_graph(joy_request(), "sd15.safetensors", MANIFEST, SETTINGS, SERVER)
    again = build_job_graph(joy_request(), "sd15.safetensors", MANIFEST, SETTINGS, SERVER)
    assert json.dumps(first.nodes, sort_keys=True) == json.dumps(again.nodes, sort_keys=True)
    other = build_job_graph(joy_request(seed=99), "sd15.safetensors", MANIFEST, SETTINGS, SERVER)
    assert other.nodes["sampler"]["inputs"]["seed"] == 99
    other.nodes["sampler"]["inputs"]["seed"] = 1234
    assert other.nodes == first.nodes


def test_without_a_request_strength_the_settings_blend_scales_the_manifest_weight():
    job = build_job_graph(joy_request(), "sd15.safetensors", MANIFEST,
                          replace(SETTINGS, blend_weight=0.5), SERVER)
    assert job.nodes["emotion_lora"]["inputs"]["strength_model"] == pytest.approx(0.4)
    assert job.lora_weight == pytest.approx(0.4)


@pytest.mark.parametrize("request_, why", [
    (joy_request(emotion=Emotion.SADNESS), "the server lacks sadness.safetensors"),
    (joy_request(emotion=Emotion.NEUTRAL), "the manifest gives neutral no LoRA file"),
    (joy_request(emotion=Emotion.ANGER), "anger is not in the manifest"),
    (joy_request(lora_strength=0.0), "the therapist's strength is zero"),
])
def test_an_emotion_without_a_usable_lora_is_prompt_only(request_, why):
    job = build_job_graph(request_, "sd15.safetensors", MANIFEST, SETTINGS, SERVER)
    assert "emotion_lora" not in job.nodes, why
    assert (job.lora, job.lora_weight) == (None, 0.0)
    assert job.nodes["positive"]["inputs"]["clip"] == ["checkpoint", 1]
    assert job.nodes["sampler"]["inputs"]["model"] == ["checkpoint", 0]
    entry = MANIFEST.entry(request_.emotion)
    assert job.prompt == build_prompt(request_.emotion, "the sea", entry, with_trigger_words=False)
    assert not any(word in job.prompt for word in ("Joyful", "Calm"))


def test_a_few_step_lora_on_the_server_comes_first_with_its_own_sampling():
    manifest = replace(MANIFEST, few_step=FEW_STEP)
    job = build_job_graph(joy_request(), "sd15.safetensors", manifest, SETTINGS, SERVER)
    assert job.nodes["few_step_lora"] == {"class_type": "LoraLoader", "inputs": {
        "model": ["checkpoint", 0], "clip": ["checkpoint", 1],
        "lora_name": "lcm-lora-sdv1-5.safetensors", "strength_model": 1.0, "strength_clip": 1.0}}
    assert job.nodes["emotion_lora"]["inputs"]["model"] == ["few_step_lora", 0]
    assert job.nodes["emotion_lora"]["inputs"]["clip"] == ["few_step_lora", 1]
    sampler = job.nodes["sampler"]["inputs"]
    assert (sampler["sampler_name"], sampler["scheduler"], sampler["steps"], sampler["cfg"]) == \
        ("lcm", "sgm_uniform", 5, 1.2)
    assert (job.few_step_lora, job.sampling.scheduler) == ("lcm-lora-sdv1-5.safetensors", "LCM")


def test_a_few_step_lora_the_server_lacks_means_the_usual_sampling():
    manifest = replace(MANIFEST, few_step=replace(FEW_STEP, file=FOLDER / "absent.safetensors"))
    job = build_job_graph(joy_request(), "sd15.safetensors", manifest, SETTINGS, SERVER)
    assert "few_step_lora" not in job.nodes and job.few_step_lora is None
    sampler = job.nodes["sampler"]["inputs"]
    assert (sampler["sampler_name"], sampler["steps"], sampler["cfg"]) == ("dpmpp_2m", 20, 7.0)


def test_without_a_size_setting_the_graph_uses_sd15s_own():
    job = build_job_graph(joy_request(), "sd15.safetensors", MANIFEST,
                          replace(SETTINGS, size=None), SERVER)
    assert job.nodes["latent"]["inputs"] == {"width": 512, "height": 512, "batch_size": 1}


def test_every_node_input_link_names_a_node_of_the_graph():
    job = build_job_graph(joy_request(), "sd15.safetensors", replace(MANIFEST, few_step=FEW_STEP),
                          SETTINGS, SERVER)
    links = [value for node in job.nodes.values() for value in node["inputs"].values()
             if isinstance(value, list)]
    assert links and all(source in job.nodes and isinstance(output, int)
                         for source, output in links)


def test_with_palette_guidance_sampling_starts_from_the_painters_uploaded_artwork():
    guided = replace(SETTINGS, palette_strength=0.6)
    job = build_job_graph(joy_request(), "sd15.safetensors", MANIFEST, guided, SERVER,
                          guide_image="animo-guide-room1.png [temp]")
    assert job.nodes["guide"] == {"class_type": "LoadImage",
                                  "inputs": {"image": "animo-guide-room1.png [temp]"}}
    assert job.nodes["latent"] == {"class_type": "VAEEncode",
                                   "inputs": {"pixels": ["guide", 0], "vae": ["checkpoint", 2]}}
    sampler = job.nodes["sampler"]["inputs"]
    # diffusers' img2img at strength 0.6 of 20 steps samples the last 12 of them.
    assert (sampler["steps"], sampler["denoise"], sampler["latent_image"]) == \
        (12, 0.6, ["latent", 0])
    assert job.palette_strength == 0.6 and job.sampling.steps == 20


def test_palette_guidance_needs_both_a_strength_and_the_uploaded_image():
    unguided = build_job_graph(joy_request(), "sd15.safetensors", MANIFEST, SETTINGS, SERVER,
                               guide_image="animo-guide-room1.png [temp]")
    no_image = build_job_graph(joy_request(), "sd15.safetensors", MANIFEST,
                               replace(SETTINGS, palette_strength=0.6), SERVER)
    for job in (unguided, no_image):
        assert "guide" not in job.nodes and job.palette_strength == 0.0
        assert job.nodes["latent"]["class_type"] == "EmptyLatentImage"
        assert job.nodes["sampler"]["inputs"]["denoise"] == 1.0
