"""User settings persisted as JSON in the user's config folder.

A missing, corrupt or hand-edited file never stops the app: bad values fall back to
their defaults and each problem is reported as a warning.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import asdict, dataclass, fields
from datetime import datetime
from pathlib import Path
from typing import Any

from animo_desktop.composition import DEFAULT_BACKGROUND, CompositionMode
from animo_desktop.generation.backend import BACKEND_CHOICES
from animo_desktop.storage import atomic_write_json
from animo_desktop.vision.smoothing import SmoothingSettings

log = logging.getLogger(__name__)

SETTINGS_FILE_NAME = "settings.json"


@dataclass
class Settings:
    canvas_width: int = 720
    canvas_height: int = 985
    # The colour under the artworks, "#rrggbb"; a new session takes it and keeps it.
    canvas_background: str = DEFAULT_BACKGROUND
    cadence_seconds: float = 6.0
    composition: str = "collage"  # a CompositionMode value
    theme: str = "dark"  # "dark" or "light"
    # Installation mode: a small sign of the current emotion. Off by default: on a public
    # screen it would tell every passer-by what the client feels.
    installation_glyph: bool = False
    # Tell the client, before the camera starts, that emotion recognition runs here only
    # and that no image of the face is kept; an installation may turn this off.
    consent_notice: bool = True
    # How long a new emotion must lead the smoothed camera reading before ANIMO follows it:
    # shorter follows the client sooner, longer is steadier (vision/smoothing.py).
    emotion_dwell_seconds: float = SmoothingSettings.dwell_s
    # Generation: the model when --model is not given ("" = look in the usual places), the
    # emotion LoRAs' strength, the painter's palette as img2img start (0 = off), a
    # compiled UNet, and whether a new emotion stops the artwork in progress.
    model: str = ""
    lora_strength: float = 1.0
    palette_strength: float = 0.0
    compile_unet: bool = False
    interrupt_stale: bool = False
    # What makes the artworks (a BACKEND_CHOICES value; --backend wins), chosen in the
    # side panel too.
    backend: str = "auto"
    # A ComfyUI server that makes the artworks ("" = none; --server wins), the CA file of
    # its certificate, the token of its proxy (ANIMO_SERVER_TOKEN keeps it out of this
    # file), and its checkpoint ("" = the first it holds).
    server_url: str = ""
    server_ca_file: str = ""
    server_token: str = ""
    server_checkpoint: str = ""
    last_export_dir: str = ""
    window_geometry: str = ""  # Qt's saveGeometry(), base64

    def validated(self) -> tuple["Settings", list[str]]:
        """Return a copy with out-of-range values replaced by defaults, and the warnings."""
        defaults = Settings()
        warnings: list[str] = []
        values = asdict(self)
        for name, (low, high) in _RANGES.items():
            if not low <= values[name] <= high:
                warnings.append(f"setting {name}={values[name]!r} is outside {low}..{high}; "
                                f"using {getattr(defaults, name)!r}")
                values[name] = getattr(defaults, name)
        for name, choices in _CHOICES.items():
            if values[name] not in choices:
                warnings.append(f"setting {name}={values[name]!r} is not one of "
                                f"{', '.join(choices)}; using {getattr(defaults, name)!r}")
                values[name] = getattr(defaults, name)
        for name, (pattern, meaning) in _PATTERNS.items():
            if not re.fullmatch(pattern, values[name]):
                warnings.append(f"setting {name}={values[name]!r} is not {meaning}; "
                                f"using {getattr(defaults, name)!r}")
                values[name] = getattr(defaults, name)
        values["canvas_background"] = values["canvas_background"].lower()
        return Settings(**values), warnings


_RANGES: dict[str, tuple[float, float]] = {
    "canvas_width": (256, 8192),
    "canvas_height": (256, 8192),
    "cadence_seconds": (1.0, 600.0),
    "emotion_dwell_seconds": (0.2, 10.0),
    "lora_strength": (0.0, 1.5),
    "palette_strength": (0.0, 1.0),
}


_CHOICES: dict[str, tuple[str, ...]] = {
    "composition": tuple(mode.value for mode in CompositionMode),
    "theme": ("dark", "light"),
    "backend": BACKEND_CHOICES,
}


_PATTERNS: dict[str, tuple[str, str]] = {
    "canvas_background": (r"#[0-9a-fA-F]{6}", "a colour as #rrggbb"),
}


def load_settings(path: Path) -> tuple[Settings, list[str]]:
    """Read settings; return defaults plus warnings for anything unreadable.

    An unreadable file is moved aside, so that the defaults saved at quit do not destroy
    settings the user can still mend by hand.
    """
    if not path.exists():
        return Settings(), []
    try:
        # utf-8-sig: Windows Notepad starts the file with a byte order mark.
        raw = json.loads(path.read_text(encoding="utf-8-sig"))
    # ValueError: also a number of thousands of digits; RecursionError: nesting too deep.
    except (OSError, UnicodeDecodeError, ValueError, RecursionError) as error:
        return Settings(), [_set_aside(path, f"is unreadable ({error})")]
    if not isinstance(raw, dict):
        return Settings(), [_set_aside(path, "does not hold an object")]

    warnings: list[str] = []
    values: dict[str, Any] = {}
    for spec in fields(Settings):
        if spec.name not in raw:
            continue
        value = _coerce(raw[spec.name], type(getattr(Settings(), spec.name)))
        if value is None:
            warnings.append(f"setting {spec.name}={raw[spec.name]!r} has the wrong type; "
                            "using the default")
        else:
            values[spec.name] = value
    settings, range_warnings = Settings(**values).validated()
    return settings, warnings + range_warnings


def _set_aside(path: Path, problem: str) -> str:
    """Move an unusable settings file out of the defaults' way; return the warning."""
    kept = path.with_name(f"{path.name}.broken-{datetime.now():%Y%m%d-%H%M%S}")
    try:
        path.rename(kept)
    except OSError as error:
        return (f"settings file {path} {problem}; using defaults (it could not be moved "
                f"aside: {error})")
    return f"settings file {path} {problem}; using defaults, and the file is kept as {kept}"


def save_settings(path: Path, settings: Settings) -> None:
    atomic_write_json(path, asdict(settings))


def _coerce(value: Any, kind: type) -> Any:
    if kind is bool:
        return value if isinstance(value, bool) else None
    # bool is an int in Python: a JSON true must not become a canvas width of 1.
    if isinstance(value, bool):
        return None
    if kind is float and isinstance(value, (int, float)):
        return float(value)
    if kind is int and isinstance(value, int):
        return value
    if kind is str and isinstance(value, str) and _encodable(value):
        return value
    return None


def _encodable(text: str) -> bool:
    """False for a lone surrogate ("\\ud800" in the JSON): it could not be saved again."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
