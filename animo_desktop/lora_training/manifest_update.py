"""Pointing an emotion of the LoRA manifest (`emotions.toml`) at a newly trained file.

The manifest is the artist's or therapist's own file: tomlkit edits it in place, keeping
every comment, every other entry and the layout; only the emotion's `file` changes (and
its `trigger_words` are added when it had none, so that generation uses the words the
LoRA was trained with). Written atomically.
"""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

import tomlkit
from tomlkit.exceptions import TOMLKitError

from animo_desktop.emotions import Emotion
from animo_desktop.generation.lora_manifest import LoraManifest, load_manifest, manifest_file
from animo_desktop.storage import atomic_write_bytes

# The recipe's class prompt: the instance prompt (the emotion word) comes before it.
CLASS_PROMPT = "Artstyle"
NEW_MANIFEST_HEADER = ("ANIMO's emotion LoRAs (see animo_desktop/generation/lora_manifest.py), "
                       "written by `animo train-lora`.")


class ManifestUpdateError(Exception):
    """The manifest cannot be read as TOML or written; the message says which file."""


def trigger_words(manifest: LoraManifest, emotion: Emotion) -> tuple[str, ...]:
    """The words a LoRA is trained with, the default caption: the manifest's trigger words
    for the emotion (["Angry", "Artstyle"]), else its name and the class prompt."""
    return manifest.entry(emotion).trigger_words or (emotion.display_name, CLASS_PROMPT)


def point_emotion_at(location: Path, emotion: Emotion, lora_file: Path,
                     trigger_words: Sequence[str]) -> Path:
    """Set [emotions.<emotion>].file to lora_file in the manifest at location (created when
    there is none); return the manifest's path."""
    path = manifest_file(location)
    try:
        document = (tomlkit.parse(path.read_text(encoding="utf-8")) if path.is_file()
                    else _new_manifest())
    except (OSError, UnicodeDecodeError, TOMLKitError) as error:
        raise ManifestUpdateError(f"the LoRA manifest {path} cannot be read ({error})") from error
    manifest, _ = load_manifest(path) if path.is_file() else (None, [])
    folder = manifest.folder if manifest and manifest.folder else path.parent
    emotions = document.get("emotions")
    if emotions is None:
        emotions = document["emotions"] = tomlkit.table(is_super_table=True)
    if not isinstance(emotions, dict):
        raise ManifestUpdateError(f"the LoRA manifest {path}: [emotions] is not a table")
    table = emotions.get(emotion.value)
    if table is None:
        table = emotions[emotion.value] = tomlkit.table()
    if not isinstance(table, dict):
        raise ManifestUpdateError(f"the LoRA manifest {path}: [emotions.{emotion.value}] is "
                                  "not a table")
    table["file"] = _relative_or_absolute(lora_file, folder)
    if not table.get("trigger_words"):
        table["trigger_words"] = list(trigger_words)
    try:
        # The manifest is no secret: it keeps the usual file mode.
        atomic_write_bytes(path, tomlkit.dumps(document).encode("utf-8"), shared=True)
    except OSError as error:
        raise ManifestUpdateError(f"the LoRA manifest {path} cannot be written ({error})") \
            from error
    return path


def _new_manifest() -> tomlkit.TOMLDocument:
    document = tomlkit.document()
    document.add(tomlkit.comment(NEW_MANIFEST_HEADER))
    return document


def _relative_or_absolute(file: Path, folder: Path) -> str:
    """The file's name relative to the manifest's folder when it is inside it (the folder
    can then move), else its absolute path; forward slashes on every system."""
    file, folder = file.resolve(), folder.resolve()
    try:
        return file.relative_to(folder).as_posix()
    except ValueError:
        return file.as_posix()
