"""Where the ComfyUI server is, and whether ANIMO may send it emotion words there.

Emotion words are health data: they travel in clear text only inside this computer (a
loopback address). Any other host needs TLS with certificate verification. Nothing is
resolved over the network to decide: a name other than `localhost` counts as remote,
since what a name resolves to can change between this check and the connection.
"""

from __future__ import annotations

import ipaddress
import logging
import ssl
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

log = logging.getLogger(__name__)

PLAIN_SCHEMES = ("http", "ws")
TLS_SCHEMES = ("https", "wss")
LOOPBACK_NAMES = ("localhost",)


class ServerAddressError(ValueError):
    """A server URL ANIMO refuses; the message says why, for the therapist."""


@dataclass(frozen=True)
class ServerAddress:
    http_url: str  # scheme, host, port and any proxy path prefix; no trailing slash
    websocket_url: str  # the same server through ws or wss
    host: str
    loopback: bool
    ca_file: Path | None = None  # a clinic's own certificate authority (TLS only)

    @property
    def uses_tls(self) -> bool:
        return self.http_url.startswith("https:")

    def endpoint(self, path: str) -> str:
        """The URL of one API route, e.g. endpoint("/prompt")."""
        return f"{self.http_url}/{path.lstrip('/')}"

    def websocket_endpoint(self, client_id: str) -> str:
        # ComfyUI sends a job's messages only to the socket of the client that queued it.
        return f"{self.websocket_url}/ws?clientId={client_id}"

    def ssl_context(self) -> ssl.SSLContext | None:
        """Certificate and host name verified, against the CA file when there is one;
        None for plain loopback."""
        if not self.uses_tls:
            return None
        return ssl.create_default_context(cafile=str(self.ca_file) if self.ca_file else None)


def is_loopback_host(host: str) -> bool:
    """A literal loopback address (127.0.0.0/8, ::1, also IPv4-mapped) or `localhost`."""
    if host.lower().rstrip(".") in LOOPBACK_NAMES:
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False  # any other name: remote, whatever it resolves to today
    mapped = getattr(address, "ipv4_mapped", None)
    return address.is_loopback or bool(mapped and mapped.is_loopback)


def parse_server_address(url: str, ca_file: str | Path | None = None) -> ServerAddress:
    """The address that `--server URL` names, or ServerAddressError saying why not."""
    text = url.strip()
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as error:
        raise ServerAddressError(f"the server URL {text!r} is not valid ({error})") from None
    scheme = parts.scheme.lower()
    if scheme not in PLAIN_SCHEMES and scheme not in TLS_SCHEMES:
        raise ServerAddressError(f"the server URL {text!r} must start with https:// (or "
                                 "http:// for a server on this computer)")
    if parts.username is not None or parts.password is not None:
        # Credentials in a URL end up in logs and shell histories.
        raise ServerAddressError("the server URL must not hold a user name or password; "
                                 "give the token with --server-token or ANIMO_SERVER_TOKEN")
    if parts.query or parts.fragment:
        raise ServerAddressError(f"the server URL {text!r} must not have a query or fragment")
    host = parts.hostname
    if not host:
        raise ServerAddressError(f"the server URL {text!r} names no host")
    loopback = is_loopback_host(host)
    if scheme in PLAIN_SCHEMES and not loopback:
        raise ServerAddressError(
            f"{scheme}:// sends emotion words unencrypted: it is allowed only to this computer "
            f"(127.0.0.1, ::1, localhost), not to {host}; use https:// with the server's "
            "certificate (or its CA file)")
    if ca_file is not None and not Path(ca_file).is_file():
        raise ServerAddressError(f"the CA file {ca_file} does not exist")
    tls = scheme in TLS_SCHEMES
    # Either scheme names the server: ANIMO talks to it both over HTTP and its websocket.
    http_scheme, websocket_scheme = ("https", "wss") if tls else ("http", "ws")
    netloc = f"[{host}]" if ":" in host else host
    if port is not None:
        netloc += f":{port}"
    path = parts.path.rstrip("/")
    address = ServerAddress(http_url=f"{http_scheme}://{netloc}{path}",
                            websocket_url=f"{websocket_scheme}://{netloc}{path}", host=host,
                            loopback=loopback, ca_file=Path(ca_file) if ca_file else None)
    log.info("ComfyUI server %s (%s)", address.http_url,
             "loopback" if loopback else "TLS, certificate verified")
    return address
