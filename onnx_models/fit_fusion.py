"""Fit the fusion of ANIMO's three emotion experts, select it honestly, and measure it.

    python onnx_models/fit_fusion.py --cache /tmp/animo_fusion

Reads ../shared (FER2013 with the FER+ votes, the labelled web photos, the dev photos).
About 25 minutes on a 2-core CPU the first time, a minute with `--cache DIR`, which keeps
every expert's reading of every face (numbers only, no pixels) between runs. Writes
onnx_models/emotion_fusion.json (read by animo_desktop/vision/fusion.py) and
fusion_report.json (every figure quoted in onnx_models/README.md). Writes no image.

1. Every face is read by the three experts exactly as the application reads it: the
   Face Landmarker (FER2013's 48 x 48 faces enlarged 3x with a border, as before; the web
   photos through the application's still pipeline, with its fallback detector), the
   CNN on the aligned crop, the RAF-DB model on the five-point warp. Each web photo is
   also read degraded as a poor webcam would give it (smaller, softer, darker or
   brighter, JPEG-coded), to measure the fusion on such faces too. The shipped CNN is
   fine-tuned on the web photos (finetune_emotion_cnn.py), so with --cnn-out-of-fold
   each photo's CNN reading is the one of the fold's CNN, fine-tuned without that person
   (the same folds as in 4).
2. Blendshape expert (fusion.FACS_PROTOTYPES): a class-balanced logistic regression in
   which each emotion sees only its EMFACS prototype's features, with weights that may
   not be negative, fitted on the FER2013 training faces (FER+ majority labels).
3. The read-out (fusion.py): fitted on the FER2013 PublicTest faces, whose targets are
   their FER+ vote distributions (the CNN trained on the Kaggle training faces, so their
   readings would flatter it), and on the web photos with their labels. Every emotion
   weighs the same in total; where both sources have it, each gives half. The embedding
   enters through its first EMBEDDING_COMPONENTS principal components.
4. Selection by cross-validation: five folds, the web photos grouped by person (the
   movie stills hold few people with many photos each, and a random split flatters),
   FER2013 PublicTest stratified. On the out-of-fold readings, one offset per emotion is
   chosen for the best mean balanced accuracy of the two sources plus a quarter of the
   worst emotion's recall (a reading that never says one emotion is no use to a
   therapist).
5. Measured: the out-of-fold web figures (each kind of photo apart, and degraded),
   FER2013 PrivateTest
   (never fitted) and its faces with clear votes, each source's head tested on the other
   source (does it carry over?), and the 80 dev photos through the application's own
   pipeline with the shipped file, as a final check, never for choosing anything.
"""

from __future__ import annotations

import argparse
import csv
import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from sklearn.decomposition import PCA
from sklearn.model_selection import StratifiedGroupKFold, StratifiedKFold

from animo_desktop.emotions import ALL_EMOTIONS, Emotion
from animo_desktop.vision.analyzer import EmotionAnalyzer
from animo_desktop.vision.classifier import EmotionClassifier
from animo_desktop.vision.fusion import (
    EmotionFusion,
    expression_features,
    prototype_mask,
    unit_length,
)
from animo_desktop.vision.landmarks import five_points
from animo_desktop.vision.opencv import cv2
from animo_desktop.vision.rafdb_classifier import EMBEDDING_SIZE, RafDbClassifier
from animo_desktop.vision.sources import read_image
from fer2013_landmarks import BORDER, SCALE, align_fer2013, enlarged_face, landmark_fer2013
from train_emotion_cnn import HERE, INPUT_SIZE, load_fer2013

SHARED = HERE.parent.parent / "shared"
EMOTIONS = len(ALL_EMOTIONS)
NEUTRAL = ALL_EMOTIONS.index(Emotion.NEUTRAL)
EXPERT_L2 = 1e-3
READOUT_L2 = 1e-2
WEB_SHARE = 0.5  # of an emotion's weight, where both sources have it
EMBEDDING_COMPONENTS = 16
EMBEDDING_SCALE = 0.3  # each component's spread, against the experts' log-probabilities
FOLDS = 5
SEED = 0
WORST_CLASS_WEIGHT = 0.25
OFFSET_STEPS = np.linspace(-1.5, 1.5, 31)
# The web photos are also measured degraded (degrade()), as a poorer camera gives them.
DEGRADED_SIDES = (100, 260)  # pixels, the photo's longer side
CLEAR_VOTES = 0.7  # a FER2013 face "with clear votes": at least 70 % of them agree
# FER+ vote columns, and FER+'s names for ANIMO's emotions.
FERPLUS_NAMES = {Emotion.NEUTRAL: "neutral", Emotion.JOY: "happiness",
                 Emotion.SURPRISE: "surprise", Emotion.SADNESS: "sadness",
                 Emotion.ANGER: "anger", Emotion.DISGUST: "disgust", Emotion.FEAR: "fear"}
FERPLUS_MIN_VOTES = 5


# --- the experts' readings -------------------------------------------------------------

def ferplus_targets(path: Path, names: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(N, 7) vote shares in ALL_EMOTIONS order, and which faces have a usable vote (enough
    votes, more for an emotion than for contempt, unknown or not a face)."""
    data = np.load(path)
    if not np.array_equal(data["names"], names):
        raise SystemExit(f"{path} is not aligned with the FER2013 file")
    columns = list(data["columns"])
    votes = data["votes"].astype(np.float64)
    emotion_votes = np.stack([votes[:, columns.index(FERPLUS_NAMES[emotion])]
                              for emotion in ALL_EMOTIONS], axis=1)
    other = votes[:, [columns.index(name) for name in ("contempt", "unknown", "not_a_face")]]
    usable = (emotion_votes.sum(1) >= FERPLUS_MIN_VOTES) & (emotion_votes.max(1) > other.max(1))
    return emotion_votes / np.maximum(emotion_votes.sum(1, keepdims=True), 1), usable


def read_fer2013(images: np.ndarray, rows: np.ndarray, landmarks: np.ndarray,
                 cache: Path | None) -> dict[str, np.ndarray]:
    """CNN probabilities and RAF-DB readings of the FER2013 faces in `rows` (landmarked)."""
    if cache is not None and cache.exists():
        return dict(np.load(cache))
    classifier, rafdb = EmotionClassifier(use_gpu=False), RafDbClassifier(use_gpu=False)
    cnn = np.zeros((len(images), EMOTIONS), np.float32)
    rafdb_logits = np.zeros((len(images), EMOTIONS), np.float32)
    embedding = np.zeros((len(images), EMBEDDING_SIZE), np.float32)
    indices = np.flatnonzero(rows)
    cnn[indices] = classifier.predict(align_fer2013(images[indices], rows[indices],
                                                    landmarks[indices]))
    for count, i in enumerate(indices):
        # The same enlarged, bordered face the landmarker read.
        reading = rafdb.read(cv2.cvtColor(enlarged_face(images[i]), cv2.COLOR_GRAY2RGB),
                             five_points((landmarks[i] + BORDER) * SCALE))
        rafdb_logits[i], embedding[i] = reading.logits, reading.embedding
        if count % 2000 == 0:
            print(f"RAF-DB model on FER2013: {count} of {len(indices)}", flush=True)
    result = {"cnn": cnn, "rafdb_logits": rafdb_logits, "embedding": embedding}
    if cache is not None:
        np.savez_compressed(cache, **result)
    return result


def degrade(image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The photo as a poorer camera might give it: fewer pixels (a news photo is a tight
    350 px crop of the face; shrunk to DEGRADED_SIDES, the face is as large as in a 640 x
    480 webcam frame one to two metres away), softer, darker or brighter, JPEG-coded."""
    height, width = image.shape[:2]
    side = rng.uniform(*DEGRADED_SIDES)
    if side < max(height, width):
        scale = side / max(height, width)
        small = cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
        image = cv2.resize(small, (width, height), interpolation=cv2.INTER_LINEAR)
    if rng.random() < 0.5:
        image = cv2.GaussianBlur(image, (0, 0), rng.uniform(0.5, 1.5))
    gamma = np.exp(rng.uniform(np.log(0.6), np.log(1.6)))
    image = (255 * (image / 255.0) ** gamma).astype(np.uint8)
    _, coded = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, int(rng.integers(25, 70))])
    return cv2.imdecode(coded, cv2.IMREAD_COLOR)


def read_photos(folder: Path, cache: Path | None = None, degraded: bool = False
                ) -> dict[str, np.ndarray]:
    """Every photo of a labelled folder (labels.csv: image, emotion[, person]) through the
    application's still pipeline: labels, persons, which kind of photo, what was found,
    each expert's reading and the aligned 48 x 48 crop the CNN read (for
    finetune_emotion_cnn.py: the only pixels the cache holds, the Apache-2.0 web photos'
    faces); `degraded`: of each photo's degrade()d copy instead."""
    with (folder / "labels.csv").open(newline="", encoding="utf-8") as file:
        rows = list(csv.DictReader(file))
    if cache is not None and cache.exists():
        return dict(np.load(cache))
    count = len(rows)
    result = {
        "labels": np.array([ALL_EMOTIONS.index(Emotion.parse(row["emotion"])) for row in rows]),
        "persons": np.array([row.get("person") or row["image"] for row in rows]),
        "colour": np.zeros(count, bool), "found": np.zeros(count, bool),
        "has_blendshapes": np.zeros(count, bool),
        "crops": np.zeros((count, INPUT_SIZE, INPUT_SIZE), np.uint8),
        "cnn": np.zeros((count, EMOTIONS), np.float32),
        "rafdb_logits": np.zeros((count, EMOTIONS), np.float32),
        "embedding": np.zeros((count, EMBEDDING_SIZE), np.float32),
        "blendshapes": np.zeros((count, 52), np.float32),
    }
    rng = np.random.default_rng(SEED)
    with EmotionAnalyzer("image", use_gpu=False, fusion_path=None) as analyzer:
        for i, row in enumerate(rows):
            image = read_image(folder / row["image"])
            result["colour"][i] = is_colour(image)
            if degraded:
                image = degrade(image, rng)
            experts = analyzer.read_experts(image)
            if experts is None:
                continue
            result["found"][i] = True
            result["crops"][i] = experts.crop
            result["cnn"][i] = experts.cnn_probabilities
            result["rafdb_logits"][i] = experts.rafdb.logits
            result["embedding"][i] = experts.rafdb.embedding
            if experts.face.blendshapes is not None:
                result["has_blendshapes"][i] = True
                result["blendshapes"][i] = experts.face.blendshapes
            if i % 500 == 0:
                print(f"{folder.name}: {i} of {count}", flush=True)
    if cache is not None:
        np.savez_compressed(cache, **result)
    return result


def grouped_folds(photos: dict[str, np.ndarray], rows: np.ndarray
                  ) -> list[tuple[np.ndarray, np.ndarray]]:
    """The cross-validation folds of the photos at `rows` (positions into `rows`): one
    person's photos all in one fold, each emotion spread evenly. finetune_emotion_cnn.py
    fine-tunes on the same folds, so that its out-of-fold readings fit the read-out's."""
    return list(StratifiedGroupKFold(FOLDS, shuffle=True, random_state=SEED).split(
        rows, photos["labels"][rows], photos["persons"][rows]))


def is_colour(bgr: np.ndarray) -> bool:
    """A colour photo (the movie stills), not a grey one stored as colour (the news photos)."""
    return bool(np.abs(bgr[..., 0].astype(np.int16) - bgr[..., 2]).max() >= 8)


# --- fitting ---------------------------------------------------------------------------

def minimise_cross_entropy(logits_of: Callable[[], torch.Tensor], targets: np.ndarray,
                           weights: np.ndarray, parameters: list[torch.Tensor],
                           penalty: Callable[[], torch.Tensor]) -> None:
    """Fit `parameters` so that logits_of() predicts the target distributions, each row
    weighing its weight."""
    target = torch.tensor(targets, dtype=torch.float64)
    weight = torch.tensor(weights / weights.sum(), dtype=torch.float64)
    optimiser = torch.optim.LBFGS(parameters, max_iter=500, line_search_fn="strong_wolfe")

    def loss() -> torch.Tensor:
        optimiser.zero_grad()
        log_p = F.log_softmax(logits_of(), 1)
        # 0 * log 0 is 0 here: an emotion left out of a row's loss has log p = -inf.
        per_class = torch.where(target > 0, target * log_p, torch.zeros_like(log_p))
        value = -(weight[:, None] * per_class).sum() + penalty()
        value.backward()
        return value

    optimiser.step(loss)


def balanced_weights(targets: np.ndarray) -> np.ndarray:
    """Row weights that give every emotion present the same total."""
    counts = targets.sum(0)
    per_class = np.where(counts > 0, 1.0 / np.maximum(counts, 1e-9), 0.0)
    return (targets * per_class).sum(1)


def fit_blendshape_expert(features: np.ndarray, labels: np.ndarray
                          ) -> tuple[np.ndarray, np.ndarray]:
    """Weights (7, K) >= 0 within the prototypes (softplus), and biases (7,)."""
    x = torch.tensor(features, dtype=torch.float64)
    mask = torch.tensor(prototype_mask(), dtype=torch.float64)
    raw = torch.zeros(EMOTIONS, x.shape[1], dtype=torch.float64, requires_grad=True)
    bias = torch.zeros(EMOTIONS, dtype=torch.float64, requires_grad=True)

    def weights() -> torch.Tensor:
        return F.softplus(raw) * mask

    targets = np.eye(EMOTIONS)[labels]
    minimise_cross_entropy(lambda: x @ weights().T + bias, targets, balanced_weights(targets),
                           [raw, bias], lambda: EXPERT_L2 * (weights() ** 2).sum())
    return weights().detach().numpy(), bias.detach().numpy()


class Source:
    """One training source: its read-out inputs (rows, features), target distributions, and
    the emotions its labels could name. The web photos have no fear photo: their labels
    never chose between fear and the others, so their loss leaves fear out (a softmax over
    the six emotions they name) instead of teaching that no web face is ever afraid."""

    def __init__(self, inputs: np.ndarray, targets: np.ndarray,
                 labelled: np.ndarray | None = None) -> None:
        self.inputs, self.targets = inputs, targets
        self.labelled = targets.sum(0) > 0 if labelled is None else labelled

    def take(self, rows: np.ndarray) -> "Source":
        return Source(self.inputs[rows], self.targets[rows], self.labelled)


def source_weights(sources: list[Source]) -> list[np.ndarray]:
    """Row weights: every emotion the same total; an emotion that both sources (FER2013,
    then the web photos) have gives WEB_SHARE of its weight to the web photos."""
    totals = [source.targets.sum(0) for source in sources]
    have = np.array([total > 0 for total in totals], dtype=np.float64)  # (sources, 7)
    shares = have
    if len(sources) == 2:
        shares = np.where(have.all(0), [[1 - WEB_SHARE], [WEB_SHARE]], have)
    return [(source.targets * shares[i] / np.maximum(totals[i], 1e-9)).sum(1)
            for i, source in enumerate(sources)]


def fit_readout(sources: list[Source]) -> tuple[np.ndarray, np.ndarray]:
    """Read-out weights (features, 7) and bias (7,)."""
    x = torch.tensor(np.vstack([source.inputs for source in sources]), dtype=torch.float64)
    # Emotions a row's source never names get no probability in its loss.
    unnamed = torch.tensor(np.vstack([np.where(source.labelled, 0.0, -np.inf)[None]
                                      .repeat(len(source.inputs), 0) for source in sources]))
    weights = torch.zeros(x.shape[1], EMOTIONS, dtype=torch.float64, requires_grad=True)
    bias = torch.zeros(EMOTIONS, dtype=torch.float64, requires_grad=True)
    minimise_cross_entropy(lambda: x @ weights + bias + unnamed,
                           np.vstack([source.targets for source in sources]),
                           np.concatenate(source_weights(sources)), [weights, bias],
                           lambda: READOUT_L2 * (weights ** 2).sum())
    return weights.detach().numpy(), bias.detach().numpy()


def recall(labels: np.ndarray, predicted: np.ndarray) -> np.ndarray:
    """Per-emotion recall, NaN for an emotion with no example."""
    matrix = confusion(labels, predicted)
    with np.errstate(invalid="ignore"):
        return matrix.diagonal() / matrix.sum(1)


def confusion(labels: np.ndarray, predicted: np.ndarray) -> np.ndarray:
    matrix = np.zeros((EMOTIONS, EMOTIONS), dtype=np.int64)
    np.add.at(matrix, (labels, predicted), 1)
    return matrix


def choose_offsets(readings: list[tuple[np.ndarray, np.ndarray]]) -> np.ndarray:
    """One logit offset per emotion for the best mean balanced accuracy over the sources
    plus WORST_CLASS_WEIGHT times the worst recall, by coordinate search."""
    def score(offsets: np.ndarray) -> float:
        recalls = [recall(labels, (logits + offsets).argmax(1)) for logits, labels in readings]
        return (float(np.mean([np.nanmean(r) for r in recalls]))
                + WORST_CLASS_WEIGHT * float(min(np.nanmin(r) for r in recalls)))

    offsets = np.zeros(EMOTIONS)
    best = score(offsets)
    for _ in range(3):
        for emotion in range(EMOTIONS):
            for step in OFFSET_STEPS:
                trial = offsets.copy()
                trial[emotion] = step
                value = score(trial)
                if value > best + 1e-9:
                    best, offsets = value, trial
    return offsets


def scores(labels: np.ndarray, predicted: np.ndarray) -> dict:
    matrix = confusion(labels, predicted)
    present = matrix.sum(axis=1) > 0
    per_class = matrix.diagonal()[present] / matrix.sum(axis=1)[present]
    return {
        "faces": int(len(labels)),
        "balanced_accuracy": round(float(per_class.mean()), 4),
        "accuracy": round(float((labels == predicted).mean()), 4),
        "recall": {emotion.value: round(float(matrix[i, i] / matrix[i].sum()), 3)
                   for i, emotion in enumerate(ALL_EMOTIONS) if present[i]},
        "confusion (rows: true, columns: predicted)": {
            emotion.value: matrix[i].tolist() for i, emotion in enumerate(ALL_EMOTIONS)},
    }


# --- the whole fit ---------------------------------------------------------------------

class ReadoutInputs:
    """Turns expert readings into read-out inputs; the embedding's principal components
    are learnt once, from all the faces of both sources (no labels involved)."""

    def __init__(self, fusion: EmotionFusion, embeddings: np.ndarray) -> None:
        self.fusion = fusion
        directions = unit_length(embeddings)
        self.pca = PCA(EMBEDDING_COMPONENTS, random_state=SEED).fit(directions)
        self.scale = EMBEDDING_SCALE / self.pca.transform(directions).std(axis=0)

    def __call__(self, readings: dict[str, np.ndarray], rows: np.ndarray) -> np.ndarray:
        blendshapes = readings["blendshapes"][rows]
        with_blendshapes = readings["has_blendshapes"][rows]
        cnn, rafdb, expert = self.fusion.expert_inputs(
            readings["cnn"][rows], readings["rafdb_logits"][rows], blendshapes)
        expert[~with_blendshapes] = 0.0
        components = self.pca.transform(unit_length(readings["embedding"][rows])) * self.scale
        return np.hstack([cnn, rafdb, expert, components])

    def fused(self, weights: np.ndarray, bias: np.ndarray, offsets: np.ndarray,
              neutral_reference: np.ndarray) -> EmotionFusion:
        """The EmotionFusion whose logits are these inputs times `weights`, plus `bias`
        and the offsets: the principal components folded into the embedding's weights."""
        n = EMOTIONS
        components = self.pca.components_.T * self.scale  # (512, K)
        embedding_weights = components @ weights[3 * n:]  # (512, 7)
        shift = -(self.pca.mean_ @ components) @ weights[3 * n:]
        f = self.fusion
        return EmotionFusion(
            feature_mean=f.feature_mean, feature_scale=f.feature_scale,
            blendshape_weights=f.blendshape_weights, blendshape_bias=f.blendshape_bias,
            cnn_weights=weights[:n].T, rafdb_weights=weights[n:2 * n].T,
            blendshape_expert_weights=weights[2 * n:3 * n].T,
            embedding_weights=embedding_weights.T, bias=bias + shift + offsets,
            neutral_reference=neutral_reference)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--fer2013", type=Path, default=SHARED / "datasets" / "fer2013_48x48.npz")
    parser.add_argument("--ferplus", type=Path, default=SHARED / "datasets" / "ferplus_votes.npz")
    parser.add_argument("--web-faces", type=Path, default=SHARED / "datasets" / "web_faces")
    parser.add_argument("--dev", type=Path, default=SHARED / "faces" / "dev")
    parser.add_argument("--cache", type=Path, metavar="DIR",
                        help="keep every expert's reading of every face (no pixels) here")
    parser.add_argument("--cnn-out-of-fold", type=Path, metavar="FILE.npz",
                        help="the fine-tuned CNN's out-of-fold readings of the web photos "
                             "(finetune_emotion_cnn.py), in place of the shipped CNN's")
    parser.add_argument("--out", type=Path, default=HERE, metavar="DIR",
                        help="where emotion_fusion.json and fusion_report.json go")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    cache = args.cache
    if cache is not None:
        cache.mkdir(parents=True, exist_ok=True)

    def cached(name: str) -> Path | None:
        return cache / name if cache is not None else None

    # FER2013 and its FER+ votes.
    images, _, train, test, _, names = load_fer2013(args.fer2013)
    vote_shares, usable = ferplus_targets(args.ferplus, names)
    found, blendshapes, landmarks = landmark_fer2013(images, cached("fer2013_landmarks.npz"))
    fer = read_fer2013(images, test & found, landmarks, cached("fer2013_experts.npz"))
    fer.update(blendshapes=blendshapes, has_blendshapes=found)
    fer_labels = vote_shares.argmax(1)
    public = test & found & usable & np.char.startswith(names.astype(str), "PublicTest")
    private = test & found & usable & np.char.startswith(names.astype(str), "PrivateTest")
    clear = private & (vote_shares.max(1) >= CLEAR_VOTES)

    # The blendshape expert, on the training faces.
    features = expression_features(blendshapes)
    expert_rows = found & train & usable
    mean = features[expert_rows & (fer_labels == NEUTRAL)].mean(axis=0)
    scale = features[expert_rows].std(axis=0)
    expert_weights, expert_bias = fit_blendshape_expert(
        ((features - mean) / scale)[expert_rows], fer_labels[expert_rows])
    zeros = np.zeros((EMOTIONS, EMOTIONS))
    expert_only = EmotionFusion(mean, scale, expert_weights, expert_bias, zeros, zeros, zeros,
                                np.zeros((EMOTIONS, EMBEDDING_SIZE)), np.zeros(EMOTIONS),
                                np.zeros(EMOTIONS))

    # The web photos.
    web = read_photos(args.web_faces, cached("web_faces_experts.npz"))
    web_rows = np.flatnonzero(web["found"])
    web_labels = web["labels"][web_rows]
    degraded = read_photos(args.web_faces, cached("web_faces_degraded_experts.npz"),
                           degraded=True)
    if args.cnn_out_of_fold is not None:
        # The shipped CNN trained on these photos: each is read by the fold's CNN instead,
        # one that never saw that person.
        out_of_fold = np.load(args.cnn_out_of_fold)
        web["cnn"], degraded["cnn"] = out_of_fold["web"], out_of_fold["degraded"]
    print(f"web photos: a face in {web['found'].mean():.1%} "
          f"({web['has_blendshapes'].mean():.1%} by the landmarker)")

    inputs = ReadoutInputs(expert_only, np.vstack([fer["embedding"][public],
                                                   web["embedding"][web_rows]]))
    fer_source = Source(inputs(fer, public), vote_shares[public])
    web_source = Source(inputs(web, web_rows), np.eye(EMOTIONS)[web_labels])
    # Each original's degraded copy, measured where a face was still found in it.
    copy_found = degraded["found"][web_rows]
    degraded_inputs = inputs(degraded, web_rows)
    public_rows = np.flatnonzero(public)

    # Cross-validation: web folds grouped by person, FER2013 PublicTest stratified.
    web_folds = grouped_folds(web, web_rows)
    fer_folds = StratifiedKFold(FOLDS, shuffle=True, random_state=SEED).split(
        public_rows, fer_labels[public])
    web_oof = np.zeros((len(web_rows), EMOTIONS))
    degraded_oof = np.zeros((len(web_rows), EMOTIONS))
    fer_oof = np.zeros((len(public_rows), EMOTIONS))
    for (web_train, web_test), (fer_train, fer_test) in zip(web_folds, fer_folds):
        weights, bias = fit_readout([fer_source.take(fer_train), web_source.take(web_train)])
        web_oof[web_test] = web_source.inputs[web_test] @ weights + bias
        degraded_oof[web_test] = degraded_inputs[web_test] @ weights + bias
        fer_oof[fer_test] = fer_source.inputs[fer_test] @ weights + bias
    offsets = choose_offsets([(web_oof, web_labels), (fer_oof, fer_labels[public])])
    if cache is not None:  # for tune_smoothing.py: how unseen people's photos read
        np.savez_compressed(cache / "web_faces_out_of_fold.npz", logits=web_oof + offsets,
                            labels=web_labels)

    weights, bias = fit_readout([fer_source, web_source])
    if cache is not None:  # for tune_smoothing.py: clear expressions, never fitted
        np.savez_compressed(cache / "fer2013_clear_private_test.npz",
                            logits=inputs(fer, clear) @ weights + bias + offsets,
                            labels=fer_labels[clear])
    neutral_inputs = np.vstack([fer_source.inputs[fer_labels[public] == NEUTRAL],
                                web_source.inputs[web_labels == NEUTRAL]])
    neutral_reference = (neutral_inputs @ weights + bias + offsets).mean(axis=0)
    fusion = inputs.fused(weights, bias, offsets, neutral_reference)
    args.out.mkdir(parents=True, exist_ok=True)
    fusion_path = args.out / "emotion_fusion.json"
    fusion_path.write_text(fusion.to_json({
        "fitted_by": "onnx_models/fit_fusion.py",
        "experts": "onnx_models/emotion_cnn.onnx, resources/models/rafdb_expression_int8.onnx,"
                   " MediaPipe blendshapes",
        "blendshape_expert": f"FER2013 training faces, FER+ majority ({int(expert_rows.sum())})",
        "readout": f"FER2013 PublicTest faces with their FER+ votes ({int(public.sum())}) and "
                   f"labelled web photos ({len(web_rows)})",
        "training_data": "FER2013 (research use), FER+ votes (MIT), facial_expressions "
                         "web photos (Apache-2.0)",
    }), encoding="utf-8")

    # Figures.
    def web_scores(predicted: np.ndarray) -> dict:
        colour = web["colour"][web_rows]
        # A photo without a face counts as a neutral answer, as in the application.
        missed = np.flatnonzero(~web["found"])
        everything = np.concatenate([web_labels, web["labels"][missed]])
        answers = np.concatenate([predicted, np.full(len(missed), NEUTRAL)])
        return {"all": scores(everything, answers),
                "grey news photos": scores(web_labels[~colour], predicted[~colour]),
                "colour movie stills": scores(web_labels[colour], predicted[colour])}

    def fer_scores(predict: Callable[[np.ndarray], np.ndarray]) -> dict:
        return {"private_test": scores(fer_labels[private], predict(private)),
                "private_test_clear_votes": scores(fer_labels[clear], predict(clear))}

    def readout_predict(w: np.ndarray, b: np.ndarray) -> Callable[[np.ndarray], np.ndarray]:
        return lambda rows: (inputs(fer, rows) @ w + b).argmax(1)

    fer_only = fit_readout([fer_source])
    web_only = fit_readout([web_source])
    report = {
        "fusion": "fit_fusion.py: every figure below",
        "offsets": np.round(offsets, 2).tolist(),
        "web_faces_grouped_cv": {
            "shipped": web_scores((web_oof + offsets).argmax(1)),
            "before_offsets": web_scores(web_oof.argmax(1)),
            # The same photos degraded as a poor webcam gives them (the faces still found).
            "degraded": scores(web_labels[copy_found],
                               (degraded_oof + offsets)[copy_found].argmax(1)),
            "cnn_alone": web_scores(web["cnn"][web_rows].argmax(1)),
            "rafdb_alone": web_scores(web["rafdb_logits"][web_rows].argmax(1)),
        },
        "fer2013_ferplus": {
            "shipped": fer_scores(readout_predict(weights, bias + offsets)),
            "cnn_alone": fer_scores(lambda rows: fer["cnn"][rows].argmax(1)),
            "rafdb_alone": fer_scores(lambda rows: fer["rafdb_logits"][rows].argmax(1)),
        },
        "across_sources": {
            "fitted_on_fer2013_only, tested on web_faces": web_scores(
                (web_source.inputs @ fer_only[0] + fer_only[1]).argmax(1))["all"],
            "fitted_on_web_faces_only, tested on FER2013": fer_scores(
                readout_predict(*web_only)),
        },
        "dev": evaluate_dev(args.dev, fusion_path),
    }
    (args.out / "fusion_report.json").write_text(json.dumps(report, indent=1) + "\n",
                                                 encoding="utf-8")
    print(json.dumps(report, indent=1))


def evaluate_dev(folder: Path, fusion_path: Path) -> dict:
    """The dev photos through the application's still pipeline with the fitted file; a
    photo without a face counts as a neutral answer."""
    with (folder / "labels.csv").open(newline="", encoding="utf-8") as file:
        rows = list(csv.DictReader(file))
    labels = np.array([ALL_EMOTIONS.index(Emotion.parse(row["emotion"])) for row in rows])
    answers = []
    with EmotionAnalyzer("image", use_gpu=False, fusion_path=fusion_path) as analyzer:
        for row in rows:
            answers.append(ALL_EMOTIONS.index(analyzer.analyze(
                read_image(folder / row["image"])).emotion))
    return scores(labels, np.array(answers))


if __name__ == "__main__":
    main()
