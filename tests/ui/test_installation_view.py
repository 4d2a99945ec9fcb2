"""Installation mode on the common screens: as the canvas drifts, no artwork of any
composition is ever pushed past the screen's edges."""

import numpy as np
import pytest
from PySide6.QtCore import QRectF

from animo_desktop.composition import CanvasSpec, CompositionMode, layout
from animo_desktop.composition.drift import BREATH, WANDER_PERIODS
from animo_desktop.ui.canvas_view import CanvasView

SCREENS = {"full HD": (1920, 1080), "4K": (3840, 2160), "portrait": (1080, 1920)}
# An hour of drift, and the moments of the largest breath and the widest wander.
MOMENTS = sorted({*np.linspace(0, 3600, 49), BREATH[2] / 4,
                  *(period / 4 for period in WANDER_PERIODS),
                  *(3 * period / 4 for period in WANDER_PERIODS)})


@pytest.mark.parametrize("canvas", [CanvasSpec(), CanvasSpec(1440, 1970), CanvasSpec(985, 720)],
                         ids=["default", "large", "landscape"])
@pytest.mark.parametrize("screen", list(SCREENS.values()), ids=list(SCREENS))
def test_no_artwork_is_clipped_at_the_screen_edges_in_installation_mode(qtbot, screen, canvas):
    view = CanvasView()
    qtbot.addWidget(view)
    view.reset(canvas)
    view.resize(*screen)
    view.show()
    qtbot.waitExposed(view)
    assert (view.viewport().width(), view.viewport().height()) == screen
    view.set_borderless(True)
    rectangles = [QRectF(0, 0, canvas.width, canvas.height)]  # the canvas itself, and
    for mode in CompositionMode:  # every artwork of 100 in each composition
        rectangles += [QRectF(p.x, p.y, p.width, p.height)
                       for p in layout(mode, canvas, 7, range(1, 101)).values()]
    screen_rect = view.viewport().rect()
    scales = set()
    for seconds in MOMENTS:
        view.drift_to(seconds)
        scales.add(round(view.transform().m11(), 4))
        for rectangle in rectangles:
            shown = view.mapFromScene(rectangle).boundingRect()
            assert screen_rect.contains(shown), (seconds, rectangle, shown)
    assert len(scales) > 10  # it does drift
    whole = min(screen[0] / canvas.width, screen[1] / canvas.height)
    assert min(scales) > 0.9 * whole  # and the canvas stays large on the screen
