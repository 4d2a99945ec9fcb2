"""The contract every generation backend fulfils, and the choice of backend at start."""

from __future__ import annotations

import logging
from typing import Callable, Protocol

from animo_desktop.messages import Artwork, BackendInfo, GenerationProgress, GenerationRequest

log = logging.getLogger(__name__)

BACKEND_CHOICES = ("auto", "painter", "diffusion")

# Called at each step; returns False when the job should stop at this step (a newer
# request arrived and interrupting is on).
ProgressCallback = Callable[[GenerationProgress], bool]


class GenerationInterrupted(Exception):
    """The backend stopped a job at a step because its progress callback said so."""


class GenerationBackend(Protocol):
    info: BackendInfo

    def generate(self, request: GenerationRequest, on_progress: ProgressCallback) -> Artwork:
        """Make one artwork; raise GenerationInterrupted when on_progress returns False."""
        ...


def create_backend(choice: str) -> tuple[GenerationBackend, list[str]]:
    """Build the backend the user asked for; return it with warnings for the status bar.

    Runs in the generation thread: a diffusion model can take a while to load.
    """
    from animo_desktop.generation.painter_backend import PainterBackend

    if choice not in BACKEND_CHOICES:
        raise ValueError(f"unknown backend {choice!r}; expected one of {BACKEND_CHOICES}")
    warnings = []
    if choice == "diffusion":
        warnings.append("The diffusion backend is not part of this build yet; "
                        "the built-in painter makes the artworks.")
    return PainterBackend(), warnings
