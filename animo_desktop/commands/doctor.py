"""`animo doctor`: a short report of what this machine offers ANIMO."""

from __future__ import annotations

import argparse
import importlib.metadata
import platform
import shutil
import sys
from pathlib import Path
from typing import Callable

from animo_desktop import __version__, paths
from animo_desktop.folder_deadline import FolderStalled, FolderTrail, read_within_deadline
from animo_desktop.generation.backend import add_server_arguments, resolve_server
from animo_desktop.generation.lora_manifest import default_lora_dir, manifest_file
from animo_desktop.generation.model_locator import FoundModel, find_models
from animo_desktop.vision.cameras import list_cameras


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
    """The provider the emotion models really run on: onnxruntime-gpu lists CUDA and
    TensorRT whether or not they can start on this machine."""
    try:
        import onnxruntime
        from animo_desktop.vision.classifier import DEFAULT_MODEL_PATH, onnx_session
    except ImportError:
        return "not installed"
    try:
        _, provider, fallback_reason = onnx_session(DEFAULT_MODEL_PATH, use_gpu=True, threads=1)
    except Exception as error:  # the emotion CNN's own row says more
        return f"{onnxruntime.__version__}, no session started: {error}"
    return f"{onnxruntime.__version__}, runs on {provider}" + (
        f": {fallback_reason}" if fallback_reason else "")


def model_check(path: Path, load: Callable[[Path], object]) -> str:
    """"ok", the file's size and path when `load` reads it, else "FAILED" and why."""
    try:
        size = path.stat().st_size
        load(path)
    except Exception as error:  # a missing, damaged or incompatible model: said, not raised
        return f"FAILED  {path}: {error}"
    return f"ok  {size / 1024:,.0f} KiB  {path}"


def _emotion_model_rows() -> list[tuple[str, str]]:
    """Each model emotion sensing loads, loaded as the camera worker loads it (well under
    a second each)."""
    try:
        from animo_desktop.vision import (classifier, face_detector, fusion, landmarks,
                                          rafdb_classifier)
    except (ImportError, OSError) as error:  # a broken install: said, not a traceback
        return [("emotion models", f"FAILED  onnxruntime, OpenCV or MediaPipe: {error}")]

    def open_landmarker(path: Path) -> None:
        landmarks.FaceLandmarker("image", model_path=path).close()

    return [
        ("emotion CNN", model_check(classifier.DEFAULT_MODEL_PATH, classifier.EmotionClassifier)),
        ("RAF-DB model", model_check(rafdb_classifier.DEFAULT_MODEL_PATH,
                                     rafdb_classifier.RafDbClassifier)),
        ("YuNet detector", model_check(face_detector.DEFAULT_MODEL_PATH,
                                       face_detector.FaceDetector)),
        ("face landmarker", model_check(landmarks.DEFAULT_MODEL_PATH, open_landmarker)),
        ("emotion fusion", model_check(fusion.DEFAULT_FUSION_PATH, fusion.EmotionFusion.load)),
    ]


def _models_row() -> str:
    try:
        models = find_models()
    except FolderStalled as error:
        return f"FAILED  {error}"
    if not models:
        return "none found (the built-in painter is used)"
    return "; ".join(_model_entry(model) for model in models)


def _model_entry(model: FoundModel) -> str:
    unused = f"; not used: it is {model.other_model}" if model.other_model else ""
    return f"{model.path} ({model.kind}, {model.origin}{unused})"


def _loras_row(location: Path) -> str:
    """The LoRAs beside the manifest at `location` (a folder, or its manifest file)."""
    def look() -> tuple[Path, list[Path], bool]:
        manifest = manifest_file(location)  # within the deadline: it looks at the folder
        folder = manifest.parent
        return folder, sorted(folder.glob("*.safetensors")), manifest.exists()

    try:
        folder, files, manifest = read_within_deadline(look, FolderTrail(location))
    except FolderStalled as error:
        return f"FAILED  {error}"
    return f"{len(files)} in {folder} ({'manifest' if manifest else 'no manifest'})"


def _disk_row(folder: Path) -> str:
    existing = folder
    while not existing.exists():
        existing = existing.parent
    free = shutil.disk_usage(existing).free / 2**30
    return f"{free:.1f} GiB free at {folder}"


def report_rows(lora_location: Path) -> list[tuple[str, str]]:
    cameras = list_cameras()
    return [
        ("ANIMO", __version__),
        ("Python", f"{platform.python_version()} ({sys.platform}, {platform.machine()})"),
        ("Qt (PySide6)", _package_version("PySide6-Essentials")
         or _package_version("PySide6") or "not installed"),
        ("torch / GPU", _torch_row()),
        ("onnxruntime", _onnxruntime_row()),
        *_emotion_model_rows(),
        ("cameras", ", ".join(cameras) if cameras else "none found"),
        ("SD 1.5 model", _models_row()),
        ("emotion LoRAs", _loras_row(lora_location)),
        ("disk", _disk_row(paths.sessions_dir())),
        ("settings", str(paths.config_dir())),
    ]


NAME = "doctor"
HELP = ("print what this machine offers ANIMO (GPU, emotion and face models, cameras, SD "
        "models, disk), and with --server what a ComfyUI server holds")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_server_arguments(parser)
    parser.add_argument("--lora-dir", metavar="DIR",
                        help="the emotion LoRAs' manifest folder to check, whose LoRAs the "
                             "--server should hold (default: as the app finds it)")


def _server_rows(args: argparse.Namespace) -> tuple[list[tuple[str, str]], bool]:
    """The --server's rows, and whether it can make ANIMO's artworks."""
    import uuid

    from animo_desktop.generation.comfyui.server_address import ServerAddressError
    from animo_desktop.generation.comfyui.server_client import ComfyUIClient
    from animo_desktop.generation.comfyui.server_report import server_rows
    from animo_desktop.generation.lora_manifest import load_manifest

    try:
        address, token = resolve_server(args.server, args.server_ca_file, args.server_token)
    except ServerAddressError as error:
        return [("ComfyUI server", f"FAILED  {error}")], False
    manifest, _ = load_manifest(Path(args.lora_dir) if args.lora_dir else None)
    return server_rows(ComfyUIClient(address, token, f"animo-doctor-{uuid.uuid4().hex}"),
                       manifest, args.server_checkpoint)


def run(args: argparse.Namespace) -> int:
    rows = report_rows(Path(args.lora_dir) if args.lora_dir else default_lora_dir())
    server_usable = True
    if args.server:
        server, server_usable = _server_rows(args)
        rows += server
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"{name:<{width}}  {value}")
    return 0 if server_usable else 1
