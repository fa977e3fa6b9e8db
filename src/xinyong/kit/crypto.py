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
from collections.abc import Collection, Mapping
from typing import Any

import polars as pl
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from xinyong.kit import ids
from xinyong.kit.errors import DomainError, InvalidInput


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


# --- the one rule for personal data inside stored JSON data ------------------------------------------

ENC_PREFIX = "enc:"


def is_phone_field(field_name: str) -> bool:
    """The catalog has no phone type yet; phone fields are named ``phone`` or ``*_phone``."""
    return field_name == "phone" or field_name.endswith("_phone")


def mask_field_value(field_name: str, value: str, *, is_ric: bool) -> str:
    """A field's value fit to show: a citizen ID field as 3209**********9918, a phone field as
    138****5678, any other text with the IDs and mobile numbers it quotes masked."""
    if is_ric:
        return ids.mask_ric(value)
    if is_phone_field(field_name):
        return ids.mask_phone(value)
    return ids.mask_personal_text(value)


def must_seal(value: Any) -> bool:
    """Whether a stored string must be encrypted whole: it quotes something that looks like a citizen ID or
    a mobile number (:func:`ids.contains_personal`), or it begins with ``enc:`` itself (so that every
    ``enc:`` string in the database is a ciphertext)."""
    return isinstance(value, str) and (value.startswith(ENC_PREFIX) or ids.contains_personal(value))


def seal(cipher: PersonalDataCipher, text: str) -> str:
    return ENC_PREFIX + base64.b64encode(cipher.encrypt(text)).decode()


def unseal(cipher: PersonalDataCipher, value: str) -> str:
    """The plaintext of an ``enc:`` value (:class:`CryptoError` when no key opens it)."""
    try:
        blob = base64.b64decode(value[len(ENC_PREFIX) :], validate=True)
    except ValueError as exc:
        raise CryptoError() from exc
    return cipher.decrypt(blob)


def _cipher_required() -> DomainError:
    return InvalidInput("记录含身份证号码或手机号码，需要个人信息密钥才能保存", code="RECORD_CIPHER_REQUIRED")


def seal_values(
    data: Mapping[str, Any],
    cipher: PersonalDataCipher | None,
    *,
    always: Collection[str] = (),
    skip: Collection[str] = (),
) -> dict[str, Any]:
    """``data`` as it may be stored: each string value that :func:`must_seal`, and each non-empty value of
    a field in ``always`` (ID and phone fields), encrypted whole as ``enc:`` + base64. Fields in ``skip``
    (already masked ones) are left alone."""
    out = dict(data)
    for name, value in data.items():
        if name in skip or value is None or value == "":
            continue
        if name in always or must_seal(value):
            if cipher is None:
                raise _cipher_required()
            out[name] = seal(cipher, str(value))
    return out


def seal_frame(
    frame: pl.DataFrame,
    columns: Collection[str],
    cipher: PersonalDataCipher | None,
    *,
    always: Collection[str] = (),
) -> pl.DataFrame:
    """Vectorised twin of :func:`seal_values` over ``columns`` of ``frame``: a regex finds the few cells
    that must be sealed, and only those are encrypted."""
    outs = []
    for name in columns:
        if name not in frame.columns:
            continue
        column = frame[name]
        if name in always:
            hit = column.is_not_null() & (column.cast(pl.String) != "")
        elif column.dtype == pl.String:
            hit = (
                frame.select(
                    pl.col(name).str.starts_with(ENC_PREFIX) | ids.contains_personal_expr(pl.col(name))
                )
                .to_series()
                .fill_null(False)
            )
        else:
            continue
        rows = hit.arg_true()
        if rows.len() == 0:
            continue
        if cipher is None:
            raise _cipher_required()
        texts = column.cast(pl.String).gather(rows).to_list()
        sealed = column.cast(pl.String).clone()
        sealed.scatter(rows, [seal(cipher, t) for t in texts])
        outs.append(sealed.alias(name))
    return frame.with_columns(outs) if outs else frame


def unseal_values(data: Mapping[str, Any], cipher: PersonalDataCipher | None) -> dict[str, Any]:
    """``data`` with every ``enc:`` value decrypted (for comparing stored data with new values, or for
    resubmission; never for display: readers mask, see ``files.service.masked_data``). Without a
    cipher, sealed values are left as they are."""
    if cipher is None:
        return dict(data)
    return {
        k: unseal(cipher, v) if isinstance(v, str) and v.startswith(ENC_PREFIX) else v
        for k, v in data.items()
    }
