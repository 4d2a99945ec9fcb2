"""The contract every generation backend fulfils, and the choice of backend at start."""

from __future__ import annotations

import argparse
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Mapping, Protocol

from animo_desktop.messages import (Artwork, BackendInfo, GenerationProgress, GenerationRequest,
                                    sentence)

if TYPE_CHECKING:
    from animo_desktop.generation.comfyui.server_address import ServerAddress
    from animo_desktop.generation.comfyui.server_token import BearerToken
    from animo_desktop.generation.diffusion_settings import DiffusionSettings
    from animo_desktop.generation.model_locator import ModelSource
    from animo_desktop.settings import Settings

log = logging.getLogger(__name__)

BACKEND_CHOICES = ("auto", "painter", "diffusion", "comfyui")
DEVICE_CHOICES = ("auto", "cuda", "cpu")

# Called at each step; returns False when the job should stop at this step (a newer
# request arrived and interrupting is on).
ProgressCallback = Callable[[GenerationProgress], bool]


# Builds a backend (in the generation worker's watch, see ui/generation_worker.py);
# reports loading steps through its argument.
BackendFactory = Callable[[Callable[[str], None]], tuple["GenerationBackend", list[str]]]


class GenerationInterrupted(Exception):
    """The backend stopped a job at a step because its progress callback said so."""


class GenerationBackend(Protocol):
    info: BackendInfo

    def generate(self, request: GenerationRequest, on_progress: ProgressCallback) -> Artwork:
        """Make one artwork; raise GenerationInterrupted when on_progress returns False."""
        ...


def add_model_arguments(parser: argparse.ArgumentParser | argparse._ArgumentGroup) -> None:
    """--model, --lora-dir, --device: shared by the app and `animo render`."""
    parser.add_argument("--model", metavar="PATH|HUB_ID",
                        help="Stable Diffusion 1.5 model: a diffusers folder, a .safetensors "
                             "checkpoint, or a hub id in the local Hugging Face cache "
                             "(default: the first one `animo doctor` lists)")
    parser.add_argument("--lora-dir", metavar="DIR",
                        help="folder of the emotion LoRA manifest emotions.toml (default: "
                             "$ANIMO_LORA_DIR, else the project's lora/ folder)")
    parser.add_argument("--device", choices=DEVICE_CHOICES, default="auto",
                        help="where diffusion runs: fp16 on CUDA, fp32 on the CPU")


def add_server_arguments(parser: argparse.ArgumentParser | argparse._ArgumentGroup) -> None:
    """--server, --server-token, --server-ca-file: the app, `animo doctor` and the bench."""
    parser.add_argument("--server", metavar="URL",
                        help="a ComfyUI server that makes the artworks (--backend comfyui): "
                             "https://, or http:// to this computer only")
    parser.add_argument("--server-token", metavar="TOKEN",
                        help="bearer token for the server's proxy (better: the environment "
                             "variable ANIMO_SERVER_TOKEN, which no process list shows)")
    parser.add_argument("--server-ca-file", metavar="FILE",
                        help="the certificate authority that signed the server's certificate, "
                             "when it is not one the system trusts")
    parser.add_argument("--server-checkpoint", metavar="NAME",
                        help="the server's SD 1.5 checkpoint, as `animo doctor --server` lists "
                             "it (default: the first one it holds)")


def resolve_server(url: str | None, ca_file: str | None = None, token: str | None = None,
                   token_setting: str | None = None,
                   ) -> tuple["ServerAddress | None", "BearerToken | None"]:
    """The ComfyUI server and token that the options (else the settings, else
    ANIMO_SERVER_TOKEN) name; (None, None) without a URL. ServerAddressError says why an
    address or token is refused, before anything connects."""
    from animo_desktop.generation.comfyui.server_address import (ServerAddressError,
                                                                 parse_server_address)
    from animo_desktop.generation.comfyui.server_token import resolve_token

    if not url:
        return None, None
    address = parse_server_address(url, ca_file or None)
    try:
        return address, resolve_token(token, token_setting)
    except ValueError as error:
        raise ServerAddressError(str(error)) from None


def server_makes_artworks(choice: str, server: "ServerAddress | None") -> bool:
    """Whether this choice has a ComfyUI server make the artworks (`auto` does when given
    one)."""
    return choice == "comfyui" or (choice == "auto" and server is not None)


@dataclass(frozen=True)
class ChosenBackend:
    """A backend choice ready to build: the factory, and the server that makes its
    artworks (None: this computer does)."""
    choice: str  # one of BACKEND_CHOICES; "comfyui" whenever a server makes the artworks
    factory: BackendFactory
    server: "ServerAddress | None" = None


@dataclass(frozen=True)
class BackendOptions:
    """What every backend choice is built with: the command line's model, LoRA folder,
    device and server credentials, and the settings (read when a backend is built: a
    rebuild takes the LoRA strength set since)."""
    settings: "Settings"
    model: str | None = None  # the command line's, else the setting's
    lora_dir: str | None = None
    device: str = "auto"
    server_ca_file: str | None = None  # the command line's; else the setting's
    server_token: str | None = None  # the command line's; else the setting's, or the env's
    server_checkpoint: str | None = None  # the command line's; else the setting's

    def choose(self, choice: str, server_url: str) -> ChosenBackend:
        """The backend `choice` names, with the server at `server_url` ("" for none).
        ServerAddressError says why the URL or token is refused, or that the server
        choice has no URL, before anything connects."""
        from animo_desktop.generation.comfyui.server_address import ServerAddressError

        server, token = resolve_server(server_url,
                                       self.server_ca_file or self.settings.server_ca_file,
                                       self.server_token, self.settings.server_token)
        if choice == "comfyui" and server is None:
            raise ServerAddressError("the comfyui backend needs the ComfyUI server's URL "
                                     "(--server URL, the server_url setting, or the side "
                                     "panel)")

        def factory(report_loading: Callable[[str], None]):
            diffusion = {"blend_weight": self.settings.lora_strength,
                         "palette_strength": self.settings.palette_strength,
                         "compile_backend": "inductor" if self.settings.compile_unet else None}
            return create_backend(choice, model=self.model, lora_dir=self.lora_dir,
                                  device=self.device, settings=diffusion,
                                  on_load_progress=report_loading, server=server,
                                  server_token=token,
                                  server_checkpoint=self.server_checkpoint
                                  or self.settings.server_checkpoint)

        if server_makes_artworks(choice, server):
            return ChosenBackend("comfyui", factory, server)
        return ChosenBackend(choice, factory)


def require_model(model: str | None) -> "ModelSource":
    """The model that `model` names, else the first one found; ModelLoadError when there
    is none, for the callers that were asked for Stable Diffusion by name."""
    from animo_desktop.generation.model_locator import ModelLoadError, resolve_model

    source = resolve_model(model)
    if source is None:
        raise ModelLoadError("no Stable Diffusion 1.5 model found; pass --model (see `animo "
                             "doctor`, or `animo make-tiny-model` for a test model) or use "
                             "--backend painter")
    return source


def create_backend(choice: str, model: str | None = None, lora_dir: str | Path | None = None,
                   device: str = "auto",
                   settings: "DiffusionSettings | Mapping[str, Any] | None" = None,
                   on_load_progress: Callable[[str], None] = lambda text: None,
                   server: "ServerAddress | None" = None, server_token: "BearerToken | None" = None,
                   server_checkpoint: str | None = None,
                   ) -> tuple[GenerationBackend, list[str]]:
    """Build the backend the user asked for; return it with warnings for the status bar.

    auto: diffusion when a model is found (`model`, else the usual places), else the
    painter; with a server given, comfyui. diffusion: the same, but saying so when it
    falls back. comfyui: the server makes them (the painter while it does not answer).
    A model that fails to load never stops the app: the painter takes over with a
    warning. Runs in the generation thread: a diffusion model can take a while to load.
    """
    from animo_desktop.generation.model_locator import ModelLoadError, resolve_model
    from animo_desktop.generation.painter_backend import PainterBackend

    if choice not in BACKEND_CHOICES:
        raise ValueError(f"unknown backend {choice!r}; expected one of {BACKEND_CHOICES}")
    if choice == "painter":
        return PainterBackend(), []
    settings = _diffusion_settings(settings)
    if server_makes_artworks(choice, server):
        return _comfyui_backend(server, server_token, server_checkpoint, lora_dir, settings)
    try:
        source = resolve_model(model)
    except ModelLoadError as error:
        log.warning("model not usable: %s", error)
        return PainterBackend(), [f"{sentence(str(error))} The built-in painter makes the "
                                  "artworks."]
    if source is None:
        warnings = [] if choice == "auto" else [
            "No Stable Diffusion 1.5 model was found (see `animo doctor`); the built-in "
            "painter makes the artworks."]
        return PainterBackend(), warnings
    try:
        # torch and diffusers load only once a model is found.
        from animo_desktop.generation.diffusion_backend import DiffusionBackend

        backend = DiffusionBackend(source, device=device,
                                   lora_dir=Path(lora_dir) if lora_dir else None,
                                   settings=settings,
                                   on_load_progress=on_load_progress)
    except Exception as error:  # a broken model or a missing library: the session goes on
        log.exception("diffusion backend failed to start with %s", source.path)
        return PainterBackend(), [f"The Stable Diffusion model {source.name} could not be used "
                                  f"({error}); the built-in painter makes the artworks."]
    return backend, backend.warnings


def _diffusion_settings(settings: "DiffusionSettings | Mapping[str, Any] | None"
                        ) -> "DiffusionSettings":
    """The settings as given, from plain values (the settings file's), or the defaults."""
    from animo_desktop.generation.diffusion_settings import DiffusionSettings

    if isinstance(settings, Mapping):
        return DiffusionSettings(**settings)
    return settings or DiffusionSettings()


def _comfyui_backend(server: "ServerAddress | None", token: "BearerToken | None",
                     checkpoint: str | None, lora_dir: str | Path | None,
                     settings: "DiffusionSettings") -> tuple[GenerationBackend, list[str]]:
    from animo_desktop.generation.comfyui.comfyui_backend import ComfyUIBackend
    from animo_desktop.generation.painter_backend import PainterBackend

    if server is None:
        return PainterBackend(), ["--backend comfyui needs --server URL (or the server_url "
                                  "setting); the built-in painter makes the artworks."]
    backend = ComfyUIBackend(server, token, Path(lora_dir) if lora_dir else None,
                             settings, checkpoint=checkpoint or None)
    return backend, backend.warnings
