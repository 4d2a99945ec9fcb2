"""Fit the fusion of the emotion CNN with the face's blendshapes, and measure it.

    python onnx_models/fit_fusion.py --data ../shared/datasets/fer2013_48x48.npz \
        --dev ../shared/faces/dev

Run after merge_emotion_cnns.py. About 10 minutes on a 2-core CPU, most of it running the
Face Landmarker on the 35,887 FER2013 faces. Writes onnx_models/emotion_fusion.json (the
fitted numbers, read by animo_desktop/vision/fusion.py) and fusion_report.json (every
figure quoted in onnx_models/README.md). Writes no image.

1. The Face Landmarker reads every FER2013 face (enlarged 3x with a small border, as the
   detector needs some background): blendshapes, and landmarks, whose mean position on
   the training faces is the crop template of animo_desktop/vision/alignment.py.
2. Blendshape expert (fusion.FACS_PROTOTYPES): a class-balanced, L2-regularised logistic
   regression in which each emotion sees only the features of its EMFACS prototype,
   with weights that may not be negative (26 weights and 7 biases), fitted on the Kaggle
   training faces. Features are measured from the mean neutral training face.
3. Fusion: `a * log p_cnn + b * log p_blendshapes + bias` (9 numbers), fitted on the
   Kaggle PublicTest faces, which neither the CNN nor the expert trained on; measured on
   PrivateTest. Neutral reference for the calibration: mean fused logits of the neutral
   PublicTest faces.
4. The dev photos (80 labelled web photos) are only measured, never fitted: CNN alone,
   blendshapes alone and fused, through the application's own still-image pipeline.
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

from animo_desktop.emotions import ALL_EMOTIONS, Emotion
from animo_desktop.vision.analyzer import EmotionAnalyzer
from animo_desktop.vision.classifier import DEFAULT_MODEL_PATH, EmotionClassifier
from animo_desktop.vision.fusion import (
    EmotionFusion,
    expression_features,
    log_softmax,
    prototype_mask,
)
from animo_desktop.vision.sources import read_image
from fer2013_landmarks import align_fer2013, landmark_fer2013
from train_emotion_cnn import HERE, load_fer2013

L2 = 1e-3
NEUTRAL = ALL_EMOTIONS.index(Emotion.NEUTRAL)


def minimise_balanced_cross_entropy(logits_of: Callable[[], torch.Tensor], labels: np.ndarray,
                                    parameters: list[torch.Tensor],
                                    penalty: Callable[[], torch.Tensor] | None = None) -> None:
    """Fit `parameters` so that logits_of() predicts labels, every class weighing the
    same in total (the held-out measure is balanced accuracy)."""
    counts = np.bincount(labels, minlength=len(ALL_EMOTIONS))
    class_weights = torch.tensor(len(labels) / (len(counts) * counts), dtype=torch.float32)
    target = torch.tensor(labels)
    optimiser = torch.optim.LBFGS(parameters, max_iter=500, line_search_fn="strong_wolfe")

    def loss() -> torch.Tensor:
        optimiser.zero_grad()
        value = F.cross_entropy(logits_of(), target, weight=class_weights)
        if penalty is not None:
            value = value + penalty()
        value.backward()
        return value

    optimiser.step(loss)


def fit_blendshape_expert(features: np.ndarray, labels: np.ndarray
                          ) -> tuple[np.ndarray, np.ndarray]:
    """Multinomial logistic regression with an L2 penalty, each emotion's weights
    restricted to its prototype and kept non-negative (softplus): weights (7, K), bias (7,)."""
    x = torch.tensor(features, dtype=torch.float32)
    mask = torch.tensor(prototype_mask())
    raw = torch.zeros(len(ALL_EMOTIONS), x.shape[1], requires_grad=True)
    bias = torch.zeros(len(ALL_EMOTIONS), requires_grad=True)

    def weights() -> torch.Tensor:
        return F.softplus(raw) * mask

    minimise_balanced_cross_entropy(lambda: x @ weights().T + bias, labels, [raw, bias],
                                    penalty=lambda: L2 * (weights() ** 2).sum())
    return weights().detach().numpy(), bias.detach().numpy()


def fit_fusion(cnn_log_p: np.ndarray, expert_log_p: np.ndarray, labels: np.ndarray
               ) -> tuple[float, float, np.ndarray]:
    """The two expert weights and the seven biases."""
    x = torch.tensor(np.stack([cnn_log_p, expert_log_p], axis=2), dtype=torch.float32)
    expert_weights = torch.ones(2, requires_grad=True)
    bias = torch.zeros(len(ALL_EMOTIONS), requires_grad=True)
    minimise_balanced_cross_entropy(lambda: x @ expert_weights + bias, labels,
                                    [expert_weights, bias])
    cnn_weight, blendshape_weight = expert_weights.detach().numpy().tolist()
    return cnn_weight, blendshape_weight, bias.detach().numpy()


def scores(labels: np.ndarray, predicted: np.ndarray) -> dict:
    matrix = np.zeros((len(ALL_EMOTIONS), len(ALL_EMOTIONS)), dtype=np.int64)
    np.add.at(matrix, (labels, predicted), 1)
    present = matrix.sum(axis=1) > 0
    recall = matrix.diagonal()[present] / matrix.sum(axis=1)[present]
    return {
        "balanced_accuracy": round(float(recall.mean()), 4),
        "accuracy": round(float((labels == predicted).mean()), 4),
        "recall": {emotion.value: round(float(matrix[i, i] / matrix[i].sum()), 3)
                   for i, emotion in enumerate(ALL_EMOTIONS) if present[i]},
        "confusion (rows: true, columns: predicted)": {
            emotion.value: matrix[i].tolist() for i, emotion in enumerate(ALL_EMOTIONS)},
    }


def evaluate_dev(folder: Path, fusion: EmotionFusion, fusion_path: Path,
                 model_path: Path = DEFAULT_MODEL_PATH) -> dict:
    """CNN alone, blendshapes alone and fused on the dev photos, through the app's still
    pipeline. A photo without a face counts as a neutral answer."""
    with (folder / "labels.csv").open(newline="", encoding="utf-8") as file:
        rows = list(csv.DictReader(file))
    labels = np.array([ALL_EMOTIONS.index(Emotion.parse(row["emotion"])) for row in rows])
    answers: dict[str, list[int]] = {"cnn": [], "blendshapes": [], "fused": []}
    faces = 0
    with EmotionAnalyzer("image", fusion_path=fusion_path,
                         classifier_model=model_path) as analyzer:
        for row in rows:
            analysis = analyzer.analyze(read_image(folder / row["image"]))
            if not analysis.face_present:
                for answer in answers.values():
                    answer.append(NEUTRAL)
                continue
            faces += 1
            answers["cnn"].append(ALL_EMOTIONS.index(
                max(analysis.cnn_probabilities, key=analysis.cnn_probabilities.get)))
            answers["blendshapes"].append(int(np.argmax(
                fusion.blendshape_log_probabilities(analysis.blendshapes))))
            answers["fused"].append(ALL_EMOTIONS.index(analysis.emotion))
    return {"photos": len(rows), "faces_found": faces,
            **{name: scores(labels, np.array(answer)) for name, answer in answers.items()}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=HERE.parent.parent / "shared" / "datasets"
                        / "fer2013_48x48.npz")
    parser.add_argument("--dev", type=Path, default=HERE.parent.parent / "shared" / "faces"
                        / "dev")
    parser.add_argument("--landmarks-cache", type=Path, metavar="FILE.npz",
                        help="keep the Face Landmarker's FER2013 output (blendshapes and "
                             "landmarks, no pixels) in this file and reuse it on later runs")
    parser.add_argument("--model", type=Path, default=DEFAULT_MODEL_PATH, metavar="FILE.onnx",
                        help="the emotion CNN to fuse (default: the shipped one)")
    parser.add_argument("--out", type=Path, default=HERE, metavar="DIR",
                        help="where emotion_fusion.json and fusion_report.json go")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    images, fer_labels, train, test, fer_emotions, names = load_fer2013(args.data)
    to_ours = np.array([ALL_EMOTIONS.index(emotion) for emotion in fer_emotions])
    labels = to_ours[fer_labels]
    found, blendshapes, landmarks = landmark_fer2013(images, args.landmarks_cache)

    template = landmarks[found & train].mean(axis=0)
    print("mean landmark positions on the training faces (alignment.py's template):")
    for index in (33, 263, 133, 362, 234, 454, 168, 2, 10):
        print(f"  {index:3d}: ({template[index, 0]:.2f}, {template[index, 1]:.2f})")

    features = expression_features(blendshapes)
    fit_rows = found & train
    mean = features[fit_rows & (labels == NEUTRAL)].mean(axis=0)
    scale = features[fit_rows].std(axis=0)
    standardised = (features - mean) / scale
    expert_weights, expert_bias = fit_blendshape_expert(standardised[fit_rows],
                                                        labels[fit_rows])
    expert_log_p = log_softmax(standardised @ expert_weights.T + expert_bias)

    cnn_p = np.zeros((len(images), len(ALL_EMOTIONS)), np.float32)
    classifier = EmotionClassifier(args.model, use_gpu=False, threads=args.threads)
    cnn_p[test] = classifier.predict(
        align_fer2013(images[test], found[test], landmarks[test]))
    cnn_log_p = np.log(np.clip(cnn_p, 1e-6, 1.0))

    public = test & found & np.char.startswith(names.astype(str), "PublicTest")
    private = test & found & np.char.startswith(names.astype(str), "PrivateTest")
    cnn_weight, blendshape_weight, bias = fit_fusion(cnn_log_p[public], expert_log_p[public],
                                                     labels[public])
    fused_logits = cnn_weight * cnn_log_p + blendshape_weight * expert_log_p + bias
    neutral_rows = public & (labels == NEUTRAL)
    fusion = EmotionFusion(
        feature_mean=mean, feature_scale=scale,
        blendshape_weights=expert_weights, blendshape_bias=expert_bias,
        cnn_weight=cnn_weight, blendshape_weight=blendshape_weight, bias=bias,
        neutral_reference=fused_logits[neutral_rows].mean(axis=0))
    args.out.mkdir(parents=True, exist_ok=True)
    fusion_path = args.out / "emotion_fusion.json"
    fusion_path.write_text(fusion.to_json({
        "fitted_by": "onnx_models/fit_fusion.py",
        "cnn": _shown(args.model),
        "blendshape_expert": f"FER2013 Kaggle training faces with a face found "
                             f"({int(fit_rows.sum())})",
        "fusion": f"FER2013 PublicTest faces with a face found ({int(public.sum())})",
        "training_data": "FER2013 (Goodfellow et al. 2013), research use",
    }), encoding="utf-8")

    report = {
        "fer2013_faces_found": round(float(found.mean()), 4),
        "fusion": {"cnn_weight": round(cnn_weight, 3),
                   "blendshape_weight": round(blendshape_weight, 3)},
        "fer2013_private_test": {
            "faces": int(private.sum()),
            "cnn": scores(labels[private], cnn_log_p[private].argmax(1)),
            # What the landmark crop costs the CNN: the same faces, FER2013's own crops.
            "cnn_on_fer2013_crops": scores(labels[private],
                                           classifier.predict(images[private]).argmax(1)),
            "blendshapes": scores(labels[private], expert_log_p[private].argmax(1)),
            "fused": scores(labels[private], fused_logits[private].argmax(1)),
        },
        "dev": evaluate_dev(args.dev, fusion, fusion_path, args.model),
    }
    (args.out / "fusion_report.json").write_text(json.dumps(report, indent=1) + "\n",
                                             encoding="utf-8")
    print(json.dumps(report, indent=1))


def _shown(path: Path) -> str:
    """A model path as the provenance shows it: relative to the project when inside it."""
    try:
        return str(Path(path).resolve().relative_to(HERE.parent))
    except ValueError:
        return str(path)


if __name__ == "__main__":
    main()
