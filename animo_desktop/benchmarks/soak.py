"""`animo bench soak`: the whole app through a long session, watching for leaks and losses.

The real SessionController, main window, generation worker, canvas painter and camera
worker run offscreen, the camera watching the bundled demo video (looped, at its own frame
rate) as `animo --demo` builds it, the artworks coming from the tiny random diffusion model
(built in a temporary folder) or the built-in painter. A session asks for an artwork every
6 s; here each one is asked for as soon as the previous one is made, with the emotion the
camera last confirmed. As in `animo bench canvas` the session is paused, so that the soak
and not the cadence asks for each artwork and their number is exact.

Every --sample-every artworks, and once after the warm-up (the first 10 %, from which RSS
growth counts), it lets the canvas catch up and records the process's RSS, GPU memory
(with CUDA), the UI thread's stalls (a QTimer probe), and the artworks generated against
those on the canvas and in the session folder. An artwork made but missing from either is
lost. Exit status 1 only when the run itself fails: a timeout, an error from a worker.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from animo_desktop.arguments import image_side, positive_int, positive_number
from animo_desktop.benchmarks.probes import (WARM_UP_FRACTION, StallProbe, offscreen_session,
                                             rss_mib, stall_summary, wait_until)
from animo_desktop.benchmarks.report import median_ms, percentile_ms, print_report

NAME = "soak"
HELP = ("the whole app (camera, generation, canvas) for a thousand artworks: memory, UI "
        "stalls, lost artworks")

DEFAULT_ARTWORKS = 1000
# How long the canvas and the session folder may take to catch up with the artworks made
# before the missing ones count as lost (the canvas painter runs behind the generator).
SETTLE_S = 60.0
START_TIMEOUT_S = 300.0  # loading the backend, or the camera's face and emotion models
ARTWORK_TIMEOUT_S = 300.0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--artworks", type=positive_int, metavar="N",
                        help=f"stop after N artworks (default {DEFAULT_ARTWORKS} unless "
                             "--minutes is given)")
    parser.add_argument("--minutes", type=positive_number, metavar="M",
                        help="stop after M minutes (with --artworks: whichever comes first)")
    parser.add_argument("--backend", choices=("diffusion", "painter"), default="diffusion",
                        help="the tiny random diffusion model (default) or the built-in painter")
    parser.add_argument("--size", type=image_side, metavar="PIXELS",
                        help="image side of the tiny model's artworks (default: its own, 64)")
    parser.add_argument("--steps", type=positive_int, metavar="N",
                        help="sampling steps of each diffusion artwork (default: the app's, 20)")
    parser.add_argument("--threads", type=positive_int,
                        help="torch CPU threads for diffusion (default: the app's, one per "
                             "core but one, which the camera needs)")
    parser.add_argument("--sample-every", type=positive_int, default=50, metavar="N",
                        help="record memory, stalls and counts every N artworks (default 50)")


class CountingBackend:
    """The backend the app built, counting the artworks it finishes (in the generation
    thread): the figure the canvas and the session folder are checked against."""

    def __init__(self, backend):
        self._backend = backend
        self.info = backend.info
        self.generated = 0

    def generate(self, request, on_progress):
        artwork = self._backend.generate(request, on_progress)
        self.generated += 1
        return artwork


class CameraCounts:
    """What the camera worker reported, counted on the UI thread."""

    def __init__(self, worker) -> None:
        from animo_desktop.ui.camera_worker import READING_EVERY

        self.frames = 0
        self.emotion_changes = 0
        # The worker sends a reading for every READING_EVERY-th frame it analyses.
        worker.frame_read.connect(lambda reading: self._add_frames(READING_EVERY))
        worker.emotion_confirmed.connect(lambda reading: self._add_change())

    def _add_frames(self, count: int) -> None:
        self.frames += count

    def _add_change(self) -> None:
        self.emotion_changes += 1


@dataclass(frozen=True)
class Sample:
    seconds: float  # since the first artwork was asked for
    generated: int
    on_canvas: int
    in_folder: int
    rss_mib: float
    stalls_ms: list[float]  # the UI stalls since the previous sample
    camera_frames: int
    emotion_changes: int
    gpu_mib: float | None  # allocated by torch on the GPU; None without CUDA


def run(args: argparse.Namespace) -> int:
    with tempfile.TemporaryDirectory(prefix="animo-bench-soak-") as scratch:
        soak = Soak(args, Path(scratch))
        try:
            soak.start()
            soak.make_artworks()
        except (TimeoutError, RuntimeError) as error:
            print(f"animo bench soak failed: {error}")
            return 1
        finally:
            soak.close()
    soak.print_figures()
    return 0


class Soak:
    """The app under soak: start it, make the artworks while sampling, close it."""

    def __init__(self, args: argparse.Namespace, scratch: Path):
        from animo_desktop.session import ARTWORKS_FOLDER
        from animo_desktop.ui.app import make_analyzer
        from animo_desktop.ui.camera_worker import CameraWorker
        from animo_desktop.ui.worker_thread import WorkerThread
        from animo_desktop.vision.smoothing import SmoothingSettings
        from animo_desktop.vision.sources import DEMO_VIDEO

        self.args = args
        self.artworks_wanted = args.artworks or (None if args.minutes else DEFAULT_ARTWORKS)
        self.cuda = None  # torch.cuda, when diffusion runs on a GPU
        self._model_options = self._prepare_backend(scratch) if args.backend == "diffusion" else {}
        self.backend: CountingBackend | None = None
        self.app, self.controller, self.window = offscreen_session(scratch / "sessions",
                                                                   self._make_backend)
        self.errors: list[str] = []
        self.controller.message.connect(
            lambda level, text: self.errors.append(text) if level == "error" else None)
        self.backend_info = None
        self.controller.backend_changed.connect(self._backend_ready)
        worker = CameraWorker(str(DEMO_VIDEO), make_analyzer, SmoothingSettings())
        self.camera = CameraCounts(worker)
        self.controller.attach_camera(WorkerThread(worker, worker.run, "animo-camera"))
        self.window.connect_camera(worker)
        self.artworks_folder = self.controller.folder.path / ARTWORKS_FOLDER
        self.probe = StallProbe()
        self.samples: list[Sample] = []
        self.warm_up: Sample | None = None
        self.started = time.perf_counter()
        self.end: dict[str, Any] = {}  # what is read from the session once it is over

    def _prepare_backend(self, scratch: Path) -> dict[str, Any]:
        """Write the tiny model; the options create_backend builds the diffusion backend with."""
        import torch

        from animo_desktop.generation.tiny_model import write_tiny_model

        if torch.cuda.is_available():
            self.cuda = torch.cuda
        tiny = write_tiny_model(scratch / "tiny-model")
        chosen = {"size": self.args.size, "steps": self.args.steps,
                  "cpu_threads": self.args.threads}
        return {"model": str(tiny.folder), "lora_dir": tiny.lora_dir,
                "settings": {name: value for name, value in chosen.items() if value}}

    def _make_backend(self, report_loading):
        """The app's backend factory, run in the generation thread."""
        from animo_desktop.generation.backend import create_backend

        backend, warnings = create_backend(self.args.backend, on_load_progress=report_loading,
                                           **self._model_options)
        self.backend = CountingBackend(backend)
        return self.backend, warnings

    def _backend_ready(self, info) -> None:
        self.backend_info = info

    def _fail_on_errors(self) -> None:
        if self.errors:
            raise RuntimeError("; ".join(self.errors))

    def start(self) -> None:
        """Start the camera (no consent notice: nobody sits in front of the video) and
        wait until the backend is loaded and the camera sees frames."""
        self.controller.camera.start()
        wait_until(lambda: bool(self.backend_info and self.camera.frames) or bool(self.errors),
                   START_TIMEOUT_S, "the backend and the camera")
        self._fail_on_errors()
        if self.backend_info.name != self.args.backend:
            raise RuntimeError(f"the {self.args.backend} backend did not start "
                               f"({self.backend_info.name} instead)")

    def make_artworks(self) -> None:
        self.probe.start()
        self.started = time.perf_counter()
        if self.cuda is not None:
            self.cuda.reset_peak_memory_stats()
        while self.progress() < 1:
            number = self.backend.generated + 1
            self.controller.request_artwork(self.controller.current.emotion)
            wait_until(lambda: self.backend.generated >= number or bool(self.errors),
                       ARTWORK_TIMEOUT_S, f"artwork {number}")
            self._fail_on_errors()
            if self.warm_up is None and self.progress() >= WARM_UP_FRACTION:
                self.warm_up = self.sample()
            elif number % self.args.sample_every == 0 and self.progress() < 1:
                self.sample()
        self.sample()
        self.probe.stop()
        artworks = self.controller.session.artworks
        # A diffusion artwork notes its steps and size; the painter's notes none.
        notes = artworks[-1].metadata.extra
        self.end = {
            "emotions": Counter(record.metadata.emotion.value for record in artworks),
            "generation_ms": median_ms([record.metadata.generation_ms for record in artworks]),
            "sampling": {key: notes[key] for key in ("steps", "size") if key in notes},
            "emotion_source": self.controller.current.source,
            "gpu_peak_mib": self.cuda.max_memory_allocated() / 2**20 if self.cuda else None,
        }

    def progress(self) -> float:
        """How far the soak has come, 0 to 1, by artworks or by time."""
        by_artworks = (self.backend.generated / self.artworks_wanted
                       if self.artworks_wanted else 0.0)
        by_time = ((time.perf_counter() - self.started) / (self.args.minutes * 60)
                   if self.args.minutes else 0.0)
        return max(by_artworks, by_time)

    def _caught_up(self) -> bool:
        return (len(self.controller.session.artworks) >= self.backend.generated
                and self.controller.canvas_is_current
                and self.window.canvas_view.fading_count == 0)

    def sample(self) -> Sample:
        """Let the canvas and the folder catch up, then record."""
        try:
            wait_until(lambda: self._caught_up() or bool(self.errors), SETTLE_S, "the canvas")
        except TimeoutError:
            pass  # what never arrived is counted as lost, not as a failed run
        self._fail_on_errors()
        already_sampled = sum(len(sample.stalls_ms) for sample in self.samples)
        sample = Sample(time.perf_counter() - self.started, self.backend.generated,
                        self.window.canvas_view.artwork_count,
                        sum(1 for _ in self.artworks_folder.glob("*.png")), rss_mib(),
                        self.probe.stalls_ms[already_sampled:], self.camera.frames,
                        self.camera.emotion_changes,
                        self.cuda.memory_allocated() / 2**20 if self.cuda else None)
        self.samples.append(sample)
        return sample

    def close(self) -> None:
        self.controller.shutdown()
        self.window.close_without_asking()
        self.app.processEvents()

    def print_figures(self) -> None:
        warm_up, end = self.warm_up or self.samples[0], self.samples[-1]
        stalls = [ms for sample in self.samples for ms in sample.stalls_ms]
        growth = (end.rss_mib - warm_up.rss_mib) / warm_up.rss_mib * 100
        lost = end.generated - min(end.on_canvas, end.in_folder)
        gpu = end.gpu_mib is not None
        rows = [("time", "generated  on canvas  in folder  RSS MiB  stall p99 / max ms  "
                         "camera frames  emotion changes" + ("  GPU MiB" if gpu else ""))]
        for sample in self.samples:
            stall = (f"{percentile_ms(sample.stalls_ms, 0.99):.1f} / "
                     f"{max(sample.stalls_ms):.0f}" if sample.stalls_ms else "-")
            rows.append((f"{sample.seconds:.0f} s" + (" (warm-up)" if sample is warm_up else ""),
                         f"{sample.generated:>9}  {sample.on_canvas:>9}  {sample.in_folder:>9}"
                         f"  {sample.rss_mib:>7.0f}  {stall:>18}  {sample.camera_frames:>13}  "
                         f"{sample.emotion_changes:>15}"
                         + (f"  {sample.gpu_mib:>7.0f}" if gpu else "")))
        rows += [
            ("RSS", f"{warm_up.rss_mib:.0f} MiB after the warm-up ({warm_up.generated} "
                    f"artworks) -> {end.rss_mib:.0f} MiB at the end ({growth:+.1f} %)"),
            ("UI stall", stall_summary(stalls)),
            ("lost artworks", f"{lost} of {end.generated}"),
            ("generation", f"median {self.end['generation_ms']:.0f} ms per artwork"),
            ("camera", f"{end.camera_frames} frames read, {end.emotion_changes} emotion "
                       f"changes confirmed; the session's emotion came from: "
                       f"{self.end['emotion_source']}"),
            ("artworks by emotion", ", ".join(f"{name} {count}" for name, count
                                              in self.end["emotions"].most_common())),
        ]
        if gpu:
            rows.append(("GPU memory", f"{warm_up.gpu_mib:.0f} MiB after the warm-up -> "
                                       f"{end.gpu_mib:.0f} MiB at the end, peak "
                                       f"{self.end['gpu_peak_mib']:.0f} MiB"))
        minutes = end.seconds / 60
        figures = {
            "backend": self.backend_info.name, "device": self.backend_info.device,
            **self.end["sampling"], "artworks": end.generated, "minutes": round(minutes, 2),
            "artworks_per_minute": round(end.generated / minutes, 1),
            "generation_ms_median": self.end["generation_ms"],
            "rss_start_mb": round(warm_up.rss_mib, 1), "rss_end_mb": round(end.rss_mib, 1),
            "rss_growth_pct": round(growth, 2),
            "ui_stall_ms_p99": percentile_ms(stalls, 0.99),
            "ui_stall_ms_max": round(max(stalls), 1),
            "lost_artworks": lost, "artworks_on_canvas": end.on_canvas,
            "artworks_in_folder": end.in_folder,
            "camera_frames_read": end.camera_frames, "emotion_changes": end.emotion_changes,
            "artwork_emotions": dict(self.end["emotions"]),
        }
        if gpu:
            figures |= {"gpu_mem_start_mb": round(warm_up.gpu_mib, 1),
                        "gpu_mem_end_mb": round(end.gpu_mib, 1),
                        "gpu_mem_peak_mb": round(self.end["gpu_peak_mib"], 1)}
        print_report(f"Soak, {end.generated} artworks in {minutes:.1f} min, "
                     f"{self.backend_info.name} on {self.backend_info.device}, the demo video "
                     "as the camera, offscreen", rows, figures)
