import json
from pathlib import Path

import pytest

from animo_desktop.emotions import Emotion
from animo_desktop.generation.comfyui.server_inventory import (InventoryError, ServerDevice,
                                                               emotion_lora_presence,
                                                               parse_inventory)
from animo_desktop.generation.lora_manifest import EmotionLora, LoraManifest

DATA = Path(__file__).parent / "data"


def answers():
    return (json.loads((DATA / "system_stats.json").read_text()),
            json.loads((DATA / "object_info.json").read_text()))


def inventory():
    return parse_inventory(*answers())


def test_the_servers_version_device_memory_and_choices_are_read():
    server = inventory()
    assert server.version == "0.3.64" and server.ram_total == 137438953472
    assert server.devices == (ServerDevice("cuda:0 NVIDIA H200 : cudaMallocAsync", "cuda",
                                           150109880320, 149000000000),)
    assert server.checkpoints == ("sd15/dreamshaper_8.safetensors",
                                  "v1-5-pruned-emaonly.safetensors")
    assert "anger.safetensors" in server.loras and len(server.loras) == 5
    assert server.samplers == ("euler", "euler_ancestral", "dpmpp_2m", "lcm")
    # The newer COMBO schema, as KSampler's scheduler is written in the fixture.
    assert server.schedulers == ("simple", "sgm_uniform", "karras", "normal")
    assert server.missing_nodes == ()


def test_a_server_without_the_websocket_save_node_or_loras_says_so():
    stats, info = answers()
    del info["SaveImageWebsocket"], info["LoraLoader"]
    server = parse_inventory(stats, info)
    assert server.missing_nodes == ("LoraLoader", "SaveImageWebsocket")
    assert server.loras == ()


def test_a_lora_is_found_by_its_name_or_in_one_subfolder():
    server = inventory()
    assert server.lora_named("anger.safetensors") == "anger.safetensors"
    assert server.lora_named("joy.safetensors") == "animo/joy.safetensors"
    assert server.lora_named("fear.safetensors") is None  # in two subfolders: ambiguous
    assert server.lora_named("sadness.safetensors") is None
    windows = parse_inventory(answers()[0], {"LoraLoader": {"input": {"required": {
        "lora_name": [["animo\\joy.safetensors"], {}]}}}})
    assert windows.lora_named("joy.safetensors") == "animo\\joy.safetensors"


def test_the_emotion_loras_present_and_missing_on_the_server(tmp_path):
    manifest = LoraManifest(emotions={
        Emotion.JOY: EmotionLora(Emotion.JOY, tmp_path / "joy.safetensors"),
        Emotion.ANGER: EmotionLora(Emotion.ANGER, tmp_path / "anger.safetensors"),
        Emotion.SADNESS: EmotionLora(Emotion.SADNESS, tmp_path / "sadness.safetensors"),
        Emotion.NEUTRAL: EmotionLora(Emotion.NEUTRAL),  # prompt-only by the manifest
    })
    presence = emotion_lora_presence(manifest, inventory())
    assert presence.present == {Emotion.JOY: "animo/joy.safetensors",
                                Emotion.ANGER: "anger.safetensors"}
    assert presence.missing == {Emotion.SADNESS: "sadness.safetensors"}


@pytest.mark.parametrize("break_answer", [
    lambda stats, info: stats.pop("system"),
    lambda stats, info: stats["system"].update(comfyui_version=64),
    lambda stats, info: stats["devices"][0].update(vram_total=-1),
    lambda stats, info: stats["devices"][0].update(vram_free=True),
    lambda stats, info: stats.update(devices={"name": "cpu"}),
    lambda stats, info: info["LoraLoader"]["input"]["required"].pop("lora_name"),
    lambda stats, info: info["LoraLoader"]["input"]["required"].update(lora_name=["x"]),
    lambda stats, info: info["CheckpointLoaderSimple"]["input"]["required"].update(
        ckpt_name=[[1, 2], {}]),
    lambda stats, info: info["KSampler"]["input"]["required"].update(scheduler=["COMBO", {}]),
    lambda stats, info: info["KSampler"]["input"]["required"].update(scheduler=[]),
])
def test_an_answer_not_shaped_as_comfyuis_is_refused(break_answer):
    stats, info = answers()
    break_answer(stats, info)
    with pytest.raises(InventoryError, match="not shaped as ComfyUI's"):
        parse_inventory(stats, info)


@pytest.mark.parametrize("stats, info", [([], {}), ("text", {}), (None, None)])
def test_answers_of_the_wrong_kind_are_refused(stats, info):
    with pytest.raises(InventoryError):
        parse_inventory(stats, info)


def test_the_problem_says_what_keeps_animo_s_jobs_from_running():
    from dataclasses import replace

    ready = inventory()
    assert ready.problem is None
    assert replace(ready, checkpoints=()).problem == \
        "it holds no checkpoint in models/checkpoints"
    lacking = replace(ready, node_types=ready.node_types - {"SaveImageWebsocket"})
    assert lacking.problem == "it lacks the nodes SaveImageWebsocket"


def test_the_checkpoint_asked_for_else_the_first_the_server_holds():
    from dataclasses import replace

    server = inventory()
    assert server.checkpoint_to_use(None) == "sd15/dreamshaper_8.safetensors"
    assert server.checkpoint_to_use("v1-5-pruned-emaonly.safetensors") == \
        "v1-5-pruned-emaonly.safetensors"
    assert server.checkpoint_to_use("elsewhere.safetensors") is None
    assert replace(server, checkpoints=()).checkpoint_to_use(None) is None


def test_the_report_marks_the_checkpoint_used_and_fails_one_the_server_lacks():
    from animo_desktop.generation.comfyui.server_report import inventory_rows

    def checkpoints_row(wanted):
        rows = dict(inventory_rows("http://127.0.0.1:8188", inventory(), LoraManifest(), wanted))
        return rows["server checkpoints"]

    assert checkpoints_row(None) == ("sd15/dreamshaper_8.safetensors (used), "
                                     "v1-5-pruned-emaonly.safetensors")
    assert checkpoints_row("v1-5-pruned-emaonly.safetensors").endswith(
        "v1-5-pruned-emaonly.safetensors (used)")
    assert checkpoints_row("elsewhere.safetensors") == (
        "FAILED  no elsewhere.safetensors among sd15/dreamshaper_8.safetensors, "
        "v1-5-pruned-emaonly.safetensors")


def test_a_server_is_unusable_for_a_checkpoint_it_lacks_or_for_its_own_problem():
    from dataclasses import replace

    server = inventory()
    assert server.unusable_because(None) is None
    assert server.unusable_because("v1-5-pruned-emaonly.safetensors") is None
    assert server.unusable_because("elsewhere.safetensors") == \
        "it holds no checkpoint elsewhere.safetensors"
    lacking = replace(server, node_types=server.node_types - {"SaveImageWebsocket"})
    assert lacking.unusable_because(None) == "it lacks the nodes SaveImageWebsocket"
