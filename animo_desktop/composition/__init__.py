"""Where each artwork goes on the session canvas, and the canvas rendered as one image.

Three composition modes, one module each, switchable at any time because a placement is
never stored as truth: it is always recomputed by `layout` from (mode, canvas, seed,
artwork indices).

- collage (`collage.py`): framed prints of varied sizes with soft shadows, each where it
  covers the fewest recent ones; the oldest recede towards the paper;
- mosaic (`mosaic.py`): a grid growing in order of time, its cells as large as the count
  allows;
- layers (`layers.py`): artworks with ragged, brushed edges laid into one painting, each
  where the canvas was painted least lately.

Collage and layers place each artwork from its own index (`chain.py`), so arrivals,
removals and gaps never move the artworks already on the canvas. `fit` is the one
resampling shared by the on-screen view and the export (`painting.py`), so both match.
"""

from animo_desktop.composition.canvas import (BACKGROUND_PRESETS, DEFAULT_BACKGROUND,
                                              DISPLAY_MAX_SIDE, FIRST_INDEX, CanvasSpec,
                                              CompositionMode, Placement, display_scale,
                                              scaled_for_display)
from animo_desktop.composition.painting import (Painting, artwork_at, fit, layout,
                                                render_canvas, visible_artworks)

__all__ = ["BACKGROUND_PRESETS", "DEFAULT_BACKGROUND", "DISPLAY_MAX_SIDE", "FIRST_INDEX",
           "CanvasSpec", "CompositionMode", "Placement", "Painting", "artwork_at",
           "display_scale", "fit", "layout", "render_canvas", "scaled_for_display",
           "visible_artworks"]
