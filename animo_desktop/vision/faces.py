"""Which face is the client's when the camera sees several.

The client sits in front of the camera: their face is the large one near the centre. A
therapist leaning into the picture, or a poster on the wall, must not take over, and the
reading must not jump between people when one of them moves: once a face is followed,
it stays followed as long as a face overlaps where it was.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from animo_desktop.vision.landmarks import Box, DetectedFace

# Least overlap (intersection over union) with the followed face's last box for a face
# to count as the same person one frame later. Faces move little between frames.
FOLLOW_MIN_OVERLAP = 0.3


# How much a face in a corner of the frame is discounted against the same face in the
# centre. Size comes first (the client sits closest to the camera); position only
# separates faces of similar size.
CORNER_DISCOUNT = 0.25


def prominence(box: Box, frame_width: int, frame_height: int) -> float:
    """Size relative to the frame, discounted by up to CORNER_DISCOUNT off centre."""
    size = math.sqrt(box.area) / math.hypot(frame_width, frame_height)
    centre_x, centre_y = box.centre
    off_centre = math.hypot((centre_x - frame_width / 2) / (frame_width / 2),
                            (centre_y - frame_height / 2) / (frame_height / 2)) / math.sqrt(2)
    return size * (1.0 - CORNER_DISCOUNT * min(off_centre, 1.0))


def most_prominent(faces: Sequence[DetectedFace], frame_width: int, frame_height: int
                   ) -> DetectedFace | None:
    """The largest, most central face, or None for no face."""
    return max(faces, key=lambda face: prominence(face.box, frame_width, frame_height),
               default=None)


class FaceFollower:
    """Follows one person from frame to frame (one follower per stream)."""

    def __init__(self) -> None:
        self._followed: Box | None = None

    def follow(self, faces: Sequence[DetectedFace], frame_width: int, frame_height: int
               ) -> DetectedFace | None:
        """The followed person's face in this frame; the most prominent face when the
        followed one is gone (or none was followed yet); None when there is no face."""
        chosen = None
        if self._followed is not None:
            followed = self._followed
            overlaps = [(face.box.iou(followed), index) for index, face in enumerate(faces)]
            best_overlap, best_index = max(overlaps, default=(0.0, -1))
            if best_overlap >= FOLLOW_MIN_OVERLAP:
                chosen = faces[best_index]
        if chosen is None:
            chosen = most_prominent(faces, frame_width, frame_height)
        self._followed = chosen.box if chosen is not None else None
        return chosen

    def reset(self) -> None:
        self._followed = None
