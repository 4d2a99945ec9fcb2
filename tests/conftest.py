"""Test isolation: Qt offscreen, every file ANIMO writes goes under a temp folder, no
socket at all (pytest-socket, configured in pyproject.toml), and hypothesis deterministic
and without an example database in the repository."""

import os
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from hypothesis import settings
from hypothesis.configuration import set_hypothesis_home_dir

settings.register_profile("animo", database=None, derandomize=True, deadline=None,
                          max_examples=60)
settings.load_profile("animo")
# Hypothesis caches what it reads from the source (already while collecting): in the temp
# folder, not in the working tree.
set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "animo-hypothesis")


@pytest.fixture(autouse=True)
def isolated_user_folders(tmp_path, monkeypatch):
    """Settings, sessions and logs of each test live in its own temp folder."""
    monkeypatch.setenv("ANIMO_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("ANIMO_DATA_DIR", str(tmp_path / "data"))
    return tmp_path
