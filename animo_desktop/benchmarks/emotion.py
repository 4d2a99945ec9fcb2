"""`animo bench emotion --labels FILE.csv [--images DIR]`: how well ANIMO reads emotions on
a labelled set of photos, through the very path of `animo classify`.

The CSV has an `image` column (a path, relative to --images, else to the CSV's folder) and
an `emotion` column (any name `--emotion` accepts: "happy", "angry" ...). A clinic can so
check ANIMO on its own consented photos; nothing is written anywhere. A photo without a
face counts as a neutral answer, as in a session. Prints the share of faces found, the
recall of each emotion, the balanced accuracy (the mean recall: every emotion counts the
same, however many photos it has) and the confusion matrix, then one JSON line.
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

import numpy as np

from animo_desktop.benchmarks.report import print_report
from animo_desktop.emotions import ALL_EMOTIONS, Emotion

NAME = "emotion"
HELP = "measure emotion recognition on labelled photos (image, emotion columns)"


class LabelsError(Exception):
    """The labels file cannot be used; the message says why."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--labels", type=Path, required=True, metavar="FILE.csv",
                        help="CSV with the columns image and emotion")
    parser.add_argument("--images", type=Path, metavar="DIR",
                        help="folder the image paths are relative to (default: the CSV's)")


def read_labels(path: Path, images: Path | None) -> list[tuple[Path, Emotion]]:
    """(image path, true emotion) for every row; LabelsError for a file that cannot be used."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as file:
            rows = list(csv.DictReader(file))
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise LabelsError(f"cannot read {path}: {error}") from None
    if not rows:
        raise LabelsError(f"{path} has no rows")
    missing = {"image", "emotion"} - set(rows[0])
    if missing:
        raise LabelsError(f"{path} has no {' or '.join(sorted(missing))} column "
                          f"(its columns: {', '.join(rows[0]) or 'none'})")
    folder = images if images is not None else path.parent
    labelled = []
    for line, row in enumerate(rows, start=2):
        try:
            emotion = Emotion.parse(row["emotion"] or "")
        except ValueError:
            raise LabelsError(f"{path}, line {line}: {row['emotion']!r} is not an emotion "
                              f"ANIMO knows") from None
        if not row["image"]:
            raise LabelsError(f"{path}, line {line}: no image")
        labelled.append((folder / row["image"], emotion))
    return labelled


def run(args: argparse.Namespace) -> int:
    try:
        labelled = read_labels(args.labels, args.images)
    except LabelsError as error:
        print(f"animo bench emotion: {error}")
        return 2
    from animo_desktop.vision.analyzer import EmotionAnalyzer
    from animo_desktop.vision.sources import SourceError, read_image

    count = len(ALL_EMOTIONS)
    matrix = np.zeros((count, count), dtype=np.int64)
    found, unreadable = 0, []
    with EmotionAnalyzer("image") as analyzer:
        for path, truth in labelled:
            try:
                image = read_image(path)
            except SourceError as error:
                unreadable.append(str(error))
                continue
            analysis = analyzer.analyze(image)
            found += analysis.face_present
            matrix[ALL_EMOTIONS.index(truth), ALL_EMOTIONS.index(analysis.emotion)] += 1
    measured = int(matrix.sum())
    if measured == 0:
        print(f"animo bench emotion: none of the {len(labelled)} images could be read "
              f"(first: {unreadable[0]})")
        return 1
    present = matrix.sum(axis=1) > 0
    recall = {emotion.value: round(float(matrix[i, i] / matrix[i].sum()), 3)
              for i, emotion in enumerate(ALL_EMOTIONS) if present[i]}
    balanced = round(float(np.mean(list(recall.values()))), 4)
    rows = [("photos", f"{measured} measured" + (f", {len(unreadable)} unreadable (first: "
                                                 f"{unreadable[0]})" if unreadable else "")),
            ("faces found", f"{found} of {measured} ({found / measured:.1%})"),
            ("balanced accuracy", f"{balanced:.1%} (mean recall of {len(recall)} emotions)"),
            ("accuracy", f"{matrix.trace() / measured:.1%}")]
    rows += [(f"recall {name}", f"{value:.2f} of {int(matrix[ALL_EMOTIONS.index(Emotion(name))].sum())}")
             for name, value in recall.items()]
    header = "true \\ read  " + " ".join(f"{e.value[:5]:>5}" for e in ALL_EMOTIONS)
    rows.append(("confusion", header))
    rows += [("", f"{emotion.value:<12} " + " ".join(f"{n:>5}" for n in matrix[i]))
             for i, emotion in enumerate(ALL_EMOTIONS) if present[i]]
    print_report(f"Emotion recognition on {args.labels}", rows, {
        "photos": measured,
        "unreadable": len(unreadable),
        "faces_found": round(found / measured, 4),
        "balanced_accuracy": balanced,
        "accuracy": round(float(matrix.trace() / measured), 4),
        "recall": recall,
        "confusion": {emotion.value: matrix[i].tolist() for i, emotion in enumerate(ALL_EMOTIONS)},
    })
    return 1 if unreadable else 0
