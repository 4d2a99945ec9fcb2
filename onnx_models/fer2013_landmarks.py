"""The Face Landmarker's reading of every FER2013 face, for onnx_models/fit_fusion.py.

Each 48 x 48 face gets a small border (the detector needs some background) and is
enlarged 3x to 192 x 192 before detection. The result (whether a face was found, the 52
blendshapes, the 478 landmarks in the 48 x 48 pixels) takes about 10 minutes on a 2-core
CPU; `--landmarks-cache FILE.npz` keeps it between runs. It holds no pixels.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from animo_desktop.vision.alignment import align_face
from animo_desktop.vision.landmarks import BLENDSHAPE_NAMES, FaceLandmarker
from animo_desktop.vision.opencv import cv2

BORDER = 8  # pixels of border around a 48 x 48 FER2013 face before enlarging
SCALE = 3  # (48 + 2 * 8) * 3 = 192 pixels
MIN_CONFIDENCE = 0.3  # every FER2013 image is meant to hold a face


def enlarged_face(image: np.ndarray) -> np.ndarray:
    """A 48 x 48 FER2013 face with its border, enlarged SCALE times, as the landmarker
    reads it: its landmarks map back by `/ SCALE - BORDER`."""
    bordered = cv2.copyMakeBorder(image, *[BORDER] * 4, cv2.BORDER_REPLICATE)
    return cv2.resize(bordered, None, fx=SCALE, fy=SCALE, interpolation=cv2.INTER_CUBIC)


def landmark_fer2013(images: np.ndarray, cache: Path | None = None
                     ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """found (N,), blendshapes (N, 52), landmarks (N, 478, 2) in 48 x 48 pixels."""
    if cache is not None and cache.exists():
        cached = np.load(cache)
        return cached["found"], cached["blendshapes"], cached["landmarks"]
    found = np.zeros(len(images), bool)
    blendshapes = np.zeros((len(images), len(BLENDSHAPE_NAMES)), np.float32)
    landmarks = np.zeros((len(images), 478, 2), np.float32)
    with FaceLandmarker("image", max_faces=1, min_confidence=MIN_CONFIDENCE) as landmarker:
        for i, image in enumerate(images):
            enlarged = enlarged_face(image)
            faces = landmarker.detect(enlarged)
            if faces:
                found[i] = True
                blendshapes[i] = faces[0].blendshapes
                landmarks[i] = faces[0].landmarks / SCALE - BORDER
            if i % 5000 == 0:
                print(f"Face Landmarker on FER2013: {i} of {len(images)}", flush=True)
    if cache is not None:
        np.savez_compressed(cache, found=found, blendshapes=blendshapes, landmarks=landmarks)
    print(f"Face Landmarker found {found.mean():.1%} of the FER2013 faces")
    return found, blendshapes, landmarks


def align_fer2013(images: np.ndarray, found: np.ndarray, landmarks: np.ndarray) -> np.ndarray:
    """Every face re-cut by the application's own alignment (eyes level, mean framing),
    so that it is measured on the crops the application gives the CNN; a face the
    landmarker missed stays as it is (already roughly in that framing)."""
    aligned = images.copy()
    for i in np.flatnonzero(found):
        aligned[i] = align_face(images[i], landmarks[i])
    return aligned
