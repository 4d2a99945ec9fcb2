"""Choosing the comfyui backend: from the options or the settings, and refused with the
reason before anything connects (every socket is blocked here: a connection attempt
would fail the test)."""

from __future__ import annotations

import pytest

from animo_desktop.cli import main
from animo_desktop.generation.backend import create_backend, resolve_server
from animo_desktop.generation.comfyui.server_address import ServerAddressError


@pytest.mark.parametrize("url", ["http://192.168.1.20:8188", "ws://gpu.clinic.example",
                                 "http://10.0.0.5"])
def test_plain_http_to_another_computer_is_refused_without_connecting(url):
    with pytest.raises(ServerAddressError, match="unencrypted"):
        resolve_server(url)


def test_the_app_refuses_such_a_server_before_its_window_opens(capsys):
    assert main(["--backend", "comfyui", "--server", "http://192.168.1.20:8188",
                 "--source", "none", "--exit-after", "1"]) == 2
    error = capsys.readouterr().err
    assert "192.168.1.20" in error and "https://" in error


def test_the_comfyui_backend_needs_a_server(capsys):
    assert main(["--backend", "comfyui", "--source", "none", "--exit-after", "1"]) == 2
    assert "--server" in capsys.readouterr().err


def test_the_token_comes_from_the_option_else_the_setting_else_the_environment(monkeypatch):
    monkeypatch.setenv("ANIMO_SERVER_TOKEN", "from-env")
    _, token = resolve_server("https://gpu.clinic.example", token_setting="from-settings")
    assert token.authorization_header() == {"Authorization": "Bearer from-settings"}
    _, token = resolve_server("https://gpu.clinic.example", token="from-option",
                              token_setting="from-settings")
    assert token.authorization_header() == {"Authorization": "Bearer from-option"}
    _, token = resolve_server("https://gpu.clinic.example")
    assert token.authorization_header() == {"Authorization": "Bearer from-env"}


def test_a_token_that_would_split_the_header_is_refused():
    with pytest.raises(ServerAddressError, match="one word"):
        resolve_server("https://gpu.clinic.example", token="two words")


def test_no_server_no_backend_of_that_kind():
    backend, warnings = create_backend("comfyui")
    assert backend.info.name == "painter" and "--server" in warnings[0]
