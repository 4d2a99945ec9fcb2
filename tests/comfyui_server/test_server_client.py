"""The client's requests as a server sees them: the bearer token in every request's
Authorization header (websocket handshake included), and never in the log. A tiny
loopback HTTP handler stands in for the clinic's proxy."""

from __future__ import annotations

import http.server
import logging
import threading

import pytest

from animo_desktop.generation.comfyui.server_address import parse_server_address
from animo_desktop.generation.comfyui.server_client import ComfyUIClient, ServerUnreachable
from animo_desktop.generation.comfyui.server_token import BearerToken
from tests.comfyui_server.conftest import only_loopback

pytestmark = only_loopback

SECRET = "clinic-proxy-token-42"


class RecordingProxy(http.server.ThreadingHTTPServer):
    """Answers every request 401, as a proxy does without the right token, and keeps the
    headers it was sent."""

    def __init__(self):
        self.headers_seen: list[dict[str, str]] = []
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                proxy.headers_seen.append(dict(self.headers))
                self.send_response(401)
                self.send_header("Content-Length", "0")
                self.end_headers()

            do_POST = do_GET

            def log_message(self, *args):
                pass

        super().__init__(("127.0.0.1", 0), Handler)


@pytest.fixture
def proxy():
    server = RecordingProxy()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_the_token_goes_in_each_request_and_the_handshake_never_in_the_log(proxy, caplog):
    caplog.set_level(logging.DEBUG)
    client = ComfyUIClient(parse_server_address(f"http://127.0.0.1:{proxy.server_port}"),
                           BearerToken(SECRET), client_id="room-1", timeout_s=5)

    with pytest.raises(ServerUnreachable, match=r"refused ANIMO's token \(HTTP 401\)"):
        client.read_inventory()
    client.interrupt("some-prompt")
    with pytest.raises(ServerUnreachable, match="websocket"):
        client.open_socket()

    assert len(proxy.headers_seen) == 4  # /system_stats, /interrupt, /queue, /ws
    assert all(headers.get("Authorization") == f"Bearer {SECRET}"
               for headers in proxy.headers_seen)
    assert proxy.headers_seen[-1].get("Upgrade", "").lower() == "websocket"
    assert caplog.records and SECRET not in caplog.text


def test_without_a_token_no_authorization_header_is_sent(proxy):
    client = ComfyUIClient(parse_server_address(f"http://127.0.0.1:{proxy.server_port}"),
                           None, client_id="room-1", timeout_s=5)
    with pytest.raises(ServerUnreachable):
        client.read_inventory()
    assert "Authorization" not in proxy.headers_seen[0]


def test_a_server_that_does_not_answer_in_time_is_unreachable():
    import socket

    listening = socket.socket()  # accepts connections (the backlog) but never answers
    listening.bind(("127.0.0.1", 0))
    listening.listen(4)
    try:
        client = ComfyUIClient(parse_server_address(
            f"http://127.0.0.1:{listening.getsockname()[1]}"), None, "room-1", timeout_s=0.5)
        with pytest.raises(ServerUnreachable, match="timed out"):
            client.read_inventory()
    finally:
        listening.close()


def test_a_backend_whose_server_is_not_there_paints_and_keeps_trying(tmp_path):
    from animo_desktop.emotions import Emotion
    from animo_desktop.generation.comfyui.comfyui_backend import ComfyUIBackend
    from animo_desktop.messages import GenerationRequest
    from tests.comfyui_server.conftest import free_loopback_port

    backend = ComfyUIBackend(parse_server_address(f"http://127.0.0.1:{free_loopback_port()}"),
                             lora_dir=tmp_path, retry_delays_s=(0.05,))
    try:
        artwork = backend.generate(GenerationRequest(1, Emotion.SADNESS, seed=5),
                                   lambda progress: True)
        assert artwork.metadata.backend == "painter" and artwork.image.size[0] > 0
        assert "cannot make artworks" in backend.warnings[-1]
        assert "refused" in backend.warnings[-1].lower()
        assert backend._retrying.is_alive()
    finally:
        backend.close()
    backend._retrying.join(5)
    assert not backend._retrying.is_alive()  # close() stops the retries


@pytest.fixture
def tls_proxy(tmp_path):
    """The recording proxy behind TLS, its certificate self-signed for 127.0.0.1."""
    import shutil
    import ssl
    import subprocess

    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed: no certificate to test TLS with")
    certificate, key = tmp_path / "server.pem", tmp_path / "server.key"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", str(key), "-out", str(certificate)],
                   check=True, capture_output=True)
    server = RecordingProxy()
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(certificate, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server, certificate
    server.shutdown()
    server.server_close()


def test_tls_verifies_the_certificate_against_the_ca_file(tls_proxy):
    server, certificate = tls_proxy
    url = f"https://127.0.0.1:{server.server_port}"

    trusting = ComfyUIClient(parse_server_address(url, ca_file=certificate),
                             BearerToken(SECRET), "room-1", timeout_s=5)
    with pytest.raises(ServerUnreachable, match="refused ANIMO's token"):
        trusting.read_inventory()  # the TLS handshake passed: the proxy answered
    with pytest.raises(ServerUnreachable, match="websocket"):
        trusting.open_socket()
    assert [headers.get("Authorization") for headers in server.headers_seen] == \
        [f"Bearer {SECRET}"] * 2

    unverified = ComfyUIClient(parse_server_address(url), BearerToken(SECRET), "room-1",
                               timeout_s=5)
    with pytest.raises(ServerUnreachable, match="CERTIFICATE_VERIFY_FAILED"):
        unverified.read_inventory()
    with pytest.raises(ServerUnreachable, match="CERTIFICATE_VERIFY_FAILED"):
        unverified.open_socket()
    assert len(server.headers_seen) == 2  # nothing, the token least of all, reached it
