"""Where Stable Diffusion 1.5 models live on a user's machine, found without a network.

`--model` takes a diffusers folder, a single-file `.safetensors` checkpoint (as
AUTOMATIC1111 and Civitai users have them) or a Hugging Face hub id already in the local
cache. Pickle checkpoints are refused: unpickling runs arbitrary code. This module
imports no torch, so the app starts fast when no model is installed.

Looks where people keep them: the Hugging Face cache, the model folders of
AUTOMATIC1111, ComfyUI and InvokeAI under known roots, and ANIMO's own models folder.
Pickle checkpoints, and single files that are not SD 1.5 (the SDXL, SD 2, inpainting
checkpoints or LoRAs that share those folders), are listed so that `animo doctor` can say
why they are not used, but are never chosen. A folder that does not answer (a network
share that stalls) ends the search after a deadline, named (folder_deadline.py).
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

from animo_desktop import paths
from animo_desktop.folder_deadline import FolderStalled, FolderTrail, read_within_deadline
from animo_desktop.generation.safetensors_header import not_sd15

HF_SD15_REPOS = ("models--stable-diffusion-v1-5--stable-diffusion-v1-5",
                 "models--runwayml--stable-diffusion-v1-5")
# Model folders below a tool's root, by tool.
TOOL_MODEL_FOLDERS = (
    ("AUTOMATIC1111", "models/Stable-diffusion"),
    ("ComfyUI", "models/checkpoints"),
    ("InvokeAI", "models"),
    ("InvokeAI", "models/sd-1/main"),
)
DEFAULT_TOOL_ROOTS = ("~/stable-diffusion-webui", "~/ComfyUI", "~/invokeai")
PICKLE_SUFFIXES = (".ckpt", ".pt", ".pth", ".bin", ".pkl")
PICKLE_KIND = "pickle checkpoint (refused: convert to .safetensors)"


@dataclass(frozen=True)
class FoundModel:
    path: Path
    kind: str  # "diffusers folder", "single file", "hugging face cache", PICKLE_KIND
    origin: str  # where it was found
    other_model: str | None = None  # what a single file is instead of SD 1.5 ("an SDXL ...")

    @property
    def usable(self) -> bool:
        return self.kind != PICKLE_KIND and self.other_model is None


def is_diffusers_folder(path: Path) -> bool:
    return path.is_dir() and (path / "model_index.json").is_file()


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
    """Every model in the usual places; FolderStalled when one of them does not answer in
    time (FOLDER_DEADLINE_S), naming it."""
    trail = FolderTrail(hf_cache_dir())
    return read_within_deadline(lambda: _scan_models(trail), trail)


def _scan_models(trail: FolderTrail) -> list[FoundModel]:
    found: list[FoundModel] = []
    for repo in HF_SD15_REPOS:
        snapshots = trail.enter(hf_cache_dir() / repo / "snapshots")
        for snapshot in sorted(snapshots.glob("*")):
            if is_diffusers_folder(snapshot):
                found.append(FoundModel(snapshot, "hugging face cache", "Hugging Face cache"))
    folders = [(paths.data_dir() / "models", "ANIMO")]
    for root in tool_roots():
        folders += [(root / sub, tool) for tool, sub in TOOL_MODEL_FOLDERS]
    for folder, origin in folders:
        if not trail.enter(folder).is_dir():
            continue
        for candidate in sorted(folder.iterdir()):
            suffix = candidate.suffix.lower()
            # Only regular files: not a FIFO (reading it would wait forever), a folder or
            # a link to a file that is gone.
            if suffix == ".safetensors" and candidate.is_file():
                found.append(FoundModel(candidate, "single file", origin,
                                        not_sd15(candidate)))
            elif suffix in PICKLE_SUFFIXES and candidate.is_file():
                found.append(FoundModel(candidate, PICKLE_KIND, origin))
            elif is_diffusers_folder(candidate):
                found.append(FoundModel(candidate, "diffusers folder", origin))
    return found


def not_regular_files(folder: Path) -> list[Path]:
    """The entries of a diffusers folder and of its component folders (all that diffusers
    and ANIMO read there) that are neither regular files nor folders: a FIFO, a socket, a
    device. Opening one to read could wait forever. A link to nothing is left out: opening
    it fails at once."""
    entries = []
    for entry in sorted(folder.iterdir()):
        entries.append(entry)
        if entry.is_dir():
            entries += sorted(entry.iterdir())
    special = []
    for entry in entries:
        try:
            mode = entry.stat().st_mode
        except OSError:
            continue
        if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
            special.append(entry)
    return special


class ModelLoadError(Exception):
    """A model that cannot be used; the message is written for the therapist."""


def refuse_pickle(path: Path) -> None:
    if path.suffix.lower() in PICKLE_SUFFIXES:
        raise ModelLoadError(
            f"{path.name} is a pickle file ({path.suffix}); ANIMO loads only .safetensors, "
            "because opening a pickle runs whatever code it contains. Convert it once on a "
            "trusted machine, e.g. with AUTOMATIC1111's checkpoint merger or "
            "`safetensors.torch.save_file(torch.load(path, weights_only=True)['state_dict'], "
            "'model.safetensors')`, or download the .safetensors version.")


@dataclass(frozen=True)
class ModelSource:
    path: Path
    kind: str  # "diffusers folder" or "single file"

    @property
    def name(self) -> str:
        if self.kind == "single file":
            return self.path.stem
        # A Hugging Face cache snapshot is named by its commit: show the repository instead.
        if self.path.parent.name == "snapshots":
            return self.path.parent.parent.name.removeprefix("models--").replace("--", "/")
        return self.path.name


def resolve_model(spec: str | None) -> ModelSource | None:
    """What `--model` names; with no `--model`, the first usable model found, or None.
    ModelLoadError also when a folder it reads does not answer in time."""
    trail = FolderTrail(Path(spec).expanduser() if spec else hf_cache_dir())
    try:
        return read_within_deadline(lambda: _resolve(spec, trail), trail)
    except FolderStalled as error:
        raise ModelLoadError(f"looking for the Stable Diffusion model: {error}") from error


def _resolve(spec: str | None, trail: FolderTrail) -> ModelSource | None:
    if not spec:
        usable = [found for found in _scan_models(trail) if found.usable]
        return _source(usable[0]) if usable else None
    path = Path(spec).expanduser()
    if path.exists():
        refuse_pickle(path)
        if path.is_file() and path.suffix.lower() == ".safetensors":
            return ModelSource(path, "single file")
        if is_diffusers_folder(path):
            return ModelSource(path, "diffusers folder")
        raise ModelLoadError(f"{path} is neither a .safetensors checkpoint nor a diffusers "
                             "model folder (with model_index.json)")
    if spec.count("/") == 1 and not path.suffix and _is_hub_id(spec):
        trail.enter(hf_cache_dir())
        return ModelSource(_cached_hub_snapshot(spec), "diffusers folder")
    raise ModelLoadError(f"the model {path} does not exist")


def _source(found: FoundModel) -> ModelSource:
    return ModelSource(found.path, "single file" if found.path.is_file() else "diffusers folder")


def _is_hub_id(spec: str) -> bool:
    """Whether spec is spelt as the hub spells its ids: "/models/sd", "./sd" or "~/sd" is a
    path that does not exist, not a model to look for in the cache."""
    from huggingface_hub.errors import HFValidationError
    from huggingface_hub.utils import validate_repo_id

    try:
        validate_repo_id(spec)
    except HFValidationError:
        return False
    return True


def _cached_hub_snapshot(repo_id: str) -> Path:
    from huggingface_hub import snapshot_download
    from huggingface_hub.errors import LocalEntryNotFoundError

    try:
        return Path(snapshot_download(repo_id, cache_dir=hf_cache_dir(), local_files_only=True))
    except (LocalEntryNotFoundError, OSError, ValueError) as error:
        raise ModelLoadError(f"{repo_id} is not in the local Hugging Face cache (ANIMO never "
                             "downloads); copy the model to this machine first") from error
