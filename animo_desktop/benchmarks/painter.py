"""`animo bench painter`: time of the built-in painter per 512 x 512 artwork, and how
varied one emotion's artworks are (animo_desktop/artwork_diversity.py).

Besides the wall-clock time it reports the process's CPU time per artwork: on a machine
shared with other jobs the wall clock also counts the time spent waiting for a core."""

from __future__ import annotations

import argparse
import platform
import statistics
import time

from animo_desktop.arguments import positive_int
from animo_desktop.benchmarks.report import median_ms, percentile_ms, print_report
from animo_desktop.emotions import ALL_EMOTIONS

NAME = "painter"
HELP = "time the built-in painter per artwork and measure its variety per emotion"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--per-emotion", type=positive_int, default=20, metavar="N",
                        help="artworks per emotion, seeds 0 to N-1 (default 20)")
    parser.add_argument("--size", type=positive_int, default=512, help="artwork side in pixels")


def run(args: argparse.Namespace) -> int:
    from animo_desktop.artwork_diversity import mean_pairwise_distance
    from animo_desktop.painter import paint

    paint(ALL_EMOTIONS[0], 0, args.size)  # warm-up: imports and cached textures
    samples: dict[str, list[float]] = {}
    cpu_ms: list[float] = []
    diversity: dict[str, float] = {}
    for emotion in ALL_EMOTIONS:
        artworks = []
        for seed in range(args.per_emotion):
            started, cpu_started = time.perf_counter(), time.process_time()
            artworks.append(paint(emotion, seed, args.size))
            samples.setdefault(emotion.value, []).append((time.perf_counter() - started) * 1000)
            cpu_ms.append((time.process_time() - cpu_started) * 1000)
        if len(artworks) > 1:
            diversity[emotion.value] = round(mean_pairwise_distance(artworks), 4)
    every = [ms for values in samples.values() for ms in values]
    rows = [(name, f"median {median_ms(values):.1f} ms, max {max(values):.1f} ms"
                   + (f", diversity {diversity[name]:.3f}" if name in diversity else ""))
            for name, values in samples.items()]
    rows.append(("all", f"median {median_ms(every):.1f} ms, p95 {percentile_ms(every, 0.95):.1f}"
                        f" ms over {len(every)} artworks"))
    rows.append(("cpu", f"median {median_ms(cpu_ms):.1f} ms, p95 {percentile_ms(cpu_ms, 0.95):.1f} ms,"
                        f" max {max(cpu_ms):.1f} ms of CPU time"))
    figures = {"artworks": len(every), "size": args.size,
               "ms_median": median_ms(every), "ms_p95": percentile_ms(every, 0.95),
               "ms_max": round(max(every), 2), "cpu_ms_median": median_ms(cpu_ms),
               "cpu_ms_p95": percentile_ms(cpu_ms, 0.95), "cpu_ms_max": round(max(cpu_ms), 2)}
    if diversity:
        mean_diversity = round(statistics.mean(diversity.values()), 4)
        least = min(diversity.values())
        rows.append(("diversity", f"mean {mean_diversity:.3f}, least {least:.3f} (mean pairwise"
                                  f" descriptor distance within an emotion)"))
        figures |= {"diversity_mean": mean_diversity, "diversity_min": least,
                    "diversity": diversity}
    print_report(f"Built-in painter, {args.size} x {args.size}, {platform.processor() or 'CPU'}",
                 rows, figures)
    return 0
