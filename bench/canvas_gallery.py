"""Gallery of the session canvas: each composition at 10, 50 and 200 artworks of the
built-in painter, one sheet per composition.

Usage: python bench/canvas_gallery.py LABEL [OUTPUT_DIR] [--full]
writes OUTPUT_DIR/LABEL-MODE.png (default OUTPUT_DIR: bench/canvas_gallery); --full also
writes each canvas at full size, for looking closely. The repository comes after
PYTHONPATH on the import path, so `PYTHONPATH=OTHER_CHECKOUT` renders another version's
compositions (how the "before" sheets were made from main).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from PIL import Image, ImageDraw

sys.path.append(str(Path(__file__).resolve().parents[1]))

from animo_desktop.composition import (CanvasSpec, CompositionMode, layout,  # noqa: E402
                                       render_canvas)
from animo_desktop.emotions import Emotion  # noqa: E402
from animo_desktop.painter import paint  # noqa: E402

COUNTS = (10, 50, 200)
SESSION_SEED = 2026
ARTWORK_SIZE = 512  # what the app paints
THUMB_WIDTH = 320
GAP = 12
LABEL_HEIGHT = 22
# A session's emotions come in runs: (emotion, artworks in a row), repeated to the end.
EMOTION_RUNS = ((Emotion.NEUTRAL, 6), (Emotion.JOY, 9), (Emotion.SURPRISE, 4),
                (Emotion.SADNESS, 8), (Emotion.NEUTRAL, 3), (Emotion.FEAR, 5),
                (Emotion.ANGER, 6), (Emotion.JOY, 5), (Emotion.DISGUST, 4))


def session_emotions(count: int) -> list[Emotion]:
    emotions: list[Emotion] = []
    while len(emotions) < count:
        for emotion, run in EMOTION_RUNS:
            emotions.extend([emotion] * run)
    return emotions[:count]


def canvases(artworks: list[Image.Image], mode: CompositionMode,
             canvas: CanvasSpec) -> list[Image.Image]:
    rendered = []
    for count in COUNTS:
        indices = list(range(1, count + 1))
        placements = layout(mode, canvas, SESSION_SEED, indices)
        rendered.append(render_canvas(canvas, mode, [(placements[index], artworks[index - 1])
                                                     for index in indices]))
    return rendered


def contact_sheet(rendered: list[Image.Image], title: str) -> Image.Image:
    thumb_height = round(rendered[0].height * THUMB_WIDTH / rendered[0].width)
    sheet = Image.new("RGB", (len(rendered) * (THUMB_WIDTH + GAP) + GAP,
                              thumb_height + LABEL_HEIGHT + 2 * GAP), "white")
    draw = ImageDraw.Draw(sheet)
    for column, (count, image) in enumerate(zip(COUNTS, rendered)):
        left = GAP + column * (THUMB_WIDTH + GAP)
        draw.text((left, GAP // 2 + 2), f"{title}, {count} artworks", fill="black")
        sheet.paste(image.resize((THUMB_WIDTH, thumb_height), Image.Resampling.LANCZOS),
                    (left, GAP + LABEL_HEIGHT))
    # A 256-colour palette keeps the committed sheets small; dithering hides the banding.
    return sheet.quantize(256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.FLOYDSTEINBERG)


def main() -> None:
    arguments = [argument for argument in sys.argv[1:] if argument != "--full"]
    if not arguments:
        sys.exit(__doc__)
    label = arguments[0]
    output = Path(arguments[1] if len(arguments) > 1
                  else Path(__file__).resolve().parent / "canvas_gallery")
    output.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    artworks = [paint(emotion, seed, ARTWORK_SIZE)
                for seed, emotion in enumerate(session_emotions(max(COUNTS)), start=1)]
    print(f"{len(artworks)} artworks painted in {time.perf_counter() - started:.1f} s")
    canvas = CanvasSpec()
    for mode in CompositionMode:
        started = time.perf_counter()
        rendered = canvases(artworks, mode, canvas)
        print(f"{mode.value}: {len(COUNTS)} canvases in {time.perf_counter() - started:.1f} s")
        if "--full" in sys.argv:
            for count, image in zip(COUNTS, rendered):
                image.save(output / f"{label}-{mode.value}-{count}.png")
        contact_sheet(rendered, f"{label}: {mode.display_name}").save(
            output / f"{label}-{mode.value}.png", optimize=True)


if __name__ == "__main__":
    main()
