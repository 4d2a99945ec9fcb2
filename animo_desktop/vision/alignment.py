"""Cut the face out of a frame the way the emotion CNN saw faces during training.

FER2013's faces are 48 x 48 crops from a face detector: roughly from the top of the
forehead to the chin, cheek to cheek. The crop below maps a face's landmarks onto the
mean FER2013 position of the same landmarks (measured by running the Face Landmarker on
the FER2013 training images; onnx_models/fit_fusion.py prints them), after rotating the
face so that the eyes are level. Of the two CNNs in the shipped model, one was trained
on FER2013's own crops, which this framing costs a little (balanced accuracy on the
FER2013 private test 62.8 % on the original crops, 60.2 % on crops re-cut by this
function), and the other on crops re-cut by this function (onnx_models/README.md).
Only landmarks that expressions barely move take part (eye corners, nose, cheeks,
forehead): an open mouth or a smile must not change the framing. A face found by the
fallback detector has only five points (eyes, nose tip, mouth corners): it is framed by
the similarity that best maps them onto their mean position in the same crops.
"""

from __future__ import annotations

import numpy as np

from animo_desktop.vision.opencv import cv2

CROP_SIZE = 48

# MediaPipe face-mesh indices. "Right" is the person's right, on the image's left.
RIGHT_EYE_CORNERS = (33, 133)
LEFT_EYE_CORNERS = (263, 362)

# Mean FER2013 position (x, y in pixels of the 48 x 48 image, 0 = the image's left/top
# edge) of the anchor landmarks, made left-right symmetric about x = 24.
_TEMPLATE: dict[int, tuple[float, float]] = {
    33: (24 - 12.04, 18.30), 263: (24 + 12.04, 18.30),    # outer eye corners
    133: (24 - 4.82, 18.90), 362: (24 + 4.82, 18.90),     # inner eye corners
    234: (24 - 18.41, 21.53), 454: (24 + 18.41, 21.53),   # face outline beside the eyes
    168: (24.0, 17.79),                                   # nose bridge between the eyes
    2: (24.0, 30.87),                                     # below the nose tip
    10: (24.0, 5.07),                                     # top of the forehead
}
ANCHORS = np.array(list(_TEMPLATE), dtype=np.int64)
_TEMPLATE_POINTS = np.array(list(_TEMPLATE.values()), dtype=np.float64) * (CROP_SIZE / 48)

# Mean position of the five points (landmarks.five_points) in the crops of the FER2013
# training faces cut by alignment_matrix, made left-right symmetric.
_FIVE_POINT_TEMPLATE = np.array([[24 - 8.04, 18.59], [24 + 8.04, 18.59], [24.0, 28.64],
                                 [24 - 6.92, 35.71], [24 + 6.92, 35.71]], dtype=np.float32)

# The crop is sampled at this multiple of its size, then shrunk with area averaging, so
# a large face in a 640 x 480 frame does not alias into the 48 x 48 crop.
_OVERSAMPLING = 4


def alignment_matrix(landmarks: np.ndarray) -> np.ndarray:
    """The 2 x 3 affine map from image pixels to crop pixels: a rotation that levels the
    eyes, then the scale and shift that best fit the anchors to the template."""
    points = landmarks[ANCHORS, :2].astype(np.float64)
    right_eye = landmarks[list(RIGHT_EYE_CORNERS), :2].mean(axis=0)
    left_eye = landmarks[list(LEFT_EYE_CORNERS), :2].mean(axis=0)
    dx, dy = left_eye - right_eye
    angle = np.arctan2(dy, dx)
    rotation = np.array([[np.cos(angle), np.sin(angle)], [-np.sin(angle), np.cos(angle)]])
    rotated = points @ rotation.T
    # Least squares for scale s and shift t in s * rotated + t ~ template.
    centred = rotated - rotated.mean(axis=0)
    target = _TEMPLATE_POINTS - _TEMPLATE_POINTS.mean(axis=0)
    scale = float((centred * target).sum() / max((centred ** 2).sum(), 1e-9))
    shift = _TEMPLATE_POINTS.mean(axis=0) - scale * rotated.mean(axis=0)
    return np.hstack([scale * rotation, shift[:, None]])


def similarity_onto(points: np.ndarray, template: np.ndarray) -> np.ndarray:
    """The 2 x 3 similarity (rotation, scale, shift) that best maps a face's five points
    onto a template's; ValueError where none fits."""
    matrix, _ = cv2.estimateAffinePartial2D(points.astype(np.float32), template,
                                            method=cv2.LMEDS)
    if matrix is None:  # the five points fall together: no similarity fits
        raise ValueError("the five face points do not span a face")
    return matrix


def five_point_matrix(points: np.ndarray) -> np.ndarray:
    """The 2 x 3 similarity from image pixels to crop pixels for a face known only by its
    five points."""
    return similarity_onto(points, _FIVE_POINT_TEMPLATE)


def align_face(gray: np.ndarray, landmarks: np.ndarray, size: int = CROP_SIZE) -> np.ndarray:
    """The face as a (size, size) uint8 grayscale crop in the training framing.

    `gray` is the frame in grayscale and `landmarks` the face's (478, 2) landmarks, or
    its (5, 2) five points, in its pixels. Parts of the crop outside the frame repeat the
    frame's border.
    """
    big = size * _OVERSAMPLING
    fitted = five_point_matrix(landmarks) if len(landmarks) == 5 else alignment_matrix(landmarks)
    matrix = fitted * (big / CROP_SIZE)
    # Landmarks and template measure from pixel edges; warpAffine from pixel centres.
    matrix[:, 2] += matrix[:, :2].sum(axis=1) * 0.5 - 0.5
    crop = cv2.warpAffine(gray, matrix, (big, big), flags=cv2.INTER_LINEAR,
                          borderMode=cv2.BORDER_REPLICATE)
    return cv2.resize(crop, (size, size), interpolation=cv2.INTER_AREA)
