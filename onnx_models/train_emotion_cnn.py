"""Train one of ANIMO's emotion CNNs on FER2013 and export it to ONNX.

    python onnx_models/train_emotion_cnn.py --out /tmp/emotion_cnn_v1.onnx
    python onnx_models/train_emotion_cnn.py --landmarks-cache /tmp/fer2013_landmarks.npz \
        --low-res 0.4 --gamma 0.3 --blur 0.1 --out /tmp/emotion_cnn_v2.onnx

Reproducible: fixed seed, fixed split (Kaggle train for training, Kaggle PublicTest +
PrivateTest for testing), augmentation and schedule below; about 45 minutes on an idle
2-core CPU. Writes the model at --out and its training JSON beside it (settings, FER2013
test accuracy, confusion matrix). Never writes any image. The model ANIMO ships is the
mean of the two CNNs above, merged into one file by merge_emotion_cnns.py.

v1 trains on FER2013's own 48 x 48 crops. The application cuts faces to the same
framing (animo_desktop/vision/alignment.py maps the landmarks onto their mean FER2013
position); the augmentation's rotation, scale and shift cover the remaining differences.
v2 (`--landmarks-cache FILE.npz`: the Face Landmarker's pass over FER2013,
onnx_models/fer2013_landmarks.py; made on the first run, about 10 minutes) trains and
tests on the faces re-cut by the application's own alignment instead. `--low-res`,
`--gamma` and `--blur` add image-quality augmentations (loss of resolution, exposure,
focus), each with its own probability; all of them are off by default (v1's recipe).

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
from safetensors.torch import save_file
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
    `batch_norm=False`: the exported form, each batch normalisation folded into the
    convolution's weights and bias (how finetune_emotion_cnn.py reloads a shipped model).
    """

    def __init__(self, width: int, classes: int, batch_norm: bool = True) -> None:
        super().__init__()
        self.width, self.classes = width, classes
        widths = (width, 2 * width, 4 * width, 8 * width)
        layers: list[nn.Module] = []
        channels = 1
        for stage, out in enumerate(widths):
            # The first stage works at full 48 x 48 resolution, where a second
            # convolution would cost as much as all later stages together.
            for _ in range(1 if stage == 0 else 2):
                layers.append(nn.Conv2d(channels, out, 3, padding=1, bias=not batch_norm))
                if batch_norm:
                    layers.append(nn.BatchNorm2d(out))
                layers.append(nn.ReLU(inplace=True))
                channels = out
            layers.append(nn.MaxPool2d(2))
        self.features = nn.Sequential(*layers)
        self.head = nn.Sequential(nn.Dropout(0.4), nn.Linear(channels, classes))

    @staticmethod
    def standardise(pixels: torch.Tensor) -> torch.Tensor:
        mean = pixels.mean(dim=(1, 2, 3), keepdim=True)
        std = pixels.std(dim=(1, 2, 3), keepdim=True)
        return (pixels - mean) / (std + 1.0)

    def forward(self, pixels: torch.Tensor) -> torch.Tensor:
        return self.head(self.features(self.standardise(pixels)).mean(dim=(2, 3)))


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


LOW_RES_SIDES = (12, 32)  # --low-res: the face is shrunk to this many pixels, then enlarged
GAMMA_RANGE = (0.7, 1.4)  # --gamma: log-uniform exponent on pixels / 255
BLUR_SIGMAS = (0.5, 1.2)  # --blur: Gaussian blur, sigma in pixels of the 48 x 48 face


def degrade(batch: torch.Tensor, generator: torch.Generator, low_res: float = 0.0,
            gamma: float = 0.0, blur: float = 0.0) -> torch.Tensor:
    """Image-quality augmentations for web photos and webcams, each drawn per face with
    its own probability: a loss of resolution (the face shrunk to a random 12-32 px with
    antialiasing, then enlarged back with bilinear interpolation), a gamma change
    (0.7-1.4) and a Gaussian blur (sigma 0.5-1.2 px). Brightness and contrast need no
    jitter: the network standardises each image. No random number is drawn for an
    augmentation whose probability is 0, so the default run is the v1 recipe."""
    n = batch.shape[0]
    out = batch
    if low_res > 0:
        chosen = torch.rand(n, generator=generator) < low_res
        sides = torch.randint(LOW_RES_SIDES[0], LOW_RES_SIDES[1] + 1, (n,), generator=generator)
        out = out.clone()
        for i in torch.nonzero(chosen).flatten().tolist():
            side = int(sides[i])
            small = F.interpolate(out[i:i + 1], size=(side, side), mode="bilinear",
                                  align_corners=False, antialias=True)
            out[i:i + 1] = F.interpolate(small, size=(INPUT_SIZE, INPUT_SIZE), mode="bilinear",
                                         align_corners=False)
    if gamma > 0:
        chosen = torch.rand(n, generator=generator) < gamma
        low, high = math.log(GAMMA_RANGE[0]), math.log(GAMMA_RANGE[1])
        exponent = torch.exp(low + torch.rand(n, generator=generator) * (high - low))
        exponent = torch.where(chosen, exponent, torch.ones(n))
        out = 255.0 * (out.clamp(0, 255) / 255.0) ** exponent[:, None, None, None]
    if blur > 0:
        chosen = torch.rand(n, generator=generator) < blur
        sigmas = BLUR_SIGMAS[0] + torch.rand(n, generator=generator) * (BLUR_SIGMAS[1]
                                                                          - BLUR_SIGMAS[0])
        offsets = torch.arange(-3, 4, dtype=torch.float32)
        out = out.clone()
        for i in torch.nonzero(chosen).flatten().tolist():
            kernel = torch.exp(-0.5 * (offsets / sigmas[i]) ** 2)
            kernel = kernel / kernel.sum()
            padded = F.pad(out[i:i + 1], (3, 3, 3, 3), mode="replicate")
            padded = F.conv2d(padded, kernel.view(1, 1, 1, 7))
            out[i:i + 1] = F.conv2d(padded, kernel.view(1, 1, 7, 1))
    return out


def augment(batch: torch.Tensor, generator: torch.Generator, low_res: float = 0.0,
            gamma: float = 0.0, blur: float = 0.0) -> torch.Tensor:
    """Random mirror, rotation (+-12 degrees), scale (0.9-1.1) and shift (+-10 %), and a
    random erased patch: head pose, framing, glasses and hands; then degrade()."""
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
    return degrade(out, generator, low_res, gamma, blur)


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
    parser.add_argument("--out", type=Path, required=True,
                        help="the ONNX model; the training JSON is written beside it")
    parser.add_argument("--landmarks-cache", type=Path, metavar="FILE.npz",
                        help="train and test on the faces re-cut by the application's "
                             "alignment, from the Face Landmarker's FER2013 pass kept in "
                             "this file (fer2013_landmarks.py; made if missing)")
    parser.add_argument("--low-res", type=float, default=0.0, metavar="P",
                        help="probability of shrinking a face to 12-32 px and back")
    parser.add_argument("--gamma", type=float, default=0.0, metavar="P",
                        help="probability of a gamma change (0.7-1.4)")
    parser.add_argument("--blur", type=float, default=0.0, metavar="P",
                        help="probability of a Gaussian blur (sigma 0.5-1.2 px)")
    args = parser.parse_args()
    try:  # needed only by export(), at the end: fail now rather than after the training
        import onnx  # noqa: F401
    except ImportError:
        parser.error("the onnx package is needed to export the model: "
                     "pip install -e '.[train]'")

    torch.manual_seed(SEED)
    torch.set_num_threads(args.threads)
    generator = torch.Generator().manual_seed(SEED)
    images, labels, train, test, emotions, _ = load_fer2013(args.data)
    fer2013_crops = images
    faces = "FER2013's own 48 x 48 crops"
    if args.landmarks_cache is not None:
        from fer2013_landmarks import align_fer2013, landmark_fer2013

        found, _, landmarks = landmark_fer2013(images, args.landmarks_cache)
        images = align_fer2013(images, found, landmarks)
        faces = (f"FER2013 re-cut by animo_desktop/vision/alignment.py from the Face "
                 f"Landmarker's landmarks ({args.landmarks_cache.name}; faces not found, "
                 f"{int((~found[train]).sum())} training and {int((~found[test]).sum())} "
                 f"test, keep FER2013's crop)")
        print(faces)
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
            batch = augment(x_train[index], generator, args.low_res, args.gamma, args.blur)
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
                        "erased patch 8-16 px (p=0.25)" + degradation(args),
        "training_images": int(train.sum()), "test_images": int(test.sum()),
        "training_minutes": round((time.time() - started) / 60, 1),
        "labels": [emotion.value for emotion in emotions],
        "test_accuracy": round(float((predicted == labels[test]).mean()), 4),
        "test_balanced_accuracy": round(float(recall.mean()), 4),
        "test_recall": {emotion.value: round(float(r), 3) for emotion, r in zip(emotions, recall)},
        "test_confusion": matrix.tolist(),
    }
    if args.landmarks_cache is not None:
        report["faces"] = faces
        report["landmarks_cache"] = str(args.landmarks_cache)
        report["test_on_aligned_crops"] = True
        # The same test faces, FER2013's own crops: what the re-cut changes.
        own = predict(model, fer2013_crops[test]).argmax(1)
        own_recall = (confusion(labels[test], own, len(emotions)).diagonal()
                      / np.bincount(labels[test], minlength=len(emotions)))
        report["test_on_fer2013_crops"] = {
            "accuracy": round(float((own == labels[test]).mean()), 4),
            "balanced_accuracy": round(float(own_recall.mean()), 4)}
    if args.low_res or args.gamma or args.blur:
        report["quality_augmentation"] = {
            "low_res_p": args.low_res, "low_res_sides_px": list(LOW_RES_SIDES),
            "low_res_resampling": "down: bilinear with antialiasing, up: bilinear",
            "gamma_p": args.gamma, "gamma_range": list(GAMMA_RANGE),
            "blur_p": args.blur, "blur_sigma_px": list(BLUR_SIGMAS)}
    print(json.dumps(report, indent=1))
    # The figures and the weights first: a failed export must not lose an hour's training.
    args.out.with_name(args.out.stem + "_training.json").write_text(json.dumps(report, indent=1)
                                                                    + "\n")
    checkpoint = args.out.with_suffix(".safetensors")  # no pickle, as everywhere in ANIMO
    save_file(model.state_dict(), str(checkpoint))
    export(model, emotions, args.out)
    checkpoint.unlink()  # kept only when the export fails


def degradation(args: argparse.Namespace) -> str:
    """The quality augmentations in words, for the training JSON ("" when none is on)."""
    parts = []
    if args.low_res:
        parts.append(f"resolution loss to {LOW_RES_SIDES[0]}-{LOW_RES_SIDES[1]} px and back, "
                     f"bilinear (p={args.low_res:g})")
    if args.gamma:
        parts.append(f"gamma {GAMMA_RANGE[0]}-{GAMMA_RANGE[1]} (p={args.gamma:g})")
    if args.blur:
        parts.append(f"Gaussian blur sigma {BLUR_SIGMAS[0]}-{BLUR_SIGMAS[1]} px "
                     f"(p={args.blur:g})")
    return "".join(", " + part for part in parts)


def members_from_onnx(path: Path, width: int = 16) -> list[EmotionCNN]:
    """The members of an ensemble merged by merge_emotion_cnns.py, as torch networks.

    The export folded each batch normalisation into the convolution before it, so a
    member comes back as the same network with biased convolutions and no batch
    normalisation (EmotionCNN(batch_norm=False)): it computes exactly what the graph does
    (finetune_emotion_cnn.py goes on training from there)."""
    import onnx
    from onnx import numpy_helper

    model = onnx.load(str(path))
    weights = {tensor.name: torch.tensor(numpy_helper.to_array(tensor))
               for tensor in model.graph.initializer}
    members = []
    prefixes = sorted({name.split("/")[0] for name in weights if name.startswith("member")},
                      key=lambda prefix: int(prefix.removeprefix("member")))
    for prefix in prefixes:
        cnn = EmotionCNN(width, len(Emotion), batch_norm=False)
        own = [node for node in model.graph.node if node.input[1:2]
               and node.input[1].startswith(prefix + "/")]
        convs = [node for node in own if node.op_type == "Conv"]
        (head,) = [node for node in own if node.op_type == "Gemm"]
        layers = [layer for layer in cnn.features if isinstance(layer, nn.Conv2d)]
        if len(convs) != len(layers):
            raise SystemExit(f"{path}: {prefix} has {len(convs)} convolutions, not {len(layers)}")
        with torch.no_grad():
            for node, layer in zip(convs + [head], layers + [cnn.head[1]]):
                layer.weight.copy_(weights[node.input[1]])
                layer.bias.copy_(weights[node.input[2]])
        members.append(cnn)
    return members


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
