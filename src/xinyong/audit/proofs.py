"""Proof codes (验证码) of stored answers: a screening today, a credit report tomorrow.

A proof code is a short, typeable keyed MAC over what was stored: HMAC-SHA256 under the proof key of the
canonical JSON (``audit.keys.canonical_json``) of the answer's kind, its number and its content, written
as 20 base32 characters in four groups (``ABCDE-FGHIJ-KLMNO-PQRST``, 100 bits). Whoever holds a number
and its code can ask the platform to recompute the code over the stored content: a single changed
character of the content gives another code.

The proof key is never stored: like the chain key (``audit.keys``) it is derived (HMAC, its own label)
from the installation's ``effective_index_key``, so whoever can edit the tables but does not hold the
configuration cannot forge a code.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from functools import lru_cache
from typing import Any, Final

from xinyong.audit.keys import canonical_json
from xinyong.config import get_settings

_LABEL: Final = b"xinyong-proof-code-v1"
#: How many base32 characters a code has, and how they are grouped for reading aloud.
CODE_CHARS: Final = 20
GROUP: Final = 5


def derive_proof_key(secret_material: str) -> bytes:
    """The proof key belonging to a configured secret."""
    return hmac.new(secret_material.encode(), _LABEL, hashlib.sha256).digest()


@lru_cache
def current_proof_key() -> bytes:
    """The installation's proof key."""
    return derive_proof_key(get_settings().effective_index_key)


def _digest(kind: str, number: str, content: Any, key: bytes) -> str:
    message = canonical_json({"kind": kind, "number": number, "content": content}).encode()
    mac = hmac.new(key, message, hashlib.sha256).digest()
    return base64.b32encode(mac).decode()[:CODE_CHARS]


def _grouped(chars: str) -> str:
    return "-".join(chars[i : i + GROUP] for i in range(0, len(chars), GROUP))


def normalise(code: str) -> str:
    """A code as typed (lower case, spaces, hyphens) as its 20 characters."""
    return "".join(ch for ch in code.upper() if ch.isalnum())


def sign(kind: str, number: str, content: Any, *, key: bytes | None = None) -> str:
    """The proof code of ``content`` stored as ``kind`` (e.g. ``screening``) under ``number``."""
    return _grouped(_digest(kind, number, content, key or current_proof_key()))


def verify(kind: str, number: str, content: Any, code: str, *, key: bytes | None = None) -> bool:
    """Whether ``code`` is the proof code of this content (constant-time comparison)."""
    expected = _digest(kind, number, content, key or current_proof_key())
    return hmac.compare_digest(expected.encode(), normalise(code).encode())
