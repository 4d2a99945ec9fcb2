"""Where Stable Diffusion 1.5 models live on a user's machine, found without a network.

Looks where people keep them: the Hugging Face cache, the model folders of
AUTOMATIC1111, ComfyUI and InvokeAI under known roots, and ANIMO's own models folder.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from animo_desktop import paths

HF_SD15_REPOS = ("models--stable-diffusion-v1-5--stable-diffusion-v1-5",
                 "models--runwayml--stable-diffusion-v1-5")
# Model folders below a tool's root, by tool.
TOOL_MODEL_FOLDERS = {
    "AUTOMATIC1111": "models/Stable-diffusion",
    "ComfyUI": "models/checkpoints",
    "InvokeAI": "models",
}
DEFAULT_TOOL_ROOTS = ("~/stable-diffusion-webui", "~/ComfyUI", "~/invokeai")


@dataclass(frozen=True)
class FoundModel:
    path: Path
    kind: str  # "diffusers folder", "single file", "hugging face cache"
    origin: str  # where it was found


def hf_cache_dir() -> Path:
    if os.environ.get("HF_HUB_CACHE"):
        return Path(os.environ["HF_HUB_CACHE"])
    hf_home = os.environ.get("HF_HOME") or os.path.join(os.path.expanduser("~"), ".cache",
                                                        "huggingface")
    return Path(hf_home) / "hub"


def tool_roots() -> list[Path]:
    """Roots of other tools' installs: ANIMO_MODEL_ROOTS (os.pathsep-separated) first."""
    configured = [entry for entry in os.environ.get("ANIMO_MODEL_ROOTS", "").split(os.pathsep)
                  if entry]
    return [Path(entry).expanduser() for entry in (*configured, *DEFAULT_TOOL_ROOTS)]


def find_models() -> list[FoundModel]:
    found: list[FoundModel] = []
    for repo in HF_SD15_REPOS:
        for snapshot in sorted((hf_cache_dir() / repo / "snapshots").glob("*")):
            if (snapshot / "model_index.json").exists():
                found.append(FoundModel(snapshot, "hugging face cache", "Hugging Face cache"))
    folders = [(paths.data_dir() / "models", "ANIMO")]
    for root in tool_roots():
        folders += [(root / sub, tool) for tool, sub in TOOL_MODEL_FOLDERS.items()]
    for folder, origin in folders:
        if not folder.is_dir():
            continue
        for candidate in sorted(folder.iterdir()):
            if candidate.suffix == ".safetensors":
                found.append(FoundModel(candidate, "single file", origin))
            elif (candidate / "model_index.json").exists():
                found.append(FoundModel(candidate, "diffusers folder", origin))
    return found
