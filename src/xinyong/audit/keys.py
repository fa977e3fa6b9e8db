"""The chain key: what makes the audit trail and the query log impossible to rewrite from inside the
database. Every entry's hash is an HMAC-SHA256 under this key, and the key is never stored in the
database: it is derived (HMAC, own label) from the installation's personal-data index secret
(``Settings.effective_index_key``), the one configured secret that is never rotated — so whoever can
edit the tables but does not hold the configuration cannot recompute a single hash.

Entries carry the key's fingerprint (``key_id``, an HMAC of a fixed label, which reveals nothing of the
key), so that a chain checked under another key is reported as a configuration mismatch, not as
tampering.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from xinyong.config import get_settings

_LABEL = b"xinyong-audit-chain-v1"
_KEY_ID_LABEL = b"xinyong-audit-key-id"


def canonical_json(value: Any) -> str:
    """The one serialisation everything in the trail is hashed in: sorted keys, no spaces, UTF-8 text,
    dates and decimals as text."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str, separators=(",", ":"))


@dataclass(frozen=True)
class ChainKey:
    """An HMAC key for the chains, and its public fingerprint."""

    secret: bytes
    key_id: str

    def mac(self, content: Any) -> str:
        """HMAC-SHA256 (hex) of ``content`` in canonical JSON."""
        return hmac.new(self.secret, canonical_json(content).encode(), hashlib.sha256).hexdigest()

    def mac_text(self, text: str) -> str:
        return hmac.new(self.secret, text.encode(), hashlib.sha256).hexdigest()


def derive_key(secret_material: str) -> ChainKey:
    """The chain key belonging to a configured secret."""
    secret = hmac.new(secret_material.encode(), _LABEL, hashlib.sha256).digest()
    key_id = hmac.new(secret, _KEY_ID_LABEL, hashlib.sha256).hexdigest()[:16]
    return ChainKey(secret, key_id)


@lru_cache
def current_key() -> ChainKey:
    """The installation's chain key (from the settings every command and the web service read)."""
    return derive_key(get_settings().effective_index_key)
