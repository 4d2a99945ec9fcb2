"""The artist's image folder: captions, Kohya's repeat folders, sizes, colour modes and
every kind of file that cannot be trained on."""

import numpy as np
import pytest
from PIL import Image

from animo_desktop.emotions import Emotion
from animo_desktop.lora_training.image_folder import (TrainingDataError, emotion_folders,
                                                       kohya_folder_name, read_image_folder)

RESOLUTION = 64
CAPTION = "Joyful, Artstyle"


def _save(image: Image.Image, path):
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path)
    return path


def test_a_caption_file_beside_an_image_replaces_the_default_caption(tmp_path):
    _save(Image.new("RGB", (64, 64), "red"), tmp_path / "a.png")
    _save(Image.new("RGB", (64, 64), "blue"), tmp_path / "b.png")
    (tmp_path / "b.txt").write_text("\ufeffJoyful,  blue   waves\n", encoding="utf-8")
    folder = read_image_folder(tmp_path, CAPTION, RESOLUTION)
    assert [(image.path.name, image.caption) for image in folder.images] == [
        ("a.png", CAPTION), ("b.png", "Joyful, blue waves")]


def test_a_kohya_folder_name_gives_the_repeats_and_the_concept(tmp_path):
    assert kohya_folder_name("10_joy") == (10, "joy")
    assert kohya_folder_name("joy") == (None, "joy")
    assert kohya_folder_name("0_joy") == (None, "0_joy")
    _save(Image.new("RGB", (64, 64), "red"), tmp_path / "10_joy" / "a.png")
    folder = read_image_folder(tmp_path / "10_joy", CAPTION, RESOLUTION)
    assert (folder.repeats, folder.name) == (10, "joy")


def test_all_finds_the_emotion_subfolders_by_name_synonym_and_kohya_count(tmp_path):
    for name in ("10_anger", "joy", "5_sad", "notes", "3_holiday"):
        (tmp_path / name).mkdir()
    assert emotion_folders(tmp_path) == [(Emotion.JOY, tmp_path / "joy"),
                                         (Emotion.SADNESS, tmp_path / "5_sad"),
                                         (Emotion.ANGER, tmp_path / "10_anger")]
    (tmp_path / "angry").mkdir()
    with pytest.raises(TrainingDataError, match="10_anger and angry .* are both anger"):
        emotion_folders(tmp_path)
    with pytest.raises(TrainingDataError, match="has no emotion subfolder"):
        emotion_folders(tmp_path / "notes")


def test_images_are_centre_cropped_to_a_square_and_resized(tmp_path):
    wide = np.zeros((128, 256, 3), np.uint8)
    wide[:, 64:192] = 255  # the white centre square survives the crop, the black sides go
    _save(Image.fromarray(wide), tmp_path / "wide.png")
    (image,) = read_image_folder(tmp_path, CAPTION, RESOLUTION).images
    assert image.pixels.size == (RESOLUTION, RESOLUTION) and image.pixels.mode == "RGB"
    assert np.asarray(image.pixels).min() > 200


def test_an_image_smaller_than_the_resolution_is_enlarged_and_said_so(tmp_path):
    _save(Image.new("RGB", (40, 50), "red"), tmp_path / "small.png")
    folder = read_image_folder(tmp_path, CAPTION, RESOLUTION)
    assert folder.images[0].pixels.size == (RESOLUTION, RESOLUTION)
    assert folder.notices == ("small.png is only 40 x 50 pixels: enlarged to 64 x 64",)


def test_colour_modes_become_faithful_rgb(tmp_path):
    _save(Image.new("CMYK", (64, 64), (0, 255, 255, 0)), tmp_path / "cmyk.jpg")
    sixteen_bit = Image.fromarray(np.full((64, 64), 32768, np.uint16))
    _save(sixteen_bit, tmp_path / "grey16.png")
    transparent = Image.new("RGBA", (64, 64), (255, 0, 0, 0))
    _save(transparent, tmp_path / "transparent.png")
    pixels = {image.path.name: np.asarray(image.pixels).reshape(-1, 3).mean(axis=0)
              for image in read_image_folder(tmp_path, CAPTION, RESOLUTION).images}
    assert pixels["cmyk.jpg"] == pytest.approx([255, 0, 0], abs=8)  # CMYK red stays red
    assert pixels["grey16.png"] == pytest.approx([128, 128, 128], abs=1)  # not clipped white
    assert pixels["transparent.png"] == pytest.approx([255, 255, 255])  # paper, not black


def test_unicode_names_are_read(tmp_path):
    folder = tmp_path / "10_joie é 喜"
    _save(Image.new("RGB", (64, 64), "yellow"), folder / "soleil été 太陽.png")
    (folder / "soleil été 太陽.txt").write_text("Joyful, soleil d'été", encoding="utf-8")
    (image,) = read_image_folder(folder, CAPTION, RESOLUTION).images
    assert image.caption == "Joyful, soleil d'été"


def test_an_empty_folder_is_refused_and_points_at_all_for_subfolders(tmp_path):
    with pytest.raises(TrainingDataError, match="holds no images"):
        read_image_folder(tmp_path, CAPTION, RESOLUTION)
    (tmp_path / "10_joy").mkdir()
    (tmp_path / "notes.doc").write_bytes(b"not an image")
    with pytest.raises(TrainingDataError, match=r"subfolders \(10_joy\): .* use --all"):
        read_image_folder(tmp_path, CAPTION, RESOLUTION)


def test_every_unusable_image_is_named_and_nothing_is_read(tmp_path):
    _save(Image.new("RGB", (64, 64), "red"), tmp_path / "good.png")
    (tmp_path / "text.png").write_text("this is no image")
    truncated = _save(Image.effect_noise((64, 64), 50).convert("RGB"), tmp_path / "cut.png")
    truncated.write_bytes(truncated.read_bytes()[:400])
    corrupt = _save(Image.effect_noise((64, 64), 50).convert("RGB"), tmp_path / "corrupt.png")
    data = bytearray(corrupt.read_bytes())
    data[len(data) // 2:len(data) // 2 + 64] = bytes(64)  # compressed pixels overwritten
    corrupt.write_bytes(bytes(data))
    _save(Image.new("RGB", (8, 8), "red"), tmp_path / "tiny.png")
    (tmp_path / "._good.png").write_bytes(b"macOS resource fork: skipped, not refused")
    (tmp_path / "bad.txt").write_bytes(b"\xff\xfe\xfa")
    _save(Image.new("RGB", (64, 64), "red"), tmp_path / "bad.png")
    with pytest.raises(TrainingDataError) as refused:
        read_image_folder(tmp_path, CAPTION, RESOLUTION)
    message = str(refused.value)
    assert message.startswith(f"5 of the 6 images in {tmp_path} cannot be used (nothing was "
                              "trained)")
    assert "text.png is not an image" in message
    assert "cut.png is damaged or cut short" in message
    assert "corrupt.png is damaged or cut short" in message
    assert "tiny.png is only 8 x 8 pixels: too small to train at 64 px" in message
    assert "bad.txt: the caption cannot be read as UTF-8" in message
    assert "good.png" not in message
