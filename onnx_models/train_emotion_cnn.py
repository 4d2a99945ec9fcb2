"""Train ANIMO's emotion CNN on FER2013 and export it to ONNX.

    python onnx_models/train_emotion_cnn.py --data ../shared/datasets/fer2013_48x48.npz

Reproducible: fixed seed, fixed split (Kaggle train for training, Kaggle PublicTest +
PrivateTest for testing), augmentation and schedule below; about 45 minutes on an idle
2-core CPU. Writes
onnx_models/emotion_cnn.onnx and emotion_cnn_training.json (settings, FER2013 test
accuracy, confusion matrix). Never writes any image.

The faces are FER2013's own 48 x 48 crops. The application cuts faces to the same
framing (animo_desktop/vision/alignment.py maps the landmarks onto their mean FER2013
position); the augmentation's rotation, scale and shift cover the remaining differences.

Data cleaning: the 13 near-blank images are dropped, and so is every training image that
is pixel-identical to a test image (531 such groups span the Kaggle split) so that the
test accuracy is honest.

The exported graph takes raw grayscale pixels (N, 1, 48, 48), 0-255, and returns softmax
probabilities (N, 7); each image is standardised inside the graph (zero mean, unit
variance), which makes the model indifferent to the camera's brightness and contrast.
The output order is in the model's metadata ("labels", ANIMO emotion names).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from animo_desktop.emotions import Emotion

HERE = Path(__file__).resolve().parent
SEED = 2024
INPUT_SIZE = 48
BLANK_STD = 3.0  # pixel standard deviation under which a FER2013 image is near-blank


class EmotionCNN(nn.Module):
    """A small VGG-style network: four stages of 3x3 convolutions, global average pooling.

    Standardising each image is the first operation of the graph, so the ONNX model takes
    plain pixels and the application needs no preprocessing beyond the aligned crop.
    """

    def __init__(self, width: int, classes: int) -> None:
        super().__init__()
        widths = (width, 2 * width, 4 * width, 8 * width)
        layers: list[nn.Module] = []
        channels = 1
        for stage, out in enumerate(widths):
            # The first stage works at full 48 x 48 resolution, where a second
            # convolution would cost as much as all later stages together.
            for _ in range(1 if stage == 0 else 2):
                layers += [nn.Conv2d(channels, out, 3, padding=1, bias=False),
                           nn.BatchNorm2d(out), nn.ReLU(inplace=True)]
                channels = out
            layers.append(nn.MaxPool2d(2))
        self.features = nn.Sequential(*layers)
        self.head = nn.Sequential(nn.Dropout(0.4), nn.Linear(channels, classes))

    def forward(self, pixels: torch.Tensor) -> torch.Tensor:
        mean = pixels.mean(dim=(1, 2, 3), keepdim=True)
        std = pixels.std(dim=(1, 2, 3), keepdim=True)
        x = (pixels - mean) / (std + 1.0)
        x = self.features(x)
        return self.head(x.mean(dim=(2, 3)))


class ProbabilitiesModel(nn.Module):
    """What is exported: the CNN followed by a softmax."""

    def __init__(self, cnn: EmotionCNN) -> None:
        super().__init__()
        self.cnn = cnn

    def forward(self, pixels: torch.Tensor) -> torch.Tensor:
        return torch.softmax(self.cnn(pixels), dim=1)


def load_fer2013(path: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[Emotion],
                                      np.ndarray]:
    """Images, labels, train mask and test mask after cleaning, the class emotions, names."""
    data = np.load(path)
    images, labels, split = data["X"], data["y"].astype(np.int64), data["split"]
    emotions = [Emotion.parse(name) for name in data["classes"]]  # "angry" -> anger, ...
    keep = images.reshape(len(images), -1).std(axis=1) >= BLANK_STD
    digests = [hashlib.sha1(image.tobytes()).hexdigest() for image in images]
    test_digests = {digest for digest, is_test in zip(digests, split == 1) if is_test}
    leaked = np.array([split[i] == 0 and digest in test_digests
                       for i, digest in enumerate(digests)])
    train = keep & (split == 0) & ~leaked
    test = keep & (split == 1)
    print(f"FER2013: {train.sum()} training images ({leaked.sum()} duplicates of test images "
          f"and {(~keep).sum()} near-blank images dropped), {test.sum()} test images")
    return images, labels, train, test, emotions, data["names"]


def augment(batch: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """Random mirror, rotation (+-12 degrees), scale (0.9-1.1) and shift (+-10 %), and a
    random erased patch: head pose, framing, glasses and hands."""
    n = batch.shape[0]
    angle = (torch.rand(n, generator=generator) * 2 - 1) * math.radians(12)
    scale = 0.9 + torch.rand(n, generator=generator) * 0.2
    shift = (torch.rand(n, 2, generator=generator) * 2 - 1) * 0.2  # of half the side: 10 %
    mirror = torch.where(torch.rand(n, generator=generator) < 0.5, -1.0, 1.0)
    cos, sin = torch.cos(angle) / scale, torch.sin(angle) / scale
    theta = torch.stack([torch.stack([cos * mirror, -sin, shift[:, 0]], 1),
                         torch.stack([sin * mirror, cos, shift[:, 1]], 1)], 1)
    grid = F.affine_grid(theta, list(batch.shape), align_corners=False)
    out = F.grid_sample(batch, grid, mode="bilinear", padding_mode="border",
                        align_corners=False)
    erase = torch.rand(n, generator=generator) < 0.25
    for i in torch.nonzero(erase).flatten().tolist():
        size = int(torch.randint(8, 17, (1,), generator=generator))
        top, left = torch.randint(0, INPUT_SIZE - size, (2,), generator=generator).tolist()
        out[i, :, top:top + size, left:left + size] = out[i].mean()
    return out


def predict(model: nn.Module, images: np.ndarray, batch_size: int = 512) -> np.ndarray:
    model.eval()
    outputs = []
    with torch.no_grad():
        for start in range(0, len(images), batch_size):
            batch = torch.from_numpy(images[start:start + batch_size]).float()[:, None]
            outputs.append(torch.softmax(model(batch), dim=1).numpy())
    return np.concatenate(outputs)


def confusion(labels: np.ndarray, predicted: np.ndarray, classes: int) -> np.ndarray:
    matrix = np.zeros((classes, classes), dtype=np.int64)
    np.add.at(matrix, (labels, predicted), 1)
    return matrix


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=HERE.parent.parent / "shared" / "datasets"
                        / "fer2013_48x48.npz")
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--width", type=int, default=16, help="channels of the first stage")
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--out", type=Path, default=HERE / "emotion_cnn.onnx")
    args = parser.parse_args()

    torch.manual_seed(SEED)
    torch.set_num_threads(args.threads)
    generator = torch.Generator().manual_seed(SEED)
    images, labels, train, test, emotions, _ = load_fer2013(args.data)
    x_train = torch.from_numpy(images[train]).float()[:, None]
    y_train = torch.from_numpy(labels[train])
    counts = np.bincount(labels[train], minlength=len(emotions))
    # Weights ~ 1/sqrt(frequency): disgust (~400 images) matters without being oversampled
    # 17-fold, which would only memorise its few faces.
    class_weights = torch.tensor((counts.max() / counts) ** 0.5, dtype=torch.float32)

    model = EmotionCNN(args.width, len(emotions))
    steps_per_epoch = math.ceil(len(x_train) / args.batch_size)
    optimiser = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=5e-4)
    schedule = torch.optim.lr_scheduler.OneCycleLR(
        optimiser, max_lr=3e-3, epochs=args.epochs, steps_per_epoch=steps_per_epoch,
        pct_start=0.2)
    started = time.time()
    for epoch in range(args.epochs):
        model.train()
        order = torch.randperm(len(x_train), generator=generator)
        total_loss = 0.0
        for step in range(steps_per_epoch):
            index = order[step * args.batch_size:(step + 1) * args.batch_size]
            batch = augment(x_train[index], generator)
            loss = F.cross_entropy(model(batch), y_train[index], weight=class_weights,
                                   label_smoothing=0.1)
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            schedule.step()
            total_loss += loss.item()
        test_accuracy = (predict(model, images[test]).argmax(1) == labels[test]).mean()
        print(f"epoch {epoch + 1}/{args.epochs}: loss {total_loss / steps_per_epoch:.3f}, "
              f"test accuracy {test_accuracy:.3f}, {time.time() - started:.0f} s", flush=True)

    probabilities = predict(model, images[test])
    predicted = probabilities.argmax(1)
    matrix = confusion(labels[test], predicted, len(emotions))
    recall = matrix.diagonal() / matrix.sum(axis=1)
    report = {
        "seed": SEED, "epochs": args.epochs, "width": args.width,
        "batch_size": args.batch_size, "optimiser": "AdamW, one-cycle lr 3e-3, wd 5e-4",
        "loss": "cross-entropy, label smoothing 0.1, class weights 1/sqrt(frequency)",
        "augmentation": "mirror, rotation +-12 deg, scale 0.9-1.1, shift +-10 %, "
                        "erased patch 8-16 px (p=0.25)",
        "training_images": int(train.sum()), "test_images": int(test.sum()),
        "training_minutes": round((time.time() - started) / 60, 1),
        "labels": [emotion.value for emotion in emotions],
        "test_accuracy": round(float((predicted == labels[test]).mean()), 4),
        "test_balanced_accuracy": round(float(recall.mean()), 4),
        "test_recall": {emotion.value: round(float(r), 3) for emotion, r in zip(emotions, recall)},
        "test_confusion": matrix.tolist(),
    }
    print(json.dumps(report, indent=1))
    export(model, emotions, args.out)
    args.out.with_name(args.out.stem + "_training.json").write_text(json.dumps(report, indent=1)
                                                                    + "\n")


def export(model: EmotionCNN, emotions: list[Emotion], path: Path) -> None:
    import onnx

    model.eval()
    torch.onnx.export(ProbabilitiesModel(model), torch.zeros(1, 1, INPUT_SIZE, INPUT_SIZE),
                      str(path), input_names=["pixels"], output_names=["probabilities"],
                      dynamic_axes={"pixels": {0: "faces"}, "probabilities": {0: "faces"}},
                      opset_version=17, dynamo=False)
    exported = onnx.load(str(path))
    for key, value in (("labels", ",".join(emotion.value for emotion in emotions)),
                       ("input", "grayscale face aligned to the FER2013 framing, 0-255"),
                       ("training_data", "FER2013 (Goodfellow et al. 2013), research use")):
        entry = exported.metadata_props.add()
        entry.key, entry.value = key, value
    onnx.save(exported, str(path))
    print(f"wrote {path} ({path.stat().st_size / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
