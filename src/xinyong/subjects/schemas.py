"""A credit subject as callers see it: personal data masked, natural persons kept off the public portal.

Used by the public search here and by every view of a credit file (``xinyong.files``).
"""

from __future__ import annotations

from collections.abc import Callable

from pydantic import BaseModel

from xinyong.kit import ids
from xinyong.kit.crypto import CryptoError, PersonalDataCipher
from xinyong.models.subjects import SUBJECT_KIND_ZH, Subject, SubjectKind


class SubjectOut(BaseModel):
    id: int
    kind: str
    kind_zh: str
    name: str
    uscc: str | None
    #: Masked citizen ID (natural persons only).
    ric_masked: str | None
    phone_masked: str | None
    region_code: str | None
    legal_representative: str | None


def _decrypt_masked(
    cipher: PersonalDataCipher | None, blob: bytes | None, mask: Callable[[str], str]
) -> str | None:
    if blob is None or cipher is None:
        return None
    try:
        return mask(cipher.decrypt(blob))
    except CryptoError:
        return "（无法解密）"


def subject_out(subject: Subject, cipher: PersonalDataCipher | None) -> SubjectOut:
    """The subject with its citizen ID and phone decrypted only to be masked (left out without a
    cipher, as in the public search)."""
    return SubjectOut(
        id=subject.id,
        kind=subject.kind.value,
        kind_zh=SUBJECT_KIND_ZH[subject.kind],
        name=subject.name,
        uscc=subject.uscc,
        ric_masked=_decrypt_masked(cipher, subject.ric_encrypted, ids.mask_ric),
        phone_masked=_decrypt_masked(cipher, subject.phone_encrypted, ids.mask_phone),
        region_code=subject.region_code,
        legal_representative=subject.legal_representative,
    )


def public_subject(subject: Subject) -> bool:
    """Natural persons are never listed on the public portal (privacy); organisations are, once verified
    (an organisation first seen in a non-registry submission is held as 待核验)."""
    return subject.kind is not SubjectKind.natural_person and subject.verified
