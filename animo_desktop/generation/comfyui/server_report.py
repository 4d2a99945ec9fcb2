"""What `animo doctor --server URL` says about a ComfyUI server: its version, device and
memory, its checkpoints, the nodes of ANIMO's job graph it lacks, and which of the
manifest's emotion LoRAs it holds."""

from __future__ import annotations

from animo_desktop.generation.comfyui.server_client import ComfyUIClient, ServerUnreachable
from animo_desktop.generation.comfyui.server_inventory import (InventoryError, ServerInventory,
                                                               emotion_lora_presence)
from animo_desktop.generation.lora_manifest import LoraManifest

GIB = 2**30


def server_rows(client: ComfyUIClient, manifest: LoraManifest,
                checkpoint: str | None = None) -> tuple[list[tuple[str, str]], bool]:
    """The report's rows, and whether ANIMO can make artworks there with `checkpoint`
    (None: the first the server holds)."""
    url = client.address.http_url
    try:
        inventory = client.read_inventory()
    except (ServerUnreachable, InventoryError) as error:
        return [("ComfyUI server", f"FAILED  {url}: {error}")], False
    return (inventory_rows(url, inventory, manifest, checkpoint),
            inventory.unusable_because(checkpoint) is None)


def inventory_rows(url: str, inventory: ServerInventory, manifest: LoraManifest,
                   checkpoint: str | None = None) -> list[tuple[str, str]]:
    presence = emotion_lora_presence(manifest, inventory)
    devices = "; ".join(f"{device.name} ({device.vram_total / GIB:.1f} GiB, "
                        f"{device.vram_free / GIB:.1f} GiB free)" for device in inventory.devices)
    lacking = inventory.missing_nodes
    present = f"{len(presence.present)} present"
    if presence.present:
        present += f" ({', '.join(emotion.value for emotion in presence.present)})"
    missing = [f"MISSING {file} ({emotion.value}: prompt only)"
               for emotion, file in presence.missing.items()]
    return [
        ("ComfyUI server", f"{url}, ComfyUI {inventory.version}"),
        ("server device", devices or "none reported"),
        ("server memory", f"{inventory.ram_total / GIB:.1f} GiB RAM"),
        ("server checkpoints", _checkpoints(inventory, checkpoint)),
        ("server nodes", f"FAILED  lacks {', '.join(lacking)}" if lacking
         else "every node of ANIMO's job graph"),
        ("server emotion LoRAs", "; ".join([present, *missing])),
    ]


def _checkpoints(inventory: ServerInventory, wanted: str | None) -> str:
    if not inventory.checkpoints:
        return "FAILED  none in models/checkpoints (put an SD 1.5 checkpoint there)"
    used = inventory.checkpoint_to_use(wanted)
    if used is None:
        return f"FAILED  no {wanted} among {', '.join(inventory.checkpoints)}"
    return ", ".join(f"{name} (used)" if name == used else name
                     for name in inventory.checkpoints)
