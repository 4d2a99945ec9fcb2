"""Frame sources: camera index, video file played like a camera, still image."""

import itertools
import re
import time
from pathlib import Path

import numpy as np
import pytest

from animo_desktop.vision.sources import (
    IMAGE_FPS,
    SourceError,
    fit_within,
    open_source,
    read_image,
)

from tests.conftest import make_fifo, returns_in_time

from .conftest import DATA, SINGLE_FACE_PHOTO, SINGLE_FACE_VIDEO


def test_a_video_loops_with_timestamps_that_keep_increasing():
    with open_source(SINGLE_FACE_VIDEO, realtime=False) as source:
        frames = list(itertools.islice(source, 160))  # the file has 72 frames
    assert [frame.index for frame in frames] == list(range(160))
    stamps = [frame.timestamp_ms for frame in frames]
    assert all(later > earlier for earlier, later in zip(stamps, stamps[1:]))
    assert stamps[30] == round(30 * 1000 / source.fps)
    assert np.array_equal(frames[0].image, frames[72].image)  # looped back to the start


def test_a_video_without_loop_ends():
    with open_source(SINGLE_FACE_VIDEO, realtime=False, loop=False) as source:
        assert len(list(source)) == 72


def test_frames_fit_in_640_by_480_and_are_bgr():
    with open_source(DATA / "face_noface.mov", realtime=False) as source:  # 960 x 540
        frame = next(iter(source))
    assert frame.image.shape == (360, 640, 3) and frame.image.dtype == np.uint8


def test_a_realtime_video_is_paced_at_its_frame_rate():
    with open_source(SINGLE_FACE_VIDEO) as source:  # 30 frames/s
        started = time.monotonic()
        list(itertools.islice(source, 4))
    assert time.monotonic() - started >= 3 / 30


def test_a_realtime_video_skips_the_frames_a_slow_reader_missed():
    with open_source(SINGLE_FACE_VIDEO) as source:  # 30 frames/s
        assert source.read().index == 0
        time.sleep(0.2)  # six frames' time
        frame = source.read()
    assert frame.index >= 5 and frame.timestamp_ms == round(frame.index * 1000 / source.fps)


def test_an_image_is_repeated_like_a_camera_watching_a_photo():
    with open_source(SINGLE_FACE_PHOTO, realtime=False) as source:
        frames = list(itertools.islice(source, 3))
    assert all(np.array_equal(frames[0].image, frame.image) for frame in frames)
    assert [frame.timestamp_ms for frame in frames] == [0, round(1000 / IMAGE_FPS),
                                                        round(2000 / IMAGE_FPS)]


def test_a_missing_camera_fails_at_once_with_a_clear_message():
    started = time.monotonic()
    with pytest.raises(SourceError, match="camera 9"):
        open_source("9")
    assert time.monotonic() - started < 10


@pytest.mark.parametrize("name", ["missing.mp4", "not_a_video.mp4", "not_an_image.jpg"])
def test_unreadable_files_raise_source_error(tmp_path, name):
    if name != "missing.mp4":
        (tmp_path / name).write_text("not a picture")
    with pytest.raises(SourceError, match=name):
        open_source(tmp_path / name)


def test_what_is_no_regular_file_is_refused_for_what_it_is_without_waiting(tmp_path):
    fifo = make_fifo(tmp_path / "pipe.png")
    for path, words in ((tmp_path, "is a folder, not a video or image file"),
                        (Path("/dev/zero"), "is not a regular file"),
                        (fifo, "is not a regular file"),
                        (tmp_path / "missing.png", "does not exist")):
        for read in (open_source, read_image):
            with pytest.raises(SourceError, match=f"^{re.escape(f'{path} {words}')}"):
                returns_in_time(lambda: read(path), fifo)


def test_a_digit_that_is_no_ascii_digit_is_no_camera_number():
    assert "²".isdigit()  # and yet int("²") fails
    with pytest.raises(SourceError, match="² does not exist"):
        open_source("²")


def test_read_image_and_fit_within():
    image = read_image(SINGLE_FACE_PHOTO)
    assert image.ndim == 3 and image.shape[2] == 3
    assert fit_within(image, (100, 100)).shape[:2] == (98, 100)  # 572 x 562, aspect kept
    assert fit_within(image, (1000, 1000)) is image  # never enlarged
