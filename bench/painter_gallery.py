"""Contact sheet of the built-in painter: every composition family of every emotion (the
first seed that picks it), labelled, with timings.

Usage: python bench/painter_gallery.py [OUTPUT.png] [--per-family N]
       (default: painter_gallery.png, 1 artwork per family)
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

from PIL import Image, ImageDraw

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from animo_desktop.emotions import ALL_EMOTIONS  # noqa: E402
from animo_desktop.painter import composition_family, family_names, paint  # noqa: E402

SIZE = 512
THUMB = 224
LABEL = 18
SEED_SEARCH = 1000  # seeds looked through for each family's first ones


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output", nargs="?", default="painter_gallery.png", type=Path)
    parser.add_argument("--per-family", type=int, default=1, metavar="N")
    args = parser.parse_args()
    paint(ALL_EMOTIONS[0], 0, SIZE)  # warm-up: imports, grain cache
    rows = []
    for emotion in ALL_EMOTIONS:
        seeds: dict[str, list[int]] = {name: [] for name in family_names(emotion)}
        for seed in range(SEED_SEARCH):
            found = seeds[composition_family(emotion, seed)]
            if len(found) < args.per_family:
                found.append(seed)
        rows.append((emotion, [(name, seed) for name, found in seeds.items() for seed in found]))
    columns = max(len(cells) for _, cells in rows)
    sheet = Image.new("RGB", (THUMB * columns, (THUMB + LABEL) * len(rows)), "white")
    draw = ImageDraw.Draw(sheet)
    timings_ms: list[float] = []
    for row, (emotion, cells) in enumerate(rows):
        top = row * (THUMB + LABEL)
        for column, (name, seed) in enumerate(cells):
            start = time.perf_counter()
            artwork = paint(emotion, seed, SIZE)
            timings_ms.append((time.perf_counter() - start) * 1000)
            draw.text((column * THUMB + 4, top + 3), f"{emotion.display_name}: {name} (seed {seed})", fill="black")
            sheet.paste(artwork.resize((THUMB, THUMB), Image.LANCZOS), (column * THUMB, top + LABEL))
    sheet.save(args.output)
    print(f"{len(timings_ms)} artworks at {SIZE}x{SIZE}: median {statistics.median(timings_ms):.1f} ms, "
          f"max {max(timings_ms):.1f} ms -> {args.output}")


if __name__ == "__main__":
    main()
