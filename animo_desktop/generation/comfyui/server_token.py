"""The bearer token for the reverse proxy that guards a shared ComfyUI server.

ComfyUI has no authentication of its own; a clinic puts a TLS proxy that checks a token
in front of it. The token is a secret: no repr, str or log line shows it, and only
authorization_header hands it out, for a request.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping

log = logging.getLogger(__name__)

TOKEN_VARIABLE = "ANIMO_SERVER_TOKEN"
_HIDDEN = "BearerToken(<hidden>)"


class BearerToken:
    __slots__ = ("_secret",)

    def __init__(self, secret: str):
        secret = secret.strip()
        # Whitespace or control characters would split or forge the HTTP header.
        if not secret or not secret.isprintable() or any(char.isspace() for char in secret):
            raise ValueError("the server token must be one word of printable characters")
        self._secret = secret

    def authorization_header(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self._secret}"}

    def __repr__(self) -> str:
        return _HIDDEN

    __str__ = __repr__

    def __reduce__(self):
        # Pickling would write the secret into whatever file or queue takes the pickle.
        raise TypeError("a BearerToken cannot be pickled")


def resolve_token(argument: str | None = None, setting: str | None = None,
                  environ: Mapping[str, str] = os.environ) -> BearerToken | None:
    """The token from --server-token, else the settings, else ANIMO_SERVER_TOKEN; None
    when none is given (a server on this computer needs none)."""
    for source, value in (("--server-token", argument), ("the settings", setting),
                          (TOKEN_VARIABLE, environ.get(TOKEN_VARIABLE))):
        if value and value.strip():
            token = BearerToken(value)
            log.info("server token from %s: %r", source, token)
            return token
    return None
