"""`animo doctor`: a short report of what this machine offers ANIMO."""

from __future__ import annotations

import argparse
import importlib.metadata
import platform
import shutil
import sys
from pathlib import Path

from animo_desktop import __version__, paths
from animo_desktop.generation.model_locator import FoundModel, find_models
from animo_desktop.resources import RESOURCES_DIR
from animo_desktop.vision.cameras import list_cameras

LORA_DIR = RESOURCES_DIR.parent / "lora"


def _package_version(name: str) -> str | None:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


def _torch_row() -> str:
    try:
        import torch
    except ImportError:
        return "not installed (the built-in painter needs none)"
    if torch.cuda.is_available():
        return f"{torch.__version__}, CUDA {torch.version.cuda}: {torch.cuda.get_device_name(0)}"
    return f"{torch.__version__}, no CUDA GPU (CPU only)"


def _onnxruntime_row() -> str:
    try:
        import onnxruntime
    except ImportError:
        return "not installed"
    return f"{onnxruntime.__version__}: {', '.join(onnxruntime.get_available_providers())}"


def _models_row() -> str:
    models = find_models()
    if not models:
        return "none found (the built-in painter is used)"
    return "; ".join(_model_entry(model) for model in models)


def _model_entry(model: FoundModel) -> str:
    unused = f"; not used: it is {model.other_model}" if model.other_model else ""
    return f"{model.path} ({model.kind}, {model.origin}{unused})"


def _loras_row() -> str:
    files = sorted(LORA_DIR.glob("*.safetensors"))
    manifest = "manifest" if (LORA_DIR / "emotions.toml").exists() else "no manifest"
    return f"{len(files)} in {LORA_DIR} ({manifest})"


def _disk_row(folder: Path) -> str:
    existing = folder
    while not existing.exists():
        existing = existing.parent
    free = shutil.disk_usage(existing).free / 2**30
    return f"{free:.1f} GiB free at {folder}"


def report_rows() -> list[tuple[str, str]]:
    cameras = list_cameras()
    return [
        ("ANIMO", __version__),
        ("Python", f"{platform.python_version()} ({sys.platform}, {platform.machine()})"),
        ("Qt (PySide6)", _package_version("PySide6-Essentials")
         or _package_version("PySide6") or "not installed"),
        ("torch / GPU", _torch_row()),
        ("onnxruntime", _onnxruntime_row()),
        ("cameras", ", ".join(cameras) if cameras else "none found"),
        ("SD 1.5 model", _models_row()),
        ("emotion LoRAs", _loras_row()),
        ("disk", _disk_row(paths.sessions_dir())),
        ("settings", str(paths.config_dir())),
    ]


NAME = "doctor"
HELP = "print what this machine offers ANIMO (GPU, cameras, models, disk)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """doctor takes no options."""


def run(args: argparse.Namespace) -> int:
    rows = report_rows()
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"{name:<{width}}  {value}")
    return 0
