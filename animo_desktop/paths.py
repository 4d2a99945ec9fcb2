"""Where ANIMO keeps its files: settings, sessions, logs, exports.

Environment variables override the platform folders so tests and installations can
isolate a run (ANIMO_CONFIG_DIR, ANIMO_DATA_DIR).
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "animo"


def config_dir() -> Path:
    return Path(os.environ.get("ANIMO_CONFIG_DIR") or platformdirs.user_config_dir(APP_NAME))


def data_dir() -> Path:
    return Path(os.environ.get("ANIMO_DATA_DIR") or platformdirs.user_data_dir(APP_NAME))


def sessions_dir() -> Path:
    return data_dir() / "sessions"


def log_dir() -> Path:
    return data_dir() / "logs"


def default_export_dir() -> Path:
    pictures = Path(platformdirs.user_pictures_dir())
    return pictures if pictures.is_dir() else Path.home()
