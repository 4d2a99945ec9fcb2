"""Tune the temporal smoothing against scripted sessions of unseen people's faces.

    python onnx_models/tune_smoothing.py --cache /tmp/animo_fusion

Run after fit_fusion.py with the same --cache: it reads the out-of-fold readings of the
web photos (each photo read by a fusion that never saw that person), and the fusion's
readings of FER2013's PrivateTest faces with clear votes (never fitted), on which the
chosen setting is measured too. A scripted session
is the hold test of the emotion issue: eight holds of 4 s (neutral, joy, surprise, anger,
sadness, joy, disgust, neutral), two photos of the hold's emotion for 2 s each, as a
camera shows them, at 30 frames a second with a little noise on each frame's logits (a
video's frames are never identical). For each setting of the smoother it counts, over
SESSIONS random sessions: the holds confirmed within 2.5 s of their start, the median
time to confirm, and the spurious switches (to an emotion the hold does not show). Of
the settings with at most one spurious switch in 8 holds (less SPURIOUS_SLACK) and a
median under 1.5 s, those within AS_GOOD of the most confirmed holds are as good, and the
one of them with the fewest spurious switches is chosen. It writes
onnx_models/smoothing_report.json; the chosen setting is SmoothingSettings' default in
animo_desktop/vision/smoothing.py (about 10 minutes).
"""

from __future__ import annotations

import argparse
import itertools
import json
from dataclasses import asdict
from pathlib import Path

import numpy as np

from animo_desktop.emotions import ALL_EMOTIONS, Emotion
from animo_desktop.vision.fusion import softmax
from animo_desktop.vision.smoothing import EmotionSmoother, SmoothingSettings

HERE = Path(__file__).resolve().parent
SCHEDULE = (Emotion.NEUTRAL, Emotion.JOY, Emotion.SURPRISE, Emotion.ANGER, Emotion.SADNESS,
            Emotion.JOY, Emotion.DISGUST, Emotion.NEUTRAL)
HOLD_S = 4.0
PHOTOS_PER_HOLD = 2
FPS = 30
CONFIRM_WITHIN_S = 2.5
LOGIT_NOISE = 0.3
SESSIONS = 200
SEED = 0
# Down to dwells of a fraction of a second: a hold whose first photo is misread can still
# be confirmed on its second, 2 s in, if the confirmation takes under half a second.
GRID = {"half_life_s": (0.08, 0.15, 0.25, 0.4), "dwell_s": (0.2, 0.3, 0.4, 0.6, 0.8, 1.2),
        "margin": (0.05, 0.1), "min_confidence": (0.45, 0.5, 0.55, 0.6)}
# The targets: at least 6 of 8 holds confirmed in time, at most one spurious switch in 8
# holds, a median under 1.5 s. A setting must reach the last two.
MIN_CONFIRMED = 6.0
MAX_SPURIOUS = 1.0
MAX_MEDIAN_S = 1.5
# The grid runs half the sessions, so its figures are rough: about 0.14 confirmed holds
# in 8 is one standard error there, and a setting at 0.98 spurious switches in the grid
# read 1.07 over all the sessions. So the grid asks for this much below MAX_SPURIOUS, and
# settings within AS_GOOD confirmed holds of the best are as good; of those the one with
# the fewest spurious switches wins: a wrong switch puts an emotion the client does not
# show on the canvas.
SPURIOUS_SLACK = 0.15
AS_GOOD = 0.15
# The default before this tuning, reported beside the chosen one.
PREVIOUS_DEFAULT = SmoothingSettings(half_life_s=0.25, dwell_s=0.8, margin=0.05,
                                     min_confidence=0.5)


def hold_test(settings: SmoothingSettings, logits: np.ndarray, labels: np.ndarray,
              sessions: int = SESSIONS, seed: int = SEED) -> dict:
    """Per 8 holds: confirmed within CONFIRM_WITHIN_S, median latency, spurious switches;
    and why: the holds missed, by emotion, never confirmed or confirmed late, and the share
    of spurious switches to what the photo on screen reads without noise (a misread
    photo, which no smoothing can tell from a right one) rather than to anything else."""
    photos = np.random.default_rng(seed)
    noise = np.random.default_rng(seed + 1)
    by_emotion = {emotion: np.flatnonzero(labels == ALL_EMOTIONS.index(emotion))
                  for emotion in set(SCHEDULE)}
    confirmed, latencies, spurious, misread = 0, [], 0, 0
    missed = {emotion.value: {"never": 0, "late": 0} for emotion in SCHEDULE}
    frames_per_photo = round(HOLD_S * FPS / PHOTOS_PER_HOLD)
    for _ in range(sessions):
        smoother = EmotionSmoother(settings)
        frame = 0
        for emotion in SCHEDULE:
            latency = 0.0 if smoother.emotion is emotion else None
            for photo in photos.choice(by_emotion[emotion], PHOTOS_PER_HOLD):
                for _ in range(frames_per_photo):
                    seconds_in = (frame % round(HOLD_S * FPS)) / FPS
                    p = softmax(logits[photo] + noise.normal(0, LOGIT_NOISE, len(ALL_EMOTIONS)))
                    state = smoother.update(dict(zip(ALL_EMOTIONS, p.tolist())), frame / FPS)
                    if state.changed and state.emotion is emotion and latency is None:
                        latency = seconds_in
                    elif state.changed and state.emotion is not emotion:
                        spurious += 1
                        misread += ALL_EMOTIONS[int(logits[photo].argmax())] is state.emotion
                    frame += 1
            if latency is not None:
                latencies.append(latency)
                confirmed += latency <= CONFIRM_WITHIN_S
            if latency is None or latency > CONFIRM_WITHIN_S:
                missed[emotion.value]["never" if latency is None else "late"] += 1
    holds = sessions * len(SCHEDULE) / 8
    return {"confirmed_in_8": round(confirmed / holds, 2),
            "median_latency_s": round(float(np.median(latencies)), 2) if latencies else None,
            "spurious_in_8": round(spurious / holds, 2),
            "missed_in_8": {emotion: {why: round(count / holds, 2) for why, count in whys.items()}
                            for emotion, whys in missed.items()},
            "spurious_to_a_misread_photo": round(misread / spurious, 2) if spurious else None}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cache", type=Path, required=True, metavar="DIR",
                        help="fit_fusion.py's --cache")
    parser.add_argument("--sessions", type=int, default=SESSIONS)
    args = parser.parse_args()
    data = np.load(args.cache / "web_faces_out_of_fold.npz")
    logits, labels = data["logits"], data["labels"]

    results = []
    for values in itertools.product(*GRID.values()):
        settings = SmoothingSettings(**dict(zip(GRID, values)))
        results.append((settings, hold_test(settings, logits, labels, args.sessions // 2)))
    acceptable = [(s, r) for s, r in results
                  if r["spurious_in_8"] <= MAX_SPURIOUS - SPURIOUS_SLACK
                  and (r["median_latency_s"] or 99) < MAX_MEDIAN_S]
    pool = acceptable or results
    most = max(result["confirmed_in_8"] for _, result in pool)
    best, _ = min(((s, r) for s, r in pool if r["confirmed_in_8"] >= most - AS_GOOD),
                  key=lambda item: (item[1]["spurious_in_8"], -item[1]["confirmed_in_8"]))
    chosen = hold_test(best, logits, labels, args.sessions)
    clear = np.load(args.cache / "fer2013_clear_private_test.npz")
    report = {
        "schedule": [emotion.value for emotion in SCHEDULE],
        "sessions": args.sessions,
        "chosen": {**asdict(best), **chosen},
        "before (the previous default)": {**asdict(PREVIOUS_DEFAULT),
                                          **hold_test(PREVIOUS_DEFAULT, logits, labels,
                                                      args.sessions)},
        # Clear expressions, never fitted, never used for choosing: how far the figures
        # above are bounded by the web photos' readings rather than by the smoothing.
        "chosen, on FER2013's PrivateTest faces with clear votes": hold_test(
            best, clear["logits"], clear["labels"], args.sessions),
        "met_the_targets": chosen["confirmed_in_8"] >= MIN_CONFIRMED
                           and chosen["spurious_in_8"] <= MAX_SPURIOUS
                           and chosen["median_latency_s"] < MAX_MEDIAN_S,
        "grid (half_life_s, dwell_s, margin, min_confidence: confirmed_in_8, "
        "median_latency_s, spurious_in_8)": [
            [*[getattr(settings, name) for name in GRID],
             result["confirmed_in_8"], result["median_latency_s"], result["spurious_in_8"]]
            for settings, result in results],
    }
    (HERE / "smoothing_report.json").write_text(json.dumps(report, indent=1) + "\n",
                                                encoding="utf-8")
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
