"""The canvas painter: image work off the UI thread, latest layout wins, no originals
kept in memory however many artworks the session has."""

import gc
import threading

from PIL import Image
from PySide6.QtCore import QObject, Signal

from animo_desktop import composition
from animo_desktop.composition import CanvasSpec, CompositionMode, layout, render_canvas
from animo_desktop.emotions import ALL_EMOTIONS
from animo_desktop.generation.backend import create_backend
from animo_desktop.settings import Settings
from animo_desktop.ui.canvas_painter import CanvasPainter, ComposeJob
from animo_desktop.ui.canvas_view import CanvasView
from animo_desktop.ui.session_controller import SessionController
from animo_desktop.ui.worker_thread import WorkerThread
from tests.ui.conftest import wait_for_canvas


class Collector(QObject):
    """Receives the painter's results in the UI thread (a bound slot, queued)."""

    def __init__(self):
        super().__init__()
        self.received = []

    def keep(self, painted):
        self.received.append(painted)


class JobRelay(QObject):
    compose_requested = Signal(object)


def artwork(seed):
    return Image.effect_noise((64, 64), 40 + seed).convert("RGB")


def test_only_the_latest_of_a_burst_of_layouts_is_painted(qtbot):
    painter = CanvasPainter()
    thread = WorkerThread(painter, painter.start, "test-canvas")
    relay, collector = JobRelay(), Collector()
    relay.compose_requested.connect(painter.compose)
    painter.painted.connect(collector.keep)
    canvas = CanvasSpec(300, 400)
    images = [artwork(seed) for seed in range(1, 7)]
    for generation, mode in enumerate(CompositionMode, start=1):
        placements = layout(mode, canvas, 5, range(1, 7))
        relay.compose_requested.emit(ComposeJob(generation, canvas, mode, tuple(
            (index, placements[index], images[index - 1]) for index in range(1, 7))))
    thread.start()  # the three jobs wait in the queue: only the last one is still wanted
    try:
        qtbot.waitUntil(lambda: bool(collector.received), timeout=5000)
        qtbot.wait(200)
    finally:
        thread.stop()
    [painted] = collector.received
    assert painted.generation == 3 and painted.mode is CompositionMode.LAYERS
    placements = layout(CompositionMode.LAYERS, canvas, 5, range(1, 7))
    expected = render_canvas(canvas, CompositionMode.LAYERS,
                             [(placements[i], images[i - 1]) for i in range(1, 7)])
    assert painted.painting.tobytes() == expected.tobytes()
    assert painted.newest == 6 and painted.scale == 1.0
    assert (painted.display.width(), painted.display.height()) == (300, 400)


def live_artwork_sized_images(side, existing=frozenset()):
    """Images of an artwork's size alive now, but for those whose ids are in `existing`
    (alive before the test: an earlier test's window may still hold its own)."""
    gc.collect()
    return [obj for obj in gc.get_objects()
            if isinstance(obj, Image.Image) and obj.size == (side, side)
            and id(obj) not in existing]


def test_relayouts_run_off_the_ui_thread_and_no_original_stays_in_memory(qtbot, tmp_path,
                                                                         monkeypatch):
    painting_threads = set()
    add = composition.Painting.add

    def spied_add(self, placement, image):
        painting_threads.add(threading.current_thread())
        return add(self, placement, image)

    monkeypatch.setattr(composition.Painting, "add", spied_add)
    existing = {id(image) for image in live_artwork_sized_images(512)}
    controller = SessionController(Settings(), tmp_path / "sessions",
                                   lambda report: create_backend("painter"))
    view = CanvasView()
    controller.canvas_reset.connect(view.reset)
    controller.artwork_placed.connect(view.add_artwork)
    controller.canvas_relaid.connect(view.relay)
    controller.start_generation()
    try:
        controller.new_session()
        controller.pause()  # artworks come from the loop below only
        for number in range(1, 25):
            controller.request_artwork(ALL_EMOTIONS[number % len(ALL_EMOTIONS)])
            qtbot.waitUntil(lambda: len(controller.session.artworks) == number, timeout=10000)
        wait_for_canvas(qtbot, controller)
        with Image.open(controller.folder.path / controller.session.artworks[0].file) as first:
            side = first.width
        # The 24 originals live in the session folder only.
        assert side == 512 and len(live_artwork_sized_images(side, existing)) <= 1
        for mode in (CompositionMode.MOSAIC, CompositionMode.LAYERS, CompositionMode.COLLAGE):
            controller.set_composition(mode)
        wait_for_canvas(qtbot, controller)
        qtbot.waitUntil(lambda: view.fading_count == 0, timeout=5000)
        assert painting_threads and threading.main_thread() not in painting_threads
        # In the collage, artworks wholly under newer ones are not read back, yet they
        # stay on the canvas.
        assert view.artwork_count == 24
        session = controller.session
        expected = render_canvas(session.canvas, session.composition,
                                 [(record.placement, controller.folder.load_image(record))
                                  for record in session.artworks])
        assert controller.render().tobytes() == expected.tobytes()
        assert len(live_artwork_sized_images(side, existing)) <= 1
    finally:
        controller.shutdown()
