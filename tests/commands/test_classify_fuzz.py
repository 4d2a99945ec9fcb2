"""`animo classify` on bad input: every file gets a JSON line, never a traceback.

The decoder is fuzzed in-process with hypothesis (fast); the command itself runs once as
a user runs it, over a corpus of damaged, odd and oversized images.
"""

import io
import json
import os
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, strategies as st
from PIL import Image

from animo_desktop.vision.sources import MAX_IMAGE_PIXELS, SourceError, read_image

from tests.vision.conftest import SINGLE_FACE_PHOTO


def png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def jpeg(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG")
    return buffer.getvalue()


FACE = Image.open(SINGLE_FACE_PHOTO).convert("RGB")
FACE_PNG = png(FACE)
FACE_JPEG = SINGLE_FACE_PHOTO.read_bytes()


@given(st.binary(max_size=4096))
def test_random_bytes_are_refused_with_a_sentence_or_decoded(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("fuzz") / "image.png"
    path.write_bytes(data)
    try:
        image = read_image(path)
    except SourceError as error:
        assert str(path) in str(error)
    else:
        assert image.ndim == 3 and image.shape[2] == 3 and image.dtype == np.uint8


@given(encoded=st.sampled_from([FACE_PNG, FACE_JPEG]), fraction=st.floats(0.0, 0.999))
def test_truncated_images_are_refused_or_decoded_never_crash(tmp_path_factory, encoded,
                                                             fraction):
    path = tmp_path_factory.mktemp("fuzz") / "truncated"
    path.write_bytes(encoded[:int(len(encoded) * fraction)])
    try:
        image = read_image(path)
    except SourceError:
        return
    assert image.shape[2] == 3  # a JPEG cut late still decodes, grey at the bottom


@given(position=st.integers(0, len(FACE_PNG) - 1), value=st.integers(0, 255))
def test_a_flipped_byte_in_a_png_is_refused_or_decoded(tmp_path_factory, position, value):
    damaged = bytearray(FACE_PNG)
    damaged[position] = value
    path = tmp_path_factory.mktemp("fuzz") / "damaged.png"
    path.write_bytes(bytes(damaged))
    try:
        read_image(path)
    except SourceError:
        pass


def test_a_huge_image_is_refused_from_its_header_before_decoding(tmp_path):
    huge = tmp_path / "huge.png"
    huge.write_bytes(png(Image.new("L", (12000, 12000))))  # 140 kB on disk, 432 MB as BGR
    assert 12000 * 12000 > MAX_IMAGE_PIXELS
    with pytest.raises(SourceError, match="too large \\(12000 x 12000 pixels; ANIMO reads "
                                          "images of at most 50 megapixels"):
        read_image(huge)
    bomb = tmp_path / "bomb.png"
    bomb.write_bytes(png(Image.new("1", (20000, 20000))))  # over Pillow's own limit too
    with pytest.raises(SourceError, match="too large"):
        read_image(bomb)


def _corpus(folder):
    """Name -> file: damaged, odd and oversized images, each a classify argument."""
    gradient = np.linspace(0, 65535, 64 * 80).reshape(64, 80).astype(np.uint16)
    files = {
        "empty.png": b"",
        "random.jpg": np.random.default_rng(0).integers(0, 256, 5000, np.uint8).tobytes(),
        "truncated.png": FACE_PNG[:len(FACE_PNG) // 2],
        "truncated.jpg": FACE_JPEG[:len(FACE_JPEG) // 3],
        "header-only.jpg": FACE_JPEG[:200],
        "one-pixel.png": png(Image.new("RGB", (1, 1), "white")),
        "one-row.png": png(Image.new("RGB", (2000, 1), "white")),
        "huge.png": png(Image.new("L", (12000, 12000))),
        "grayscale.png": png(FACE.convert("L")),
        "rgba.png": png(FACE.convert("RGBA")),
        "palette.png": png(FACE.convert("P")),
        "16-bit.png": png(Image.fromarray(gradient)),
        "cmyk.jpg": jpeg(FACE.convert("CMYK")),
        "text.jpg": b"this is not an image\n" * 10,
    }
    paths = {}
    for name, data in files.items():
        paths[name] = folder / name
        paths[name].write_bytes(data)
    paths["a folder"] = folder / "a-folder.png"
    paths["a folder"].mkdir()
    paths["missing"] = folder / "missing.jpg"
    return paths


READABLE = {"one-pixel.png", "one-row.png", "grayscale.png", "rgba.png", "palette.png",
            "16-bit.png", "cmyk.jpg"}


def test_classify_answers_every_bad_file_with_a_json_line_and_exit_1(tmp_path):
    paths = _corpus(tmp_path)
    result = subprocess.run([sys.executable, "-m", "animo_desktop", "classify",
                             *map(str, paths.values())],
                            capture_output=True, text=True, timeout=120,
                            env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == 1, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["path"] for line in lines] == [str(path) for path in paths.values()]
    for name, line in zip(paths, lines):
        if name in READABLE:
            assert set(line) == {"path", "face", "emotion", "probabilities"}, line
        else:
            assert set(line) == {"path", "error"} and line["error"], line
    answers = dict(zip(paths, lines))
    assert answers["grayscale.png"]["face"] and answers["rgba.png"]["face"]
    assert "too large" in answers["huge.png"]["error"]
    assert "does not exist" in answers["missing"]["error"] or "No such file" in \
        answers["missing"]["error"]
