"""Faults of a real ComfyUI server: not there at start, stopped mid-job, back again, a
dropped websocket, a server too slow, one hung when ANIMO closes. The session goes on,
the painter filling in.

These tests stop and restart the session's server (on the same port): it is running
again when each one ends."""

from __future__ import annotations

import signal
import threading
import time

import pytest

from animo_desktop.emotions import Emotion
from animo_desktop.generation.comfyui.comfyui_backend import ComfyUIBackend, ServerTimeouts
from animo_desktop.generation.comfyui.server_address import parse_server_address
from tests.comfyui_server.conftest import only_loopback
from tests.comfyui_server.test_comfyui_backend import SETTINGS, make_backend, request

pytestmark = only_loopback

FAST_RETRIES_S = (0.2, 0.5)
RECONNECT_TIMEOUT_S = 120.0  # a restarted server on a busy 2-core machine


@pytest.fixture
def server(comfyui_server):
    """The session's server, running again after the test whatever it did to it."""
    yield comfyui_server
    if comfyui_server.process is None:
        comfyui_server.start()


def wait_until_connected(backend: ComfyUIBackend) -> None:
    deadline = time.monotonic() + RECONNECT_TIMEOUT_S
    while not backend.connected:
        assert time.monotonic() < deadline, "the backend did not reconnect"
        time.sleep(0.2)


def test_a_server_down_at_start_leaves_it_to_the_painter_until_it_answers(server, lora_dir):
    server.stop()
    backend = make_backend(server, lora_dir, retry_delays_s=FAST_RETRIES_S)
    try:
        assert any("cannot make artworks" in warning for warning in backend.warnings)
        painted = backend.generate(request(), lambda progress: True)
        assert painted.metadata.backend == "painter"
        assert backend.info.name == "comfyui" and "not answering" in backend.info.detail

        server.start()
        wait_until_connected(backend)
        artwork = backend.generate(request(job_id=2), lambda progress: True)
    finally:
        backend.close()

    assert artwork.metadata.backend == "comfyui"
    assert any("answers again" in notice for notice in artwork.metadata.extra["notices"])


def test_a_server_stopped_mid_job_is_painted_over_and_reconnected_when_back(server, lora_dir):
    backend = make_backend(server, lora_dir, retry_delays_s=FAST_RETRIES_S)
    try:
        def stop_at_first_step(progress):
            if server.process is not None:
                server.stop()
            return True

        painted = backend.generate(request(seed=41), stop_at_first_step)
        assert painted.metadata.backend == "painter"
        assert "lost mid-artwork" in painted.metadata.extra["notices"][0]

        server.start()
        wait_until_connected(backend)
        artwork = backend.generate(request(job_id=2, seed=42), lambda progress: True)
    finally:
        backend.close()
    assert artwork.metadata.backend == "comfyui"


def test_a_dropped_websocket_mid_job_is_reopened_and_the_job_made_again(server, lora_dir):
    backend = make_backend(server, lora_dir)
    dropped = threading.Event()
    try:
        def drop_the_socket_once(progress):
            if not dropped.is_set():
                dropped.set()
                backend._connection.socket.close()
            return True

        artwork = backend.generate(request(seed=51), drop_the_socket_once)
    finally:
        backend.close()

    assert dropped.is_set()
    assert artwork.metadata.backend == "comfyui" and "notices" not in artwork.metadata.extra


def test_a_server_too_slow_is_interrupted_and_painted_over(server, lora_dir):
    backend = ComfyUIBackend(parse_server_address(server.url), lora_dir=lora_dir,
                             settings=SETTINGS, timeouts=ServerTimeouts(job_s=0.05))
    try:
        artwork = backend.generate(request(emotion=Emotion.NEUTRAL, seed=61),
                                   lambda progress: True)
    finally:
        backend.close()

    assert artwork.metadata.backend == "painter"
    assert "did not finish the artwork within 0.05 s" in artwork.metadata.extra["notices"][0]


def test_malformed_messages_are_rejected_and_the_job_goes_on(server, lora_dir, monkeypatch,
                                                              caplog):
    backend = make_backend(server, lora_dir)
    socket = backend._connection.socket
    real_recv = socket.recv
    # Before the server's own messages: a text frame that is not JSON, one of a kind
    # ComfyUI never sends, a binary frame whose image is not one, one too short.
    injected = ["not json", '{"type": "shell", "data": {}}',
                b"\x00\x00\x00\x01\x00\x00\x00\x02not a png", b"\x00\x01"]
    monkeypatch.setattr(socket, "recv", lambda timeout=None: injected.pop(0) if injected
                        else real_recv(timeout=timeout))
    try:
        artwork = backend.generate(request(seed=81), lambda progress: True)
    finally:
        backend.close()

    assert artwork.metadata.backend == "comfyui" and "notices" not in artwork.metadata.extra
    rejected = [record for record in caplog.records if "rejected" in record.getMessage()]
    assert len(rejected) == 4


def test_a_stream_of_malformed_messages_counts_as_a_broken_connection(server, lora_dir,
                                                                     monkeypatch):
    backend = make_backend(server, lora_dir)
    monkeypatch.setattr(backend._connection.socket, "recv", lambda timeout=None: "not json")
    try:
        artwork = backend.generate(request(seed=82), lambda progress: True)
    finally:
        backend.close()

    # Made again on a fresh connection (whose socket is the real one).
    assert artwork.metadata.backend == "comfyui"


def test_closing_beside_a_hung_server_takes_seconds_not_the_request_timeout(server, lora_dir,
                                                                           caplog):
    backend = make_backend(server, lora_dir)
    backend.generate(request(seed=91), lambda progress: True)  # a prompt left to delete
    server.process.send_signal(signal.SIGSTOP)  # it accepts connections, answers nothing
    try:
        started = time.monotonic()
        backend.close()
        took = time.monotonic() - started
    finally:
        server.process.send_signal(signal.SIGCONT)

    # Before: the websocket's close wait and a whole request timeout (1 + 10 s).
    assert took < ServerTimeouts().request_s / 2, took
    assert any("stay in the history" in record.getMessage() for record in caplog.records)
