"""Test isolation: Qt offscreen, and every file ANIMO writes goes under a temp folder."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest


@pytest.fixture(autouse=True)
def isolated_user_folders(tmp_path, monkeypatch):
    """Settings, sessions and logs of each test live in its own temp folder."""
    monkeypatch.setenv("ANIMO_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("ANIMO_DATA_DIR", str(tmp_path / "data"))
    return tmp_path
