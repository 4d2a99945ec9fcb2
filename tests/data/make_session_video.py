"""Make session_holds.mp4: a camera's view of a session, for the hold test.

    python tests/data/make_session_video.py

Eight holds of 4 s (neutral, joy, surprise, anger, sadness, joy, disgust, neutral), each
showing two of the labelled web photos in web_faces/ (2 s each) on a 640 x 480 grey
background, at 10 frames a second, with a little sensor noise so that no two frames are
identical. The schedule is HOLDS below; the test reads it from here.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
VIDEO = HERE / "session_holds.mp4"
FPS = 10
HOLD_S = 4
SIZE = (640, 480)
FACE_HEIGHT = 300
HOLDS = (("neutral", "Tommy_Franks_0013.jpg", "Milt_Heflin_0001.jpg"),
         ("joy", "Gregory_Peck_0001.jpg", "Jessica_Lynch_0002.jpg"),
         ("surprise", "Mark_Dacey_0001.jpg", "Rick_Pitino_0002.jpg"),
         ("anger", "Kim_Clijsters_0010.jpg", "Leonard_Hamilton_0002.jpg"),
         ("sadness", "Magdalena_Maleeva_0001.jpg", "Sue_Guevara_0001.jpg"),
         ("joy", "Jessica_Lynch_0002.jpg", "Gregory_Peck_0001.jpg"),
         ("disgust", "HrithikRoshan_110.jpg", "FaridaJalal_102.jpg"),
         ("neutral", "Milt_Heflin_0001.jpg", "Tommy_Franks_0013.jpg"))


def frame_with(photo: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    from animo_desktop.vision.opencv import cv2

    scale = FACE_HEIGHT / photo.shape[0]
    face = cv2.resize(photo, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC)
    frame = np.full((SIZE[1], SIZE[0], 3), 128, np.uint8)
    top, left = (SIZE[1] - face.shape[0]) // 2, (SIZE[0] - face.shape[1]) // 2
    frame[top:top + face.shape[0], left:left + face.shape[1]] = face
    noisy = frame.astype(np.int16) + rng.integers(-3, 4, frame.shape)
    return np.clip(noisy, 0, 255).astype(np.uint8)


def main() -> None:
    from animo_desktop.vision.opencv import cv2
    from animo_desktop.vision.sources import read_image

    rng = np.random.default_rng(0)
    writer = cv2.VideoWriter(str(VIDEO), cv2.VideoWriter_fourcc(*"mp4v"), FPS, SIZE)
    for _, *photos in HOLDS:
        for name in photos:
            photo = read_image(HERE / "web_faces" / name)
            for _ in range(FPS * HOLD_S // len(photos)):
                writer.write(frame_with(photo, rng))
    writer.release()
    print(f"wrote {VIDEO}")


if __name__ == "__main__":
    main()
