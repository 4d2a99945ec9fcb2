"""The network side of a ComfyUI server: its HTTP API and its websocket, for one client id.

Every call has a timeout and every answer a size cap; TLS verifies the certificate
(against the address's CA file when it has one); the bearer token goes only into the
Authorization header, and nothing here logs a header. No proxy from the environment is
used: the address is where emotion words go, and nothing else (and ANIMO points the
proxy variables at nowhere for MediaPipe's sake: vision/opencv.py).
"""

from __future__ import annotations

import http.client
import json
import logging
import socket
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from websockets.exceptions import InvalidHandshake, WebSocketException
from websockets.sync.client import ClientConnection, connect

from animo_desktop.generation.comfyui.server_address import ServerAddress
from animo_desktop.generation.comfyui.server_inventory import (REQUIRED_NODES, ServerInventory,
                                                               parse_inventory)
from animo_desktop.generation.comfyui.server_token import BearerToken
from animo_desktop.generation.comfyui.queue_answer import (GraphRejected, QueuedPrompt,
                                                           parse_queue_answer)
from animo_desktop.generation.comfyui.websocket_messages import (MAX_IMAGE_FRAME_BYTES,
                                                                 MAX_TEXT_FRAME_CHARS)

log = logging.getLogger(__name__)
# websockets logs every handshake header at DEBUG, the Authorization header among them:
# its connections log to this logger, which never logs below WARNING.
_handshake_log = logging.getLogger(__name__ + ".websocket")
_handshake_log.setLevel(logging.WARNING)

REQUEST_TIMEOUT_S = 10.0
MAX_ANSWER_BYTES = 8 << 20  # /object_info of one node with a large LoRA folder: well under
# A frame larger than the largest image frame closes the socket (websockets' max_size).
MAX_WEBSOCKET_FRAME_BYTES = max(MAX_IMAGE_FRAME_BYTES, 4 * MAX_TEXT_FRAME_CHARS) + 8


class ServerUnreachable(ConnectionError):
    """The server did not answer (refused, timed out, TLS failed, connection lost), or
    answered what is not ComfyUI's API; the message says which, for the therapist."""


class UploadRefused(Exception):
    """The server answered an upload, but did not store the file as asked."""


@dataclass(frozen=True)
class HttpAnswer:
    status: int
    body: Any  # the JSON answer; None when empty


class ComfyUIClient:
    def __init__(self, address: ServerAddress, token: BearerToken | None, client_id: str,
                 timeout_s: float = REQUEST_TIMEOUT_S):
        self.address = address
        self.client_id = client_id
        self.timeout_s = timeout_s
        self._token = token
        parts = urlsplit(address.http_url)
        self._host, self._port, self._path_prefix = parts.hostname, parts.port, parts.path

    def read_inventory(self) -> ServerInventory:
        """What the server runs on and holds: /system_stats, and /object_info for each
        node of ANIMO's job graph (the whole /object_info is megabytes)."""
        system_stats = self._expect_ok("GET", "/system_stats")
        object_info: dict[str, Any] = {}
        for node in REQUIRED_NODES:
            answer = self._request("GET", f"/object_info/{node}")
            if answer.status == 200 and isinstance(answer.body, dict):
                object_info.update(answer.body)  # {} for a node the server lacks
        return parse_inventory(system_stats, object_info)

    def queue(self, nodes: dict[str, Any], prompt_id: str) -> QueuedPrompt | GraphRejected:
        answer = self._request("POST", "/prompt", {"prompt": nodes, "client_id": self.client_id,
                                                   "prompt_id": prompt_id})
        return parse_queue_answer(answer.status, answer.body)

    def interrupt(self, prompt_id: str) -> None:
        """Stop the prompt if it runs, and drop it from the queue if it waits there."""
        self._request("POST", "/interrupt", {"prompt_id": prompt_id})
        self._request("POST", "/queue", {"delete": [prompt_id]})

    def forget(self, prompt_ids: list[str], timeout_s: float | None = None) -> None:
        """Delete these prompts from the server's history: their prompts hold emotion words."""
        self._request("POST", "/history", {"delete": prompt_ids}, timeout_s=timeout_s)

    def upload_temp_image(self, name: str, png: bytes) -> str:
        """Put a PNG in the server's temp folder under `name`, replacing any file of that
        name; returns how a LoadImage node names it there."""
        boundary = uuid.uuid4().hex
        parts = [(f'name="image"; filename="{name}"\r\nContent-Type: image/png', png),
                 ('name="type"', b"temp"), ('name="overwrite"', b"true")]
        body = b"".join(f"--{boundary}\r\nContent-Disposition: form-data; {header}\r\n\r\n"
                        .encode() + value + b"\r\n" for header, value in parts)
        body += f"--{boundary}--\r\n".encode()
        answer = self._request("POST", "/upload/image", body,
                               f"multipart/form-data; boundary={boundary}")
        if answer.status != 200 or not isinstance(answer.body, dict) \
                or answer.body.get("name") != name:
            raise UploadRefused(f"the server did not take the palette image (HTTP "
                                f"{answer.status})")
        return f"{name} [temp]"

    def open_socket(self) -> ClientConnection:
        """The websocket on which the server sends this client id's messages."""
        try:
            return connect(self.address.websocket_endpoint(self.client_id),
                           ssl=self.address.ssl_context(), additional_headers=self._headers(),
                           proxy=None, open_timeout=self.timeout_s, close_timeout=1.0,
                           max_size=MAX_WEBSOCKET_FRAME_BYTES, logger=_handshake_log,
                           # The connection outlives any `with` block: it is kept for
                           # the session.
                           legacy=True)
        except (OSError, InvalidHandshake, WebSocketException, TimeoutError) as error:
            raise ServerUnreachable(f"the websocket of {self.address.http_url} did not open: "
                                    f"{_describe(error)}") from None

    def _expect_ok(self, method: str, path: str) -> Any:
        answer = self._request(method, path)
        if answer.status in (401, 403):  # the clinic's proxy, which checks the token
            raise ServerUnreachable(f"{self.address.http_url} refused ANIMO's token (HTTP "
                                    f"{answer.status}): check --server-token or "
                                    "ANIMO_SERVER_TOKEN")
        if answer.status != 200:
            raise ServerUnreachable(f"{self.address.http_url}{path} answered HTTP "
                                    f"{answer.status}: is it a ComfyUI server?")
        return answer.body

    def _request(self, method: str, path: str, body: Any = None,
                 content_type: str = "application/json",
                 timeout_s: float | None = None) -> HttpAnswer:
        """`body`: JSON, unless it is bytes already encoded as `content_type`;
        `timeout_s`: this call's, in place of the client's."""
        timeout_s = timeout_s or self.timeout_s
        headers = {"Accept": "application/json", **self._headers()}
        payload = None
        if body is not None:
            payload = body if isinstance(body, bytes) else json.dumps(body).encode()
            headers["Content-Type"] = content_type
        if self.address.uses_tls:
            connection: http.client.HTTPConnection = http.client.HTTPSConnection(
                self._host, self._port, timeout=timeout_s,
                context=self.address.ssl_context())
        else:
            connection = http.client.HTTPConnection(self._host, self._port, timeout=timeout_s)
        try:
            connection.request(method, self._path_prefix + path, payload, headers)
            response = connection.getresponse()
            data = response.read(MAX_ANSWER_BYTES + 1)
        except (OSError, http.client.HTTPException) as error:
            raise ServerUnreachable(f"{self.address.http_url} did not answer {method} {path}: "
                                    f"{_describe(error)}") from None
        finally:
            connection.close()
        if len(data) > MAX_ANSWER_BYTES:
            raise ServerUnreachable(f"{self.address.http_url}{path} answered more than "
                                    f"{MAX_ANSWER_BYTES} bytes")
        try:
            return HttpAnswer(response.status, json.loads(data) if data.strip() else None)
        except (ValueError, RecursionError):
            if response.status >= 400:  # a proxy's own error page, e.g. 401 or 502
                return HttpAnswer(response.status, None)
            raise ServerUnreachable(f"{self.address.http_url}{path} answered what is not "
                                    "JSON: is it a ComfyUI server?") from None

    def _headers(self) -> dict[str, str]:
        return self._token.authorization_header() if self._token else {}


def _describe(error: BaseException) -> str:
    if isinstance(error, (socket.timeout, TimeoutError)):
        return "timed out"
    return str(error) or type(error).__name__
