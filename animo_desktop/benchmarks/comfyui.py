"""`animo bench comfyui --server URL [--rooms N]`: several rooms on one ComfyUI server.

Each room is a comfyui backend of its own (its own client id and websocket), in a thread
of its own, asking for artworks one after the other as a session does, the emotions in
turn. Reports each artwork's time from request to image (which includes waiting behind
the other rooms' jobs on the server), the server's throughput, and any artwork the
painter had to make instead.
"""

from __future__ import annotations

import argparse
import threading
import time
from pathlib import Path

from animo_desktop.arguments import positive_int
from animo_desktop.benchmarks.report import median_ms, percentile_ms, print_report
from animo_desktop.emotions import ALL_EMOTIONS
from animo_desktop.generation.backend import add_server_arguments, resolve_server
from animo_desktop.messages import GenerationRequest

NAME = "comfyui"
HELP = "artworks from a ComfyUI server for several rooms at once: latency and throughput"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_server_arguments(parser)
    parser.add_argument("--rooms", type=positive_int, default=1, metavar="N",
                        help="rooms asking at the same time (default 1)")
    parser.add_argument("--artworks", type=positive_int, default=5, metavar="N",
                        help="artworks per room (default 5)")
    parser.add_argument("--steps", type=positive_int, default=20,
                        help="sampling steps, unless the manifest's few-step LoRA sets them "
                             "(default 20)")
    parser.add_argument("--size", type=positive_int, metavar="PIXELS",
                        help="artwork side (default: SD 1.5's 512)")
    parser.add_argument("--lora-dir", metavar="DIR",
                        help="the emotion LoRA manifest (default: as the app finds it)")


def run(args: argparse.Namespace) -> int:
    from animo_desktop.generation.comfyui.comfyui_backend import ComfyUIBackend
    from animo_desktop.generation.comfyui.server_address import ServerAddressError
    from animo_desktop.generation.diffusion_settings import DiffusionSettings

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
    rooms = [ComfyUIBackend(address, token, lora_dir, settings, retry_delays_s=(3600.0,))
             for _ in range(args.rooms)]
    try:
        if not all(room.connected for room in rooms):
            print(f"animo bench comfyui: {rooms[0].warnings[-1]}")
            return 1
        latencies_ms: list[float] = []
        backends: list[str] = []
        lock = threading.Lock()

        def session(room_index: int) -> None:
            for index in range(args.artworks):
                request = GenerationRequest(
                    job_id=index, emotion=ALL_EMOTIONS[(room_index + index) % len(ALL_EMOTIONS)],
                    seed=1000 * room_index + index)
                started = time.perf_counter()
                artwork = rooms[room_index].generate(request, lambda progress: True)
                with lock:
                    latencies_ms.append((time.perf_counter() - started) * 1000)
                    backends.append(artwork.metadata.backend)

        started = time.perf_counter()
        threads = [threading.Thread(target=session, args=(index,)) for index in range(args.rooms)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        wall_s = time.perf_counter() - started
        info = rooms[0].info
    finally:
        for room in rooms:
            room.close()
    from_server = backends.count("comfyui")
    per_minute = round(from_server / wall_s * 60, 1)
    rows = [("server", f"{info.device}; {info.detail}"),
            ("rooms x artworks", f"{args.rooms} x {args.artworks}"),
            ("request to image", f"median {median_ms(latencies_ms):.0f} ms, p95 "
                                 f"{percentile_ms(latencies_ms, 0.95):.0f} ms, max "
                                 f"{max(latencies_ms):.0f} ms"),
            ("throughput", f"{per_minute} artworks/min over {wall_s:.1f} s"),
            ("painted instead", str(len(backends) - from_server))]
    print_report(f"ComfyUI server, {args.rooms} room(s) at once", rows,
                 {"rooms": args.rooms, "artworks": len(backends), "from_server": from_server,
                  "painted_instead": len(backends) - from_server,
                  "ms_median": median_ms(latencies_ms),
                  "ms_p95": percentile_ms(latencies_ms, 0.95),
                  "ms_max": round(max(latencies_ms), 1), "artworks_per_minute": per_minute,
                  "wall_s": round(wall_s, 2), "steps": args.steps, "size": args.size})
    return 0 if from_server == len(backends) else 1
