"""`animo bench palette [--images DIR]`: palette adherence (animo_desktop.palette_score).

Each artwork's hue, saturation and value distributions are compared with every emotion's
reference, built from the catalogue's palette (emotions.py), and the nearest emotion wins.
The figure per emotion is the share of its artworks whose nearest palette is their own.

With no --images, the built-in painter renders --per-emotion artworks per emotion with
random seeds (--seed makes a run repeatable). With --images DIR, every ANIMO artwork in
DIR (and below) is scored: its emotion comes from the JSON sidecar beside the PNG (a
session's `artworks/NNNN-emotion.json`) or from the PNG's `animo:session` text chunk
(what `animo render` and sessions embed).
"""

from __future__ import annotations

import argparse
import json
import secrets
from pathlib import Path

from animo_desktop.arguments import image_side, positive_int
from animo_desktop.benchmarks.report import print_report
from animo_desktop.emotions import ALL_EMOTIONS, Emotion
from animo_desktop.session import SESSION_METADATA_KEY, read_artwork_image
from animo_desktop.storage import read_png_text

NAME = "palette"
HELP = "palette adherence: the share of each emotion's artworks nearest to its own palette"

TARGET = 0.9


class NoArtworks(Exception):
    """The folder is missing or holds no ANIMO artwork."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--images", type=Path, metavar="DIR",
                        help="score the ANIMO artworks in DIR instead of rendering with the painter")
    parser.add_argument("--per-emotion", type=positive_int, default=20, metavar="N",
                        help="painter artworks per emotion (default 20)")
    parser.add_argument("--size", type=image_side, default=256,
                        help="painter artwork side in pixels (default 256; the score "
                             "downscales to 96 anyway)")
    parser.add_argument("--seed", type=int, help="first seed (default: random)")


def artwork_emotion(png: Path) -> Emotion | None:
    """The emotion ANIMO recorded for this PNG: its JSON sidecar, else its text chunk."""
    sidecar = png.with_suffix(".json")
    records = []
    if sidecar.is_file():
        try:
            records.append(json.loads(sidecar.read_text(encoding="utf-8")))
        except (OSError, ValueError):
            pass
    if not records:
        try:
            text = read_png_text(png).get(SESSION_METADATA_KEY)
            if text:
                records.append(json.loads(text))
        except Exception:  # a damaged file: Pillow raises many types
            pass
    for record in records:
        if isinstance(record, dict) and isinstance(record.get("emotion"), str):
            try:
                return Emotion(record["emotion"])
            except ValueError:
                return None
    return None


def find_artworks(folder: Path) -> list[tuple[Path, Emotion]]:
    if not folder.is_dir():
        raise NoArtworks(f"{folder} is not a folder")
    found = [(png, emotion) for png in sorted(folder.rglob("*.png"))
             if (emotion := artwork_emotion(png)) is not None]
    if not found:
        raise NoArtworks(f"{folder} holds no ANIMO artwork (a PNG with a JSON sidecar or an "
                         f"{SESSION_METADATA_KEY} text chunk naming its emotion)")
    return found


def run(args: argparse.Namespace) -> int:
    from animo_desktop.palette_score import own_share, references, score

    refs = references()
    results: list[tuple[Emotion, Emotion]] = []
    margins: list[float] = []  # nearest other palette's distance / own palette's distance

    def nearest(image, truth: Emotion) -> Emotion:
        distances = score(image, refs)
        own = distances.pop(truth)
        if own > 0:  # an artwork exactly on its reference has no finite margin
            margins.append(min(distances.values()) / own)
        distances[truth] = own
        return min(distances, key=distances.__getitem__)
    if args.images is not None:
        try:
            artworks = find_artworks(args.images)
        except NoArtworks as error:
            print(f"animo bench palette: {error}")
            return 2
        unreadable = 0
        for path, emotion in artworks:
            image = read_artwork_image(path)  # None (logged) if damaged or too large
            if image is None:
                unreadable += 1
            else:
                results.append((emotion, nearest(image, emotion)))
        if not results:
            print(f"animo bench palette: none of the {len(artworks)} artworks in "
                  f"{args.images} could be read")
            return 2
        source = f"{len(results)} artworks from {args.images}"
        first_seed = None
    else:
        from animo_desktop.painter import paint

        unreadable = 0
        first_seed = args.seed if args.seed is not None else secrets.randbelow(2**31)
        for emotion in ALL_EMOTIONS:
            for n in range(args.per_emotion):
                results.append((emotion, nearest(paint(emotion, first_seed + n, args.size), emotion)))
        source = (f"built-in painter, {args.per_emotion} per emotion, {args.size} x "
                  f"{args.size}, seeds {first_seed}..{first_seed + args.per_emotion - 1}")
    share = own_share(results)
    confusion = {truth.value: {} for truth in ALL_EMOTIONS if truth in share}
    for truth, found in results:
        confusion[truth.value][found.value] = confusion[truth.value].get(found.value, 0) + 1
    counts = {truth: sum(confusion[truth.value].values()) for truth in share}
    rows = []
    for emotion in ALL_EMOTIONS:
        if emotion in share:
            others = ", ".join(f"{name} {n}" for name, n in sorted(confusion[emotion.value].items())
                               if name != emotion.value)
            mark = "" if share[emotion] >= TARGET else f"  (below {TARGET:.0%})"
            rows.append((emotion.value, f"{share[emotion]:.0%} of {counts[emotion]} nearest to "
                                        f"their own palette{mark}"
                                        + (f"; else {others}" if others else "")))
    lowest = min(share.values())
    rows.append(("lowest", f"{lowest:.0%} (target at least {TARGET:.0%} per emotion: "
                           f"{'met' if lowest >= TARGET else 'not met'})"))
    margins = margins or [0.0]
    rows.append(("margin", f"nearest other palette at least {min(margins):.2f} times as far "
                           f"as the own one (median {sorted(margins)[len(margins) // 2]:.2f})"))
    if unreadable:
        rows.append(("unreadable", f"{unreadable} artworks skipped"))
    figures = {"artworks": len(results), "source": "images" if args.images else "painter",
               "own_share": {e.value: round(v, 3) for e, v in share.items()},
               "lowest": round(lowest, 3),
               "margin_min": round(min(margins), 3), "target": TARGET, "met": lowest >= TARGET,
               "confusion": confusion}
    if first_seed is not None:
        figures.update(size=args.size, first_seed=first_seed)
    print_report(f"Palette adherence, {source}", rows, figures)
    return 0
