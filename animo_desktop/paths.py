"""Where ANIMO keeps its files: settings, sessions, logs, exports.

Environment variables override the platform folders so tests and installations can
isolate a run (ANIMO_CONFIG_DIR, ANIMO_DATA_DIR).
"""

from __future__ import annotations

import contextlib
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
    """Where a canvas goes until the therapist picks a folder: the platform's pictures
    folder, else its documents folder (created if need be), never the bare home folder."""
    pictures = Path(platformdirs.user_pictures_dir())
    if pictures.is_dir():
        return pictures
    documents = Path(platformdirs.user_documents_dir())
    # Not creatable (a read-only home): the export itself then says why it failed.
    with contextlib.suppress(OSError):
        documents.mkdir(parents=True, exist_ok=True)
    return documents
