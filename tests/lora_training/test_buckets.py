"""Aspect-ratio buckets: Kohya's bucket sizes, each image at the bucket nearest its aspect
ratio (not cropped to a square, never enlarged unsaid), batches within one bucket, and a
training on mixed aspect ratios that stops and resumes to the uninterrupted weights."""

import json

import numpy as np
import pytest
import torch
from PIL import Image
from safetensors import safe_open
from safetensors.torch import load_file

from animo_desktop.cli import main
from animo_desktop.lora_training.buckets import bucket_sizes, nearest_bucket
from animo_desktop.lora_training.image_folder import read_image_folder
from animo_desktop.lora_training.recipe import TrainingSettings
from animo_desktop.lora_training.trainer import batch_members, bucket_batches
from tests.lora_training.conftest import ctrl_c_at_step, train_command

# The tiny model's smallest non-square buckets: at 64 px the only one is 64 x 64.
RESOLUTION = 128


def test_the_buckets_at_512_are_kohyas():
    sizes = bucket_sizes(512)
    assert (512, 512) in sizes and (384, 640) in sizes and (640, 384) in sizes
    assert (256, 1024) in sizes and (1024, 256) in sizes
    assert all(width % 64 == 0 and height % 64 == 0 for width, height in sizes)
    assert all(256 <= side <= 1024 for size in sizes for side in size)
    assert all(width * height <= 512 * 512 for width, height in sizes)
    # One side as long as the area allows for the other: a step of 64 more would be too
    # large (or longer than 1024).
    assert all(max(width * (height + 64), (width + 64) * height) > 512 * 512
               or 1024 in (width, height) for width, height in sizes)
    assert len(sizes) == len(set(sizes)) == 17


@pytest.mark.parametrize("size, bucket", [((1000, 1500), (384, 640)), ((1500, 1000), (640, 384)),
                                          ((800, 800), (512, 512)), ((300, 4000), (256, 1024))])
def test_an_image_goes_to_the_bucket_nearest_its_aspect_ratio(size, bucket):
    assert nearest_bucket(*size, bucket_sizes(512)) == bucket


def _banded(width, height, top=(250, 0, 0), bottom=(0, 0, 250)) -> Image.Image:
    """Red at the top, blue at the bottom, a tenth of the height each; grey between."""
    pixels = np.full((height, width, 3), 128, np.uint8)
    pixels[:height // 10], pixels[-(height // 10):] = top, bottom
    return Image.fromarray(pixels)


def test_a_tall_artwork_keeps_its_top_and_bottom(tmp_path):
    _banded(200, 800).save(tmp_path / "tall.png")
    _banded(300, 100).save(tmp_path / "wide.png")
    images = {image.path.name: image.pixels
              for image in read_image_folder(tmp_path, "", RESOLUTION).images}
    assert images["tall.png"].size == (64, 256) and images["wide.png"].size == (192, 64)
    tall = np.asarray(images["tall.png"], float)
    assert tall[2].mean(axis=0) == pytest.approx([250, 0, 0], abs=12)  # a square crop's
    assert tall[-3].mean(axis=0) == pytest.approx([0, 0, 250], abs=12)  # would be grey


def test_an_image_smaller_than_its_bucket_is_enlarged_and_said_so(tmp_path):
    Image.new("RGB", (60, 120), "red").save(tmp_path / "small.png")
    Image.new("RGB", (400, 800), "red").save(tmp_path / "large.png")
    folder = read_image_folder(tmp_path, "", RESOLUTION)
    assert [image.pixels.size for image in folder.images] == [(64, 192), (64, 192)]
    assert folder.notices == ("small.png is only 60 x 120 pixels: enlarged to 64 x 192",)


def test_batches_are_drawn_within_one_bucket():
    sizes = [(64, 192)] * 3 + [(128, 128)] * 2 + [(192, 64)]
    settings = TrainingSettings(batch_size=2, repeats=2)
    order = torch.arange(len(sizes)).repeat(settings.repeats)
    order = order[torch.randperm(len(order), generator=torch.Generator().manual_seed(1))]
    table = bucket_batches(order, sizes, settings.batch_size, torch.Generator().manual_seed(2))
    batches = [batch_members(table, row).tolist() for row in range(len(table))]
    assert all(len({sizes[index] for index in batch}) == 1 for batch in batches)
    assert sorted(index for batch in batches for index in batch) == sorted(order.tolist())
    # 6, 4 and 2 images a bucket with the repeats: 3 + 2 + 1 batches.
    assert len(batches) == settings.steps_per_epoch([3, 2, 1]) == 6


def test_mixed_aspect_ratios_train_and_resume_to_the_uninterrupted_weights(
        tiny_model, tmp_path):
    images = tmp_path / "joy"
    images.mkdir()
    for name, size in (("tall", (64, 256)), ("wide", (192, 64)), ("square", (128, 128)),
                       ("tall too", (70, 260))):
        _banded(*size).save(images / f"{name}.png")
    whole, resumed = tmp_path / "whole.safetensors", tmp_path / "resumed.safetensors"

    def train(out, *options):
        return main(train_command(tiny_model, images, tiny_model.lora_dir, "--resolution",
                                  str(RESOLUTION), "--batch-size", "2", "--epochs", "2",
                                  "--max-steps", "5", "--no-manifest", "--out", str(out),
                                  *options))

    assert train(whole) == 0
    with safe_open(str(whole), "pt") as lora:
        metadata = lora.metadata()
    buckets = json.loads(metadata["ss_bucket_info"])["buckets"]
    assert sorted((tuple(bucket["resolution"]), bucket["count"]) for bucket in buckets.values()) \
        == [((64, 256), 2), ((128, 128), 1), ((192, 64), 1)]
    assert metadata["ss_num_batches_per_epoch"] == "3" and metadata["ss_steps"] == "5"
    with ctrl_c_at_step(2):
        assert train(resumed) == 130
    assert train(resumed, "--resume") == 0
    expected, got = load_file(str(whole)), load_file(str(resumed))
    assert all(expected[key].equal(got[key]) for key in expected)
