"""One log for the app: the console and a rotating file in the user's data folder."""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"


def configure_logging(log_folder: Path | None, verbose: bool = False) -> Path | None:
    """Log to stderr, and to `animo.log` in log_folder when it can be written."""
    root = logging.getLogger()
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    console = logging.StreamHandler()
    console.setFormatter(logging.Formatter(FORMAT))
    console.setLevel(logging.DEBUG if verbose else logging.WARNING)
    root.addHandler(console)
    if log_folder is None:
        return None
    try:
        log_folder.mkdir(parents=True, exist_ok=True)
        file_handler = logging.handlers.RotatingFileHandler(
            log_folder / "animo.log", maxBytes=2_000_000, backupCount=3, encoding="utf-8")
    except OSError as error:
        logging.getLogger(__name__).warning("no log file in %s: %s", log_folder, error)
        return None
    file_handler.setFormatter(logging.Formatter(FORMAT))
    root.addHandler(file_handler)
    return log_folder / "animo.log"
