"""What a ComfyUI server offers, read from its /system_stats and /object_info answers:
version, devices and memory, checkpoints, LoRAs, samplers and node types; and which of
the manifest's emotion LoRAs it holds.

Shapes as ComfyUI 0.3.64's server.py writes them. A node's choice list is
`[[choices...], {options}]`, or `["COMBO", {"options": [choices...]}]` in the newer
node schema: both are read.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from animo_desktop.emotions import ALL_EMOTIONS, Emotion
from animo_desktop.generation.lora_manifest import LoraManifest

# The nodes of ANIMO's job graph. SaveImageWebsocket ships in ComfyUI's custom_nodes
# folder, so a server started with --disable-all-custom-nodes lacks it.
REQUIRED_NODES = ("CheckpointLoaderSimple", "LoraLoader", "CLIPTextEncode", "EmptyLatentImage",
                  "LoadImage", "VAEEncode", "KSampler", "VAEDecode", "SaveImageWebsocket")


class InventoryError(ValueError):
    """A /system_stats or /object_info answer that is not shaped as ComfyUI's."""


@dataclass(frozen=True)
class ServerDevice:
    name: str  # e.g. "cuda:0 NVIDIA H200 : cudaMallocAsync", or "cpu"
    type: str  # torch's device type: "cuda", "cpu", "mps", ...
    vram_total: int  # bytes
    vram_free: int


@dataclass(frozen=True)
class ServerInventory:
    version: str
    ram_total: int  # bytes
    devices: tuple[ServerDevice, ...]
    node_types: frozenset[str]
    checkpoints: tuple[str, ...]
    loras: tuple[str, ...]
    samplers: tuple[str, ...]
    schedulers: tuple[str, ...]

    @property
    def missing_nodes(self) -> tuple[str, ...]:
        return tuple(node for node in REQUIRED_NODES if node not in self.node_types)

    def checkpoint_to_use(self, wanted: str | None) -> str | None:
        """The checkpoint asked for (else the first the server holds); None when the
        server does not hold it."""
        checkpoint = wanted or (self.checkpoints[0] if self.checkpoints else None)
        return checkpoint if checkpoint in self.checkpoints else None

    def unusable_because(self, checkpoint: str | None) -> str | None:
        """Why ANIMO's jobs cannot run here with `checkpoint` (None: the first the server
        holds); None when they can."""
        if self.problem or self.checkpoint_to_use(checkpoint) is not None:
            return self.problem
        return f"it holds no checkpoint {checkpoint}"

    @property
    def problem(self) -> str | None:
        """Why ANIMO's jobs cannot run on this server; None when they can."""
        if self.missing_nodes:
            return f"it lacks the nodes {', '.join(self.missing_nodes)}"
        if not self.checkpoints:
            return "it holds no checkpoint in models/checkpoints"
        return None

    def lora_named(self, file_name: str) -> str | None:
        """The server's name for a LoRA file: the same name, else the one file of that
        name in a subfolder of its loras folder; None when absent or ambiguous."""
        if file_name in self.loras:
            return file_name
        in_subfolders = [name for name in self.loras
                         if name.replace("\\", "/").rsplit("/", 1)[-1] == file_name]
        return in_subfolders[0] if len(in_subfolders) == 1 else None


@dataclass(frozen=True)
class LoraPresence:
    present: Mapping[Emotion, str]  # emotion -> the server's name for its LoRA
    missing: Mapping[Emotion, str]  # emotion -> the manifest's file name the server lacks


def parse_inventory(system_stats: Any, object_info: Any) -> ServerInventory:
    """The inventory from the two answers' JSON. object_info may be the whole
    /object_info or the /object_info/{node} answers merged into one object."""
    try:
        system, devices = system_stats["system"], system_stats["devices"]
        if not isinstance(object_info, dict) or not isinstance(devices, list):
            raise TypeError("object_info must be an object and devices a list")
        return ServerInventory(
            version=_string(system["comfyui_version"]),
            ram_total=_bytes(system["ram_total"]),
            devices=tuple(ServerDevice(_string(device["name"]), _string(device["type"]),
                                       _bytes(device["vram_total"]), _bytes(device["vram_free"]))
                          for device in devices),
            node_types=frozenset(object_info),
            checkpoints=_choices(object_info, "CheckpointLoaderSimple", "ckpt_name"),
            loras=_choices(object_info, "LoraLoader", "lora_name"),
            samplers=_choices(object_info, "KSampler", "sampler_name"),
            schedulers=_choices(object_info, "KSampler", "scheduler"))
    except (KeyError, TypeError, IndexError) as error:
        raise InventoryError(f"the server's answer is not shaped as ComfyUI's: "
                             f"{type(error).__name__} {error}") from None


def emotion_lora_presence(manifest: LoraManifest, inventory: ServerInventory,
                          emotions: Iterable[Emotion] = ALL_EMOTIONS) -> LoraPresence:
    """Which of the manifest's emotion LoRAs the server holds; an emotion without a LoRA
    in the manifest is prompt-only anyway and in neither."""
    present: dict[Emotion, str] = {}
    missing: dict[Emotion, str] = {}
    for emotion in emotions:
        file = manifest.entry(emotion).file
        if file is None:
            continue
        server_name = inventory.lora_named(file.name)
        if server_name is None:
            missing[emotion] = file.name
        else:
            present[emotion] = server_name
    return LoraPresence(present, missing)


def _string(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{value!r:.40} is not a string")
    return value


def _bytes(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise TypeError(f"{value!r:.40} is not a byte count")
    return int(value)


def _choices(object_info: dict[str, Any], node: str, field: str) -> tuple[str, ...]:
    """A node's choice list; empty when the server has no such node."""
    if node not in object_info:
        return ()
    spec = object_info[node]["input"]["required"][field]
    choices = spec[1]["options"] if spec[0] == "COMBO" else spec[0]
    if not isinstance(choices, list):
        raise TypeError(f"{node}.{field} choices are not a list")
    return tuple(_string(choice) for choice in choices)
