"""`animo classify IMAGE...`: the emotion of the face in each image, one JSON line each.

Every image gets a line, in the order given: `{"path", "face", "emotion",
"probabilities"}`, or `{"path", "error"}` for a file that cannot be read (the exit code is
then 1). Without a face, "face" is false and the emotion is neutral.
"""

from __future__ import annotations

import argparse
import json

NAME = "classify"
HELP = "print the emotion of the face in each image, one JSON object per line"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("images", nargs="+", metavar="IMAGE", help="image files (JPEG, PNG, ...)")


def run(args: argparse.Namespace) -> int:
    from animo_desktop.vision.analyzer import EmotionAnalyzer
    from animo_desktop.vision.sources import SourceError, read_image

    failed = False
    with EmotionAnalyzer("image") as analyzer:
        for path in args.images:
            try:
                image = read_image(path)
            except SourceError as error:
                failed = True
                print(json.dumps({"path": path, "error": str(error)}), flush=True)
                continue
            analysis = analyzer.analyze(image)
            print(json.dumps({
                "path": path,
                "face": analysis.face_present,
                "emotion": analysis.emotion.value,
                "probabilities": {emotion.value: round(p, 4)
                                  for emotion, p in analysis.probabilities.items()},
            }), flush=True)
    return 1 if failed else 0
