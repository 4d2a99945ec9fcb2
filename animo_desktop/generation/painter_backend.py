"""The embedded default backend: the procedural painter, on the CPU, no model needed."""

from __future__ import annotations

import logging
import time
from dataclasses import replace

from animo_desktop.messages import (Artwork, ArtworkMetadata, BackendInfo, GenerationProgress,
                                    GenerationRequest)
from animo_desktop.generation.backend import ProgressCallback
from animo_desktop.painter import paint
from animo_desktop.session import now_iso

log = logging.getLogger(__name__)


class PainterBackend:
    info = BackendInfo(name="painter", device="CPU", detail="built-in procedural painter")

    def generate(self, request: GenerationRequest, on_progress: ProgressCallback) -> Artwork:
        started = time.perf_counter()
        image = paint(request.emotion, request.seed)
        elapsed_ms = (time.perf_counter() - started) * 1000
        on_progress(GenerationProgress(request.job_id, 1, 1))
        metadata = ArtworkMetadata(created_at=now_iso(), emotion=request.emotion,
                                   backend=self.info.name, seed=request.seed,
                                   prompt=request.theme, generation_ms=elapsed_ms)
        return Artwork(request.job_id, image, metadata)


def painted_instead(request: GenerationRequest, on_progress: ProgressCallback,
                    notices: list[str]) -> Artwork:
    """The painter's artwork for a request that another backend could not make; the
    notices (the status bar shows them) say why."""
    artwork = PainterBackend().generate(request, on_progress)
    if not notices:
        return artwork
    log.warning("job %d: %s", request.job_id, " ".join(notices))
    metadata = replace(artwork.metadata, extra={**artwork.metadata.extra, "notices": notices})
    return replace(artwork, metadata=metadata)
