"""Contact sheet of the built-in painter: every emotion for three seeds, with timings.

Usage: python bench/painter_gallery.py [OUTPUT.png]   (default: painter_gallery.png)
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

from PIL import Image, ImageDraw

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from animo_desktop.emotions import ALL_EMOTIONS  # noqa: E402
from animo_desktop.painter import paint  # noqa: E402

SEEDS = (1, 2, 3)
SIZE = 512
THUMB = 256
LABEL = 20


def main() -> None:
    output = Path(sys.argv[1] if len(sys.argv) > 1 else "painter_gallery.png")
    paint(ALL_EMOTIONS[0], 0, SIZE)  # warm-up: imports, grain cache
    sheet = Image.new("RGB", (THUMB * len(SEEDS), (THUMB + LABEL) * len(ALL_EMOTIONS)), "white")
    draw = ImageDraw.Draw(sheet)
    timings_ms: list[float] = []
    for row, emotion in enumerate(ALL_EMOTIONS):
        top = row * (THUMB + LABEL)
        draw.text((4, top + 4), emotion.display_name, fill="black")
        for column, seed in enumerate(SEEDS):
            start = time.perf_counter()
            artwork = paint(emotion, seed, SIZE)
            timings_ms.append((time.perf_counter() - start) * 1000)
            sheet.paste(artwork.resize((THUMB, THUMB), Image.LANCZOS), (column * THUMB, top + LABEL))
    sheet.save(output)
    print(f"{len(timings_ms)} artworks at {SIZE}x{SIZE}: median {statistics.median(timings_ms):.1f} ms, "
          f"max {max(timings_ms):.1f} ms -> {output}")


if __name__ == "__main__":
    main()
