"""The artist's image folder: images, their captions, and Kohya's folder conventions.

- A `.txt` file beside an image (same name) is its caption, as Kohya users expect; without
  one the image gets the default caption (the emotion's trigger words).
- A folder named `10_joy` repeats each of its images 10 times per epoch (Kohya's
  convention); the name after the count says which emotion it is.
- Sizes: every image goes to the aspect-ratio bucket nearest its own (buckets.py: 512 x
  512, 384 x 640, ... at 512), resized to cover it and centre-cropped of what is left
  over (a sliver, where a square crop would cut a tall painting's top and bottom). An image
  smaller than its bucket is enlarged, and the notices say which; one under a quarter of
  the resolution on its shorter side is refused.
- Colour: CMYK, greyscale, 16-bit and palette images become 8-bit RGB; transparency is
  laid on white (a transparent background reads as paper, not as black); the camera's
  EXIF orientation is applied (artworks photographed with a phone).
- A folder with any unreadable image is refused as a whole, with every problem listed, so
  that the artist fixes the folder once rather than training on part of it.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from animo_desktop.emotions import Emotion
from animo_desktop.lora_training.buckets import Size, bucket_sizes, nearest_bucket

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp", ".bmp", ".tif", ".tiff")
CAPTION_SUFFIX = ".txt"
# Kohya's "10_joy": the repeat count, an underscore, then the concept's name.
_KOHYA_FOLDER = re.compile(r"^(\d+)_(.+)$")
# Below a quarter of the training resolution an image carries too little to learn from.
SMALLEST_SHARE_OF_RESOLUTION = 4
_SIXTEEN_BIT_MODES = ("I;16", "I;16B", "I;16L", "I;16N", "I")
_PAPER_WHITE = (255, 255, 255)


class TrainingDataError(Exception):
    """Images that cannot be trained on; the message names every file concerned."""


@dataclass(frozen=True)
class TrainingImage:
    path: Path
    caption: str
    pixels: Image.Image  # RGB, at its bucket's size


@dataclass(frozen=True)
class ImageFolder:
    folder: Path
    name: str  # the folder's name without Kohya's repeat count ("10_joy" -> "joy")
    repeats: int | None  # Kohya's repeat count from the folder's name, None without one
    images: tuple[TrainingImage, ...]
    notices: tuple[str, ...]  # what was done that the artist should know (enlargements)


def kohya_folder_name(name: str) -> tuple[int | None, str]:
    """(repeats, concept) of a Kohya folder name: "10_joy" -> (10, "joy"), "joy" -> (None,
    "joy")."""
    match = _KOHYA_FOLDER.match(name)
    if match and int(match.group(1)) > 0:
        return int(match.group(1)), match.group(2)
    return None, name


def emotion_folders(root: Path) -> list[tuple[Emotion, Path]]:
    """The emotion subfolders of root ("joy", "10_anger", "5_happy"), in catalogue order;
    TrainingDataError when there is none or two name the same emotion."""
    if not root.is_dir():
        raise TrainingDataError(f"{root} is not a folder")
    found: dict[Emotion, Path] = {}
    for folder in sorted(path for path in root.iterdir() if path.is_dir()):
        try:
            emotion = Emotion.parse(kohya_folder_name(folder.name)[1])
        except ValueError:
            continue
        if emotion in found:
            raise TrainingDataError(f"{found[emotion].name} and {folder.name} in {root} are "
                                    f"both {emotion.value}: keep one folder per emotion")
        found[emotion] = folder
    if not found:
        raise TrainingDataError(f"{root} has no emotion subfolder (joy, sadness, fear, anger, "
                                "surprise, disgust, neutral; Kohya's 10_joy too)")
    return sorted(found.items(), key=lambda item: list(Emotion).index(item[0]))


def read_image_folder(folder: Path, default_caption: str, resolution: int) -> ImageFolder:
    """Every image of folder (not its subfolders), captioned and at the training size."""
    repeats, name = kohya_folder_name(folder.name)
    files = image_files(folder)
    buckets = bucket_sizes(resolution)
    images, problems, notices = [], [], []
    for path in files:
        try:
            pixels, enlarged_from = _bucketed_pixels(path, resolution, buckets)
            caption = _caption(path, default_caption)
        except TrainingDataError as error:
            problems.append(str(error))
            continue
        if enlarged_from:
            notices.append(f"{path.name} is only {enlarged_from[0]} x {enlarged_from[1]} "
                           f"pixels: enlarged to {pixels.width} x {pixels.height}")
        images.append(TrainingImage(path, caption, pixels))
    if problems:
        raise TrainingDataError(f"{len(problems)} of the {len(files)} images in {folder} "
                                "cannot be used (nothing was trained):\n  " +
                                "\n  ".join(problems))
    return ImageFolder(folder, name, repeats, tuple(images), tuple(notices))


def image_files(folder: Path) -> list[Path]:
    """The image files of folder (not its subfolders), by name, without opening them;
    TrainingDataError when it is no folder or holds none."""
    if not folder.is_dir():
        raise TrainingDataError(f"{folder} is not a folder")
    # Hidden files are the file manager's (".DS_Store", macOS's "._joy.png"), not artworks.
    files = sorted(path for path in folder.iterdir()
                   if path.is_file() and not path.name.startswith(".")
                   and path.suffix.lower() in IMAGE_SUFFIXES)
    if not files:
        subfolders = sorted(path.name for path in folder.iterdir() if path.is_dir())
        hint = (f"; it has subfolders ({', '.join(subfolders)}): for one LoRA per emotion "
                "subfolder use --all") if subfolders else ""
        raise TrainingDataError(f"{folder} holds no images ({', '.join(IMAGE_SUFFIXES)}){hint}")
    return files


def _caption(path: Path, default_caption: str) -> str:
    caption_file = path.with_suffix(CAPTION_SUFFIX)
    if not caption_file.is_file():
        return default_caption
    try:
        # utf-8-sig: Windows' Notepad may start the file with a byte-order mark.
        text = caption_file.read_text(encoding="utf-8-sig").strip()
    except (OSError, UnicodeDecodeError) as error:
        raise TrainingDataError(f"{caption_file.name}: the caption cannot be read as UTF-8 "
                                f"text ({error})") from error
    return " ".join(text.split()) or default_caption


def _bucketed_pixels(path: Path, resolution: int, buckets: Sequence[Size]
                     ) -> tuple[Image.Image, tuple[int, int] | None]:
    """The image as RGB at its bucket's size, resized to cover it and centre-cropped; with
    the original size when it had to be enlarged."""
    try:
        with warnings.catch_warnings():
            # A huge scan is fine below Pillow's hard limit (DecompressionBombError).
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(path) as opened:
                opened.load()  # decodes now: a truncated file fails here, named
                image = _as_rgb(ImageOps.exif_transpose(opened))
    except UnidentifiedImageError:
        raise TrainingDataError(f"{path.name} is not an image (or not in a format Pillow "
                                "reads)") from None
    except Image.DecompressionBombError as error:
        raise TrainingDataError(f"{path.name} is too large to open ({error})") from None
    # Pillow's decoders raise many types on a damaged file (OSError, SyntaxError,
    # ValueError, struct.error, ...): each means a damaged or truncated image.
    except Exception as error:
        raise TrainingDataError(f"{path.name} is damaged or cut short ({error})") from None
    width, height = image.size
    smallest = max(1, resolution // SMALLEST_SHARE_OF_RESOLUTION)
    if min(width, height) < smallest:
        raise TrainingDataError(f"{path.name} is only {width} x {height} pixels: too small to "
                                f"train at {resolution} px (at least {smallest} pixels on its "
                                "shorter side)")
    bucket_width, bucket_height = nearest_bucket(width, height, buckets)
    scale = max(bucket_width / width, bucket_height / height)
    # The crop box in the original's pixels: the bucket's shape, as large as it fits.
    crop_width, crop_height = bucket_width / scale, bucket_height / scale
    left, top = (width - crop_width) / 2, (height - crop_height) / 2
    bucketed = image.resize((bucket_width, bucket_height), Image.Resampling.LANCZOS,
                            box=(left, top, left + crop_width, top + crop_height))
    return bucketed, (width, height) if scale > 1 else None


def _as_rgb(image: Image.Image) -> Image.Image:
    if image.mode in _SIXTEEN_BIT_MODES:
        # Pillow's own conversion clips 16-bit values at 255 (a white image): scale instead.
        eight_bit = np.clip(np.asarray(image, dtype=np.float64) / 257.0, 0, 255).round()
        return Image.fromarray(eight_bit.astype(np.uint8), "L").convert("RGB")
    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        rgba = image.convert("RGBA")
        paper = Image.new("RGBA", rgba.size, _PAPER_WHITE + (255,))
        return Image.alpha_composite(paper, rgba).convert("RGB")
    return image.convert("RGB")
