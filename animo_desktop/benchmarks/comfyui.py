"""`animo bench comfyui --server URL [--rooms 1,2,4] [--model PATH]`: rooms on one ComfyUI
server, and what the server costs beyond sampling.

For each number of rooms, each room is a comfyui backend of its own (its own client id
and websocket), in a thread of its own, asking for artworks one after the other as a
session does, the emotions in turn. Reports each artwork's time from request to image
(which includes waiting behind the other rooms' jobs), the server's throughput, any
artwork the painter had to make instead, and the overhead: the time to the image beyond
sampling (the time between the first and the last sampling step, scaled to all steps).
With --model, local diffusion makes the same requests with the same settings in the same
run, measured alike, so the two overheads compare. Both start with a warm-up artwork that
is not counted (loading the model).
"""

from __future__ import annotations

import argparse
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from animo_desktop.arguments import positive_int
from animo_desktop.benchmarks.report import median_ms, percentile_ms, print_report
from animo_desktop.emotions import ALL_EMOTIONS
from animo_desktop.generation.backend import (GenerationBackend, add_server_arguments,
                                              resolve_server)
from animo_desktop.messages import GenerationProgress, GenerationRequest

if TYPE_CHECKING:
    from animo_desktop.generation.comfyui.comfyui_backend import ComfyUIBackend

NAME = "comfyui"
HELP = "artworks from a ComfyUI server for several rooms at once: latency and overhead"


def room_counts(text: str) -> tuple[int, ...]:
    """"1,2,4" -> (1, 2, 4); each a whole number of at least 1."""
    return tuple(positive_int(part) for part in text.split(","))


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_server_arguments(parser)
    parser.add_argument("--rooms", type=room_counts, default=(1, 2, 4), metavar="N[,N...]",
                        help="rooms asking at the same time, one run per number "
                             "(default 1,2,4)")
    parser.add_argument("--artworks", type=positive_int, default=5, metavar="N",
                        help="artworks per room (default 5)")
    parser.add_argument("--steps", type=positive_int, default=20,
                        help="sampling steps, unless the manifest's few-step LoRA sets them "
                             "(default 20)")
    parser.add_argument("--size", type=positive_int, metavar="PIXELS",
                        help="artwork side (default: SD 1.5's 512)")
    parser.add_argument("--lora-dir", metavar="DIR",
                        help="the emotion LoRA manifest (default: as the app finds it)")
    parser.add_argument("--model", metavar="PATH|HUB_ID",
                        help="the same model for local diffusion on this computer, to compare "
                             "its overhead with the server's (default: no comparison)")
    parser.add_argument("--device", choices=("auto", "cuda", "cpu"), default="auto",
                        help="where the local diffusion of --model runs")


@dataclass
class _Timings:
    """Per artwork: request to image, and the part of it beyond sampling."""
    total_ms: list[float] = field(default_factory=list)
    overhead_ms: list[float] = field(default_factory=list)
    backends: list[str] = field(default_factory=list)

    def figures(self) -> dict[str, float]:
        return {"ms_median": median_ms(self.total_ms),
                "ms_p95": percentile_ms(self.total_ms, 0.95),
                "ms_max": round(max(self.total_ms), 1),
                "overhead_ms_median": median_ms(self.overhead_ms)}


def timed_artwork(backend: GenerationBackend, request: GenerationRequest,
                  timings: _Timings, lock: threading.Lock) -> None:
    steps: list[tuple[int, float]] = []  # (step, when), at the end of each sampling step

    def on_progress(progress: GenerationProgress) -> bool:
        if progress.step >= 1 and (not steps or progress.step > steps[-1][0]):
            steps.append((progress.step, time.perf_counter()))
        return True

    started = time.perf_counter()
    artwork = backend.generate(request, on_progress)
    total_ms = (time.perf_counter() - started) * 1000
    sampling_ms = 0.0
    if len(steps) >= 2:
        (first_step, first_at), (last_step, last_at) = steps[0], steps[-1]
        # The first step's own time is not seen: the others' average stands for it.
        sampling_ms = (last_at - first_at) * 1000 * last_step / (last_step - first_step)
    with lock:
        timings.total_ms.append(total_ms)
        timings.overhead_ms.append(max(0.0, total_ms - sampling_ms))
        timings.backends.append(artwork.metadata.backend)


def _requests(room: int, artworks: int) -> list[GenerationRequest]:
    return [GenerationRequest(job_id=index, emotion=ALL_EMOTIONS[(room + index) % len(ALL_EMOTIONS)],
                              seed=1000 * room + index) for index in range(artworks)]


def _rooms_at_once(make_room: Callable[[], "ComfyUIBackend"], rooms: int,
                   artworks: int) -> tuple[_Timings, float, str]:
    """Each room's artworks, the rooms at the same time: timings, wall seconds, and the
    server as the first room describes it."""
    backends = [make_room() for _ in range(rooms)]
    timings, lock = _Timings(), threading.Lock()
    try:
        if not all(backend.connected for backend in backends):
            raise ConnectionError(backends[0].warnings[-1])

        def session(room: int) -> None:
            for request in _requests(room, artworks):
                timed_artwork(backends[room], request, timings, lock)

        started = time.perf_counter()
        threads = [threading.Thread(target=session, args=(room,)) for room in range(rooms)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        info = backends[0].info
        return timings, time.perf_counter() - started, f"{info.device}; {info.detail}"
    finally:
        for backend in backends:
            backend.close()


def _local_diffusion(args: argparse.Namespace, settings, lora_dir: Path | None) -> _Timings:
    """The same requests as one room's, made by local diffusion after a warm-up."""
    from animo_desktop.generation.backend import require_model
    from animo_desktop.generation.diffusion_backend import DiffusionBackend

    backend = DiffusionBackend(require_model(args.model), device=args.device,
                               lora_dir=lora_dir, settings=settings)
    backend.generate(GenerationRequest(0, ALL_EMOTIONS[-1], 0), lambda progress: True)
    timings, lock = _Timings(), threading.Lock()
    for request in _requests(0, args.artworks):
        timed_artwork(backend, request, timings, lock)
    return timings


def run(args: argparse.Namespace) -> int:
    from animo_desktop.generation.comfyui.comfyui_backend import ComfyUIBackend
    from animo_desktop.generation.comfyui.server_address import ServerAddressError
    from animo_desktop.generation.diffusion_settings import DiffusionSettings
    from animo_desktop.generation.model_locator import ModelLoadError

    if not args.server:
        print("animo bench comfyui: --server URL is needed")
        return 2
    try:
        address, token = resolve_server(args.server, args.server_ca_file, args.server_token)
    except ServerAddressError as error:
        print(f"animo bench comfyui: {error}")
        return 2
    settings = DiffusionSettings(steps=args.steps, size=args.size)
    lora_dir = Path(args.lora_dir) if args.lora_dir else None

    def make_room() -> "ComfyUIBackend":
        return ComfyUIBackend(address, token, lora_dir, settings,
                              checkpoint=args.server_checkpoint, retry_delays_s=(3600.0,))

    rows: list[tuple[str, str]] = []
    figures: dict = {"steps": args.steps, "size": args.size, "artworks_per_room": args.artworks,
                     "rooms": {}}
    # A warm-up job first, as for local diffusion: the server loads the checkpoint once.
    warm_up = make_room()
    warm_up.generate(GenerationRequest(0, ALL_EMOTIONS[-1], 0), lambda progress: True)
    warm_up.close()
    all_from_server = True
    for rooms in args.rooms:
        try:
            timings, wall_s, server = _rooms_at_once(make_room, rooms, args.artworks)
        except ConnectionError as error:
            print(f"animo bench comfyui: {error}")
            return 1
        from_server = timings.backends.count("comfyui")
        all_from_server &= from_server == len(timings.backends)
        per_minute = round(from_server / wall_s * 60, 1)
        result = timings.figures()
        figures["server"] = server
        figures["rooms"][str(rooms)] = {
            **result, "artworks": len(timings.backends), "from_server": from_server,
            "painted_instead": len(timings.backends) - from_server,
            "artworks_per_minute": per_minute, "wall_s": round(wall_s, 2)}
        rows.append((f"{rooms} room(s)",
                     f"request to image median {result['ms_median']:.0f} ms, p95 "
                     f"{result['ms_p95']:.0f} ms; beyond sampling {result['overhead_ms_median']:.0f}"
                     f" ms; {per_minute} artworks/min; painted instead "
                     f"{len(timings.backends) - from_server}"))
    if args.model:
        try:
            local = _local_diffusion(args, settings, lora_dir).figures()
        except ModelLoadError as error:
            print(f"animo bench comfyui: --model: {error}")
            return 2
        figures["local_diffusion"] = local
        alone = figures["rooms"].get("1") or next(iter(figures["rooms"].values()))
        figures["server_overhead_beyond_local_ms"] = round(
            alone["overhead_ms_median"] - local["overhead_ms_median"], 1)
        rows.append(("local diffusion", f"request to image median {local['ms_median']:.0f} ms; "
                                        f"beyond sampling {local['overhead_ms_median']:.0f} ms"))
        rows.append(("the server's extra", f"{figures['server_overhead_beyond_local_ms']:.0f} ms "
                                           "per job beyond local diffusion's overhead"))
    print_report(figures["server"], rows, figures)
    return 0 if all_from_server else 1
