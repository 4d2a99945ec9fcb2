"""The comfyui backend against a real ComfyUI server (conftest.py): artworks, LoRA
switches, interruption, rooms side by side, and the server's history left clean."""

from __future__ import annotations

import json
import logging
import threading
import urllib.request
from dataclasses import replace

import numpy as np
import pytest

from animo_desktop.emotions import Emotion
from animo_desktop.generation.backend import GenerationInterrupted
from animo_desktop.generation.comfyui.comfyui_backend import ComfyUIBackend
from animo_desktop.generation.comfyui.server_address import parse_server_address
from animo_desktop.generation.diffusion_settings import DiffusionSettings
from animo_desktop.messages import GenerationRequest
from tests.comfyui_server.conftest import only_loopback

pytestmark = only_loopback

SIZE = 64  # pixels: an 8 x 8 latent, about a second a job on this CPU
SETTINGS = DiffusionSettings(steps=3, size=SIZE)


def make_backend(server, lora_dir, **options) -> ComfyUIBackend:
    return ComfyUIBackend(parse_server_address(server.url), lora_dir=lora_dir,
                          settings=SETTINGS, **options)


def request(job_id: int = 1, emotion: Emotion = Emotion.JOY, seed: int = 7) -> GenerationRequest:
    return GenerationRequest(job_id=job_id, emotion=emotion, seed=seed)


def pixels(artwork) -> np.ndarray:
    return np.asarray(artwork.image, dtype=np.int16)


# Straight to the server: other tests point the proxy variables at nowhere.
_direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def server_history(server) -> dict:
    with _direct.open(f"{server.url}/history", timeout=10) as answer:
        return json.load(answer)


def server_queue(server) -> dict:
    with _direct.open(f"{server.url}/queue", timeout=10) as answer:
        return json.load(answer)


@pytest.fixture(scope="module")
def backend(comfyui_server, lora_dir):
    backend = make_backend(comfyui_server, lora_dir)
    yield backend
    backend.close()


def test_an_artwork_comes_from_the_server_with_its_metadata(backend, comfyui_server):
    steps = []
    artwork = backend.generate(request(), lambda progress: steps.append(progress) or True)

    assert artwork.image.size == (SIZE, SIZE)
    metadata = artwork.metadata
    assert metadata.backend == "comfyui"
    assert metadata.model == comfyui_server.checkpoint_name
    assert metadata.lora == "animo-joy.safetensors"
    assert "joy artstyle" in metadata.prompt
    assert metadata.extra["server"] == comfyui_server.url
    assert metadata.extra["steps"] == SETTINGS.steps and metadata.extra["lora_weight"] == 1.0
    assert "notices" not in metadata.extra
    sampled = [progress.step for progress in steps]
    assert sampled[-1] == SETTINGS.steps and sorted(sampled) == sampled
    assert any(progress.preview is not None for progress in steps)  # latent2rgb previews
    assert backend.info.name == "comfyui"


def test_same_seed_gives_the_same_pixels_and_another_seed_others(backend):
    # Seed 12 in between: the server keeps only its last job's results, so seed 11 is
    # sampled anew rather than taken from its cache.
    first = pixels(backend.generate(request(seed=11), lambda progress: True))
    other = pixels(backend.generate(request(seed=12), lambda progress: True))
    again = pixels(backend.generate(request(seed=11), lambda progress: True))

    assert np.array_equal(first, again)
    assert np.abs(first - other).mean() > 1


def test_switching_emotion_switches_the_lora(backend):
    joy = backend.generate(request(emotion=Emotion.JOY), lambda progress: True)
    sadness = backend.generate(request(emotion=Emotion.SADNESS), lambda progress: True)

    assert (joy.metadata.lora, sadness.metadata.lora) == ("animo-joy.safetensors",
                                                          "animo-sadness.safetensors")
    assert np.abs(pixels(joy) - pixels(sadness)).mean() > 1


def test_palette_guidance_starts_from_the_painters_artwork_kept_only_in_the_temp_folder(
        comfyui_server, lora_dir):
    from PIL import Image

    from animo_desktop.painter import paint

    guided = ComfyUIBackend(parse_server_address(comfyui_server.url), lora_dir=lora_dir,
                            settings=replace(SETTINGS, steps=4, palette_strength=0.5))
    unguided = make_backend(comfyui_server, lora_dir)
    try:
        first = guided.generate(request(seed=41), lambda progress: True)
        from_noise = unguided.generate(request(seed=41), lambda progress: True)
        sadness = guided.generate(request(emotion=Emotion.SADNESS, seed=42),
                                  lambda progress: True)
        again = guided.generate(request(seed=41), lambda progress: True)
    finally:
        guided.close()
        unguided.close()

    assert first.metadata.extra["palette_strength"] == 0.5
    assert np.array_equal(pixels(first), pixels(again))
    assert np.abs(pixels(first) - pixels(from_noise)).mean() > 1
    assert np.abs(pixels(first) - pixels(sadness)).mean() > 1
    # One file for the room, overwritten by each job: now the last request's artwork.
    kept = sorted((comfyui_server.base / "temp").glob(f"*{guided.client_id}*"))
    assert [path.name for path in kept] == [f"animo-guide-{guided.client_id}.png"]
    assert np.array_equal(np.asarray(Image.open(kept[0]).convert("RGB")),
                          np.asarray(paint(Emotion.JOY, 41, SIZE)))


def test_a_stale_job_is_interrupted_and_the_next_one_comes(backend, comfyui_server):
    with pytest.raises(GenerationInterrupted):
        backend.generate(request(job_id=5, seed=31), lambda progress: progress.step < 1)
    assert "Interrupting prompt" in comfyui_server.log_path.read_text()

    artwork = backend.generate(request(job_id=6, seed=32), lambda progress: True)
    assert artwork.job_id == 6 and artwork.metadata.backend == "comfyui"


def test_a_job_gone_stale_while_queued_behind_another_rooms_leaves_the_queue(
        comfyui_server, lora_dir):
    busy_room = ComfyUIBackend(parse_server_address(comfyui_server.url), lora_dir=lora_dir,
                               settings=DiffusionSettings(steps=40, size=256))
    waiting_room = make_backend(comfyui_server, lora_dir)
    sampling, release = threading.Event(), threading.Event()

    def busy(progress):
        if progress.step >= 1:
            sampling.set()
        return not release.is_set()

    outcome = []
    thread = threading.Thread(target=lambda: outcome.append(pytest.raises(
        GenerationInterrupted, busy_room.generate, request(seed=71), busy)))
    thread.start()
    try:
        assert sampling.wait(120), "the busy room's job never started"
        asked = []
        with pytest.raises(GenerationInterrupted, match="waiting on the server"):
            waiting_room.generate(request(seed=72), lambda progress: asked.append(progress)
                                  and False)
        assert asked[0].step == 0  # asked while queued, before any step
        assert server_queue(comfyui_server)["queue_pending"] == []
    finally:
        release.set()
        thread.join(120)
        busy_room.close()
        waiting_room.close()
    assert outcome  # the busy room's job was interrupted too


def test_the_server_keeps_no_history_of_the_jobs(backend, comfyui_server):
    backend.generate(request(seed=21), lambda progress: True)
    with pytest.raises(GenerationInterrupted):
        backend.generate(request(job_id=2, seed=22), lambda progress: False)
    backend.generate(request(job_id=3, seed=23), lambda progress: True)

    # An entry is [number, prompt id, graph, extra data with the client id, outputs].
    # Only this room's: another room closed right after an interruption on a slow step
    # may leave its last one, which its next session's first job cannot reach.
    clients = [entry["prompt"][3].get("client_id")
               for entry in server_history(comfyui_server).values()]
    assert backend.client_id not in clients


def test_two_rooms_on_one_server_each_get_their_own_artworks(comfyui_server, lora_dir):
    rooms = [make_backend(comfyui_server, lora_dir) for _ in range(2)]
    try:
        assert rooms[0].client_id != rooms[1].client_id
        joy = rooms[0].generate(request(job_id=1, emotion=Emotion.JOY, seed=3),
                                lambda progress: True)
        fear = rooms[1].generate(request(job_id=1, emotion=Emotion.FEAR, seed=4),
                                 lambda progress: True)
        joy_again = rooms[0].generate(request(job_id=2, emotion=Emotion.JOY, seed=3),
                                      lambda progress: True)
    finally:
        for room in rooms:
            room.close()

    assert (joy.metadata.lora, fear.metadata.lora) == ("animo-joy.safetensors",
                                                       "animo-fear.safetensors")
    # Room 0's second artwork is its own, not room 1's that came in between.
    assert np.array_equal(pixels(joy), pixels(joy_again))
    assert not np.array_equal(pixels(joy), pixels(fear))


def test_a_lora_the_server_lacks_is_named_and_that_emotion_is_prompt_only(
        comfyui_server, lora_dir, tmp_path):
    manifest = (lora_dir / "emotions.toml").read_text().replace(
        "animo-anger.safetensors", "not-on-the-server.safetensors")
    (tmp_path / "emotions.toml").write_text(manifest)
    backend = make_backend(comfyui_server, tmp_path)
    try:
        anger = backend.generate(request(emotion=Emotion.ANGER), lambda progress: True)
    finally:
        backend.close()

    assert any("not-on-the-server.safetensors" in warning and "anger" in warning
               for warning in backend.warnings)
    assert anger.metadata.backend == "comfyui"
    assert anger.metadata.lora is None and anger.metadata.extra["lora_weight"] == 0.0
    assert "artstyle" not in anger.metadata.prompt


def test_a_graph_the_server_rejects_is_painted_with_its_reason(comfyui_server, lora_dir):
    backend = make_backend(comfyui_server, lora_dir)
    try:
        # A checkpoint the inventory named but the server no longer has: ComfyUI's own
        # validation rejects the graph.
        object.__setattr__(backend._connection, "checkpoint", "gone.safetensors")
        artwork = backend.generate(request(), lambda progress: True)
    finally:
        backend.close()

    assert artwork.metadata.backend == "painter"
    notice = artwork.metadata.extra["notices"][0]
    assert "rejected" in notice and "gone.safetensors" in notice


def test_nothing_logged_holds_the_token(comfyui_server, lora_dir, caplog):
    from animo_desktop.generation.comfyui.server_token import BearerToken

    secret = "s3cret-token-for-the-proxy"
    caplog.set_level(logging.DEBUG)
    backend = make_backend(comfyui_server, lora_dir, token=BearerToken(secret))
    try:
        artwork = backend.generate(request(), lambda progress: True)
    finally:
        backend.close()

    assert artwork.metadata.backend == "comfyui"  # ComfyUI ignores the header
    assert caplog.records and secret not in caplog.text
    assert secret not in json.dumps(artwork.metadata.to_dict())
