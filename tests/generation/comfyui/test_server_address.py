import pickle
import ssl

import pytest

from animo_desktop.generation.comfyui.server_address import (ServerAddressError,
                                                             is_loopback_host,
                                                             parse_server_address)
from animo_desktop.generation.comfyui.server_token import (TOKEN_VARIABLE, BearerToken,
                                                           resolve_token)


@pytest.mark.parametrize("url", ["http://127.0.0.1:8188", "ws://127.3.2.1:8188/",
                                 "http://[::1]:8188", "http://localhost:8188",
                                 "http://LOCALHOST.", "http://[::ffff:127.0.0.1]:80"])
def test_plain_http_is_allowed_to_a_loopback_address(url):
    address = parse_server_address(url)
    assert address.loopback and not address.uses_tls
    assert address.http_url.startswith("http://") and address.ssl_context() is None
    assert address.websocket_url.startswith("ws://")


@pytest.mark.parametrize("url", ["http://192.168.1.20:8188", "ws://gpu.clinic.local",
                                 "http://localhost.evil.example", "http://127.0.0.1.nip.io",
                                 "http://[::2]", "http://0.0.0.0:8188"])
def test_plain_http_to_any_other_host_is_refused_saying_why(url):
    with pytest.raises(ServerAddressError, match="unencrypted.*https://"):
        parse_server_address(url)


def test_a_remote_host_over_tls_verifies_its_certificate_and_host_name():
    address = parse_server_address("wss://GPU.clinic.example:8443/comfy/")
    assert not address.loopback and address.uses_tls
    assert address.http_url == "https://gpu.clinic.example:8443/comfy"
    assert address.endpoint("/prompt") == "https://gpu.clinic.example:8443/comfy/prompt"
    assert address.websocket_endpoint("room-1") == \
        "wss://gpu.clinic.example:8443/comfy/ws?clientId=room-1"
    context = address.ssl_context()
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname


def test_an_ipv6_host_keeps_its_brackets():
    assert parse_server_address("https://[2001:db8::5]:8188").http_url == \
        "https://[2001:db8::5]:8188"


def test_a_ca_file_must_exist(tmp_path):
    with pytest.raises(ServerAddressError, match="CA file"):
        parse_server_address("https://gpu.clinic.example", ca_file=tmp_path / "none.pem")
    ca = tmp_path / "clinic-ca.pem"
    ca.write_text("")
    assert parse_server_address("https://gpu.clinic.example", ca_file=ca).ca_file == ca


@pytest.mark.parametrize("url, reason", [
    ("ftp://127.0.0.1", "must start with https://"),
    ("127.0.0.1:8188", "must start with https://"),
    ("https://user:secret@gpu.clinic.example", "user name or password"),
    ("https://gpu.clinic.example/?token=x", "query"),
    ("https://:8188", "no host"),
    ("https://gpu.clinic.example:99999", "not valid"),
])
def test_malformed_urls_are_refused_saying_why(url, reason):
    with pytest.raises(ServerAddressError, match=reason):
        parse_server_address(url)


def test_only_literal_loopback_addresses_and_localhost_count_as_loopback():
    assert is_loopback_host("127.255.0.1") and is_loopback_host("::1")
    assert not is_loopback_host("128.0.0.1") and not is_loopback_host("my-laptop")


def test_the_token_comes_from_the_argument_then_the_settings_then_the_environment():
    environ = {TOKEN_VARIABLE: "from-env"}
    assert resolve_token("from-arg", "from-set", environ).authorization_header() == \
        {"Authorization": "Bearer from-arg"}
    assert resolve_token(None, "from-set", environ).authorization_header() == \
        {"Authorization": "Bearer from-set"}
    assert resolve_token(" ", "", environ).authorization_header() == \
        {"Authorization": "Bearer from-env"}
    assert resolve_token(None, None, {}) is None


@pytest.mark.parametrize("secret", ["", "two words", "line\r\nX-Injected: 1", "ta\tb"])
def test_a_token_that_would_break_the_header_is_refused(secret):
    with pytest.raises(ValueError, match="one word"):
        BearerToken(secret)


def test_the_token_never_shows_in_reprs_strings_logs_or_pickles(caplog):
    secret = "s3cr3t-Token-value"
    caplog.set_level("DEBUG")
    token = resolve_token(secret, environ={})
    parse_server_address("https://gpu.clinic.example")
    for shown in (repr(token), str(token), f"{token}", repr([token])):
        assert secret not in shown
    assert caplog.records and all(secret not in record.getMessage()
                                  for record in caplog.records)
    with pytest.raises(TypeError):
        pickle.dumps(token)
    assert secret in token.authorization_header()["Authorization"]
