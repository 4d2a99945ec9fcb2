"""`animo bench canvas`: the session canvas with hundreds of artworks, through the real
SessionController, canvas painter thread and main window (offscreen Qt).

Artworks come from the built-in painter one after another, as fast as it makes them; a
QTimer probe on the UI thread measures how long the thread was kept from its event loop
(stall = the gap between two probe ticks beyond their interval). Then each composition
mode is switched to, timing the relayout of every artwork, and the process's RSS is read
after warm-up, after the last artwork and after the relayouts.

Last, the composition itself, without Qt, as many artworks in each mode: the layout (on
the UI thread in the app) from a fresh chain, as a restored session computes it, and
from the chain kept, as each new artwork does; and the painting of every artwork (in the
canvas painter thread in the app), its hidden ones passed over as the painter does.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from itertools import cycle, islice
from pathlib import Path

from animo_desktop.arguments import positive_int
from animo_desktop.benchmarks.probes import (WARM_UP_FRACTION, StallProbe, offscreen_session,
                                             rss_mib, stall_summary, wait_until)
from animo_desktop.benchmarks.report import percentile_ms, print_report

NAME = "canvas"
# Distinct painter artworks cycled through for the composition figures: what is painted
# does not change the time, so a few stand for hundreds.
COMPOSITION_ARTWORKS = 21
HELP = "UI-thread stalls, relayout time and memory with hundreds of artworks on the canvas"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--artworks", type=positive_int, default=300, metavar="N",
                        help="artworks added to the canvas (default 300)")


def run(args: argparse.Namespace) -> int:
    from animo_desktop.composition import CompositionMode
    from animo_desktop.emotions import ALL_EMOTIONS
    from animo_desktop.generation.backend import create_backend

    with tempfile.TemporaryDirectory(prefix="animo-bench-canvas-") as scratch:
        app, controller, window = offscreen_session(Path(scratch),
                                                    lambda report: create_backend("painter"))
        probe = StallProbe()

        warm_up = max(1, int(args.artworks * WARM_UP_FRACTION))
        rss_warm = rss_mib()
        probe.start()
        started = time.perf_counter()
        for number in range(1, args.artworks + 1):
            controller.request_artwork(ALL_EMOTIONS[number % len(ALL_EMOTIONS)])
            wait_until(lambda: len(controller.session.artworks) >= number)
            if number == warm_up:
                wait_until(lambda: controller.canvas_is_current)
                rss_warm = rss_mib()
        wait_until(lambda: controller.canvas_is_current
                   and window.canvas_view.fading_count == 0)
        adding_s = time.perf_counter() - started
        add_stalls = probe.stop()
        rss_added = rss_mib()

        relayouts: dict[str, float] = {}
        switch_call_ms: dict[str, float] = {}
        probe.start()
        for mode in (CompositionMode.MOSAIC, CompositionMode.LAYERS, CompositionMode.COLLAGE):
            started = time.perf_counter()
            window.set_composition(mode)
            switch_call_ms[mode.value] = (time.perf_counter() - started) * 1000
            wait_until(lambda: controller.canvas_is_current)
            relayouts[mode.value] = (time.perf_counter() - started) * 1000
        relayout_stalls = probe.stop()
        # A burst: three switches at once cost one relayout (latest wins).
        started = time.perf_counter()
        for mode in (CompositionMode.MOSAIC, CompositionMode.LAYERS, CompositionMode.MOSAIC):
            window.set_composition(mode)
        wait_until(lambda: controller.canvas_is_current)
        burst_ms = (time.perf_counter() - started) * 1000
        rss_end = rss_mib()
        shown = window.canvas_view.artwork_count
        controller.shutdown()
        window.close_without_asking()
        app.processEvents()

    composition = composition_ms(args.artworks)
    growth = (rss_end - rss_warm) / rss_warm * 100
    added_growth = (rss_added - rss_warm) / rss_warm * 100
    every_stall = add_stalls + relayout_stalls
    rows = [
        ("artworks on the canvas", f"{shown} (added in {adding_s:.1f} s)"),
        ("UI stall while adding", stall_summary(add_stalls)),
        ("relayout, mode switch", ", ".join(f"{mode} {ms:.0f} ms"
                                            for mode, ms in relayouts.items())),
        ("  UI thread in the switch call", ", ".join(f"{mode} {ms:.1f} ms"
                                                     for mode, ms in switch_call_ms.items())),
        ("UI stall while relayouting", f"p99 {percentile_ms(relayout_stalls, 0.99):.1f} ms, "
                                       f"max {max(relayout_stalls):.1f} ms"),
        ("burst of 3 switches", f"{burst_ms:.0f} ms"),
        ("RSS", f"{rss_warm:.0f} MiB after {warm_up} artworks, {rss_added:.0f} MiB after "
                f"all ({added_growth:+.1f} %), {rss_end:.0f} MiB after the relayouts "
                f"({growth:+.1f} %)"),
        (f"composition of {args.artworks}, no Qt", ""),
        *((f"  {mode}", f"layout {ms['layout_fresh_ms']:.1f} ms fresh, "
                        f"{ms['layout_kept_ms']:.2f} ms kept; painting {ms['paint_ms']:.0f} ms")
          for mode, ms in composition.items()),
    ]
    print_report(f"Session canvas, {args.artworks} artworks, offscreen", rows, {
        "artworks": shown,
        "stall_p99_ms": percentile_ms(every_stall, 0.99),
        "stall_max_ms": round(max(every_stall), 2),
        "add_stall_p99_ms": percentile_ms(add_stalls, 0.99),
        "relayout_stall_p99_ms": percentile_ms(relayout_stalls, 0.99),
        "relayout_ms": {mode: round(ms, 1) for mode, ms in relayouts.items()},
        "switch_call_ms": {mode: round(ms, 2) for mode, ms in switch_call_ms.items()},
        "burst_relayout_ms": round(burst_ms, 1),
        "rss_warm_mib": round(rss_warm, 1), "rss_added_mib": round(rss_added, 1),
        "rss_end_mib": round(rss_end, 1), "rss_added_growth_pct": round(added_growth, 2),
        "rss_growth_pct": round(growth, 2),
        "composition_ms": composition,
        "composition_layout_max_ms": max(ms["layout_fresh_ms"] for ms in composition.values()),
    })
    return 0


def composition_ms(count: int) -> dict[str, dict[str, float]]:
    """Per mode: the layout of `count` artworks from a fresh chain and from the chain kept
    (the last artwork added), and the painting of all of them."""
    from animo_desktop.composition import (CanvasSpec, CompositionMode, Painting, layout,
                                           visible_artworks)
    from animo_desktop.composition.chain import cached_chain
    from animo_desktop.emotions import ALL_EMOTIONS
    from animo_desktop.painter import paint

    artworks = [paint(ALL_EMOTIONS[number % len(ALL_EMOTIONS)], number)
                for number in range(COMPOSITION_ARTWORKS)]
    canvas, seed, indices = CanvasSpec(), 1, list(range(1, count + 1))
    figures = {}
    for mode in CompositionMode:
        cached_chain.cache_clear()
        started = time.perf_counter()
        placements = layout(mode, canvas, seed, indices)
        fresh_ms = (time.perf_counter() - started) * 1000
        layout(mode, canvas, seed, indices[:-1])
        started = time.perf_counter()
        layout(mode, canvas, seed, indices)
        kept_ms = (time.perf_counter() - started) * 1000
        started = time.perf_counter()
        painting = Painting(canvas, mode)
        visible = visible_artworks(canvas, mode, list(placements.items()))
        for index, image in zip(indices, islice(cycle(artworks), count)):
            if index in visible:
                painting.add(placements[index], image)
            else:
                painting.pass_hidden()
        painting.image()
        figures[mode.value] = {"layout_fresh_ms": round(fresh_ms, 2),
                               "layout_kept_ms": round(kept_ms, 3),
                               "paint_ms": round((time.perf_counter() - started) * 1000, 1)}
    return figures
