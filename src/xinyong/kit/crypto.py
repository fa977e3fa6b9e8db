"""Personal data at rest: AES-256-GCM encryption and a keyed hash for look-ups.

Ciphertexts start with a 4-byte key id, so several keys can be live while ``xinyong keys rotate``
re-encrypts. Look-ups never decrypt: they compare HMAC-SHA256 of the normalised value under an
index key derived (HKDF) from the secret key, which rotation of the data key does not change.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from typing import TYPE_CHECKING

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from xinyong.kit.errors import DomainError

if TYPE_CHECKING:
    from xinyong.config import Settings


class CryptoError(DomainError):
    code = "CRYPTO_ERROR"
    status = 500
    message = "个人信息解密失败：密钥缺失或数据损坏"


def _key_id(key: bytes) -> bytes:
    return hashlib.sha256(b"xinyong-key-id" + key).digest()[:4]


def decode_key(b64: str) -> bytes:
    key = base64.b64decode(b64)
    if len(key) != 32:
        raise DomainError("数据密钥必须是 32 字节（base64 编码）", code="CONFIG_BAD_DATA_KEY", status=500)
    return key


class PersonalDataCipher:
    def __init__(self, current_key: bytes, old_keys: list[bytes] | None = None, *, index_secret: str) -> None:
        self._current = current_key
        self._keys = {_key_id(k): k for k in [current_key, *(old_keys or [])]}
        self._index_key = hmac.new(index_secret.encode(), b"xinyong-personal-index", hashlib.sha256).digest()

    @property
    def current_key_id(self) -> bytes:
        return _key_id(self._current)

    def encrypt(self, plaintext: str) -> bytes:
        nonce = os.urandom(12)
        sealed = AESGCM(self._current).encrypt(nonce, plaintext.encode(), None)
        return self.current_key_id + nonce + sealed

    def decrypt(self, blob: bytes) -> str:
        key = self._keys.get(bytes(blob[:4]))
        if key is None:
            raise CryptoError()
        try:
            return AESGCM(key).decrypt(bytes(blob[4:16]), bytes(blob[16:]), None).decode()
        except Exception as exc:  # InvalidTag and friends
            raise CryptoError() from exc

    def needs_rotation(self, blob: bytes) -> bool:
        return bytes(blob[:4]) != self.current_key_id

    def index(self, normalised_value: str) -> str:
        """Keyed hash for finding a value without decrypting anything."""
        return hmac.new(self._index_key, normalised_value.encode(), hashlib.sha256).hexdigest()


def cipher_from_settings(settings: Settings | None = None) -> PersonalDataCipher:
    from xinyong.config import get_settings

    s = settings or get_settings()
    return PersonalDataCipher(
        decode_key(s.data_key), [decode_key(k) for k in s.data_keys_old], index_secret=s.effective_index_key
    )
