"""`animo bench vision`: cost per frame of the emotion-sensing pipeline on a video.

Runs the real pipeline (Face Landmarker in video mode, face choice, aligned crop, CNN,
the RAF-DB model on one frame in three, fusion) on every frame of a video file, as fast
as it can, and reports the time of each stage (the RAF-DB model's over the frames it ran
on). Decoding the video is not counted: a camera delivers decoded frames.
"""

from __future__ import annotations

import argparse
import itertools
import platform
import statistics
from pathlib import Path

from animo_desktop.arguments import positive_int
from animo_desktop.benchmarks.report import median_ms, percentile_ms, print_report

NAME = "vision"
HELP = "time the emotion-sensing pipeline per frame (landmarks, crop, both emotion models)"
WARM_UP_FRAMES = 10


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--source", type=Path, metavar="FILE",
                        help="video file, looped as needed (default: the bundled demo video)")
    parser.add_argument("--frames", type=positive_int, default=300, metavar="N",
                        help="frames to time, after a short warm-up (default 300)")


def run(args: argparse.Namespace) -> int:
    from animo_desktop.vision.analyzer import EmotionAnalyzer
    from animo_desktop.vision.sources import (DEFAULT_FRAME_SIZE, DEMO_VIDEO, SourceError,
                                              open_source)

    video = args.source or DEMO_VIDEO
    try:
        source = open_source(video, realtime=False)
    except SourceError as error:
        print(f"animo bench vision: {error}")
        return 2
    stages: dict[str, list[float]] = {"landmarks": [], "crop": [], "classifier": [],
                                      "rafdb": [], "fusion": [], "total": []}
    faces = 0
    with source, EmotionAnalyzer("video") as analyzer:
        frames = itertools.islice(source, WARM_UP_FRAMES + args.frames)
        for frame in frames:
            analysis = analyzer.analyze(frame.image, frame.timestamp_ms)
            if frame.index < WARM_UP_FRAMES:
                continue
            faces += analysis.face_present
            for stage, samples in stages.items():
                if stage in analysis.timings_ms:
                    samples.append(analysis.timings_ms[stage])
        height, width = frame.image.shape[:2]
        provider = analyzer.classifier.provider

    total = stages["total"]
    fps = round(1000 / statistics.fmean(total), 1)
    rows = [("source", f"{video} ({width} x {height}, at most "
                       f"{DEFAULT_FRAME_SIZE[0]} x {DEFAULT_FRAME_SIZE[1]})"),
            ("classifier on", provider),
            ("frames with a face", f"{faces} of {len(total)}")]
    rows += [(stage, f"median {median_ms(samples):.2f} ms, p95 "
                     f"{percentile_ms(samples, 0.95):.2f} ms"
                     + (f" (on {len(samples)} frames)" if stage == "rafdb" else ""))
             for stage, samples in stages.items() if samples]
    rows.append(("total, mean", f"{statistics.fmean(total):.2f} ms"))
    rows.append(("throughput", f"{fps} frames/s"))
    print_report(f"Emotion sensing per frame, {platform.processor() or 'CPU'}", rows, {
        "frames": len(total),
        "landmarks_ms_median": median_ms(stages["landmarks"]),
        "classifier_ms_median": median_ms(stages["classifier"]) if stages["classifier"] else None,
        "rafdb_ms_median": median_ms(stages["rafdb"]) if stages["rafdb"] else None,
        "total_ms_mean": round(statistics.fmean(total), 2),
        "total_ms_median": median_ms(total),
        "total_ms_p95": percentile_ms(total, 0.95),
        "fps": fps,
    })
    return 0
