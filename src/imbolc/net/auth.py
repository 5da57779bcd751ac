"""Shared-secret authentication by HMAC challenge and response; the secret never travels.

Both sides prove they know the secret: the client sends a nonce in ``Hello``, the server
answers with its own nonce and an HMAC over both, and the client answers with an HMAC over
both nonces and its name. Different prefixes keep one side's proof from serving as the other's.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from pathlib import Path

from imbolc.net.codec import NetError

NONCE_BYTES = 32
_SERVER = b"imbolc/1 server proof\x00"
_CLIENT = b"imbolc/1 client proof\x00"


def new_nonce() -> bytes:
    """Fresh random bytes for one handshake."""
    return secrets.token_bytes(NONCE_BYTES)


def new_token() -> str:
    """A session token: 128 random bits, rotated at every (re)connection."""
    return secrets.token_hex(16)


def server_proof(secret: bytes, client_nonce: bytes, server_nonce: bytes) -> bytes:
    """What the server sends to show it knows the secret."""
    return hmac.new(secret, _SERVER + client_nonce + server_nonce, hashlib.sha256).digest()


def client_proof(secret: bytes, client_nonce: bytes, server_nonce: bytes, name: str) -> bytes:
    """What the client sends to show it knows the secret."""
    message = _CLIENT + server_nonce + client_nonce + name.encode()
    return hmac.new(secret, message, hashlib.sha256).digest()


def proofs_match(expected: bytes, received: bytes) -> bool:
    """Constant-time comparison of two proofs."""
    return hmac.compare_digest(expected, received)


def load_secret(path: str | Path) -> bytes:
    """The shared secret in a file (surrounding whitespace ignored); errors name the file."""
    file = Path(path)
    try:
        data = file.read_bytes().strip()
    except OSError as error:
        raise NetError(f"cannot read the secret file {file}: {error.strerror or error}") from None
    if not data:
        raise NetError(f"the secret file {file} is empty")
    return data
