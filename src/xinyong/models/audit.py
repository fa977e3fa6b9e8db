"""The audit trail (xinyong.audit): append-only entries, each chained to the previous one by a keyed
hash (HMAC under a key kept outside the database), and the seals of the credit records they changed."""

from __future__ import annotations

from typing import Any

from sqlalchemy import BigInteger, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from xinyong.models.base import Base


class AuditEntry(Base):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    #: UTC instant as ISO 8601 text, hashed exactly as stored.
    at: Mapped[str] = mapped_column(String(40))
    actor: Mapped[str] = mapped_column(String(100), index=True)
    action: Mapped[str] = mapped_column(String(60), index=True)
    entity: Mapped[str] = mapped_column(String(60))
    entity_id: Mapped[str | None] = mapped_column(String(64))
    subject_id: Mapped[int | None] = mapped_column(index=True)
    before_digest: Mapped[str | None] = mapped_column(String(64))
    after_digest: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[dict[str, Any]]
    #: sha256 over the seals this entry wrote (audit_seals rows of this entry), when it changed records.
    seal_digest: Mapped[str | None] = mapped_column(String(64))
    #: Fingerprint of the chain key the hash was made with (audit.keys), never the key itself.
    key_id: Mapped[str] = mapped_column(String(16))
    prev_hash: Mapped[str] = mapped_column(String(64))
    #: HMAC-SHA256 of the entry's content and prev_hash under the chain key.
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class AuditSeal(Base):
    """The digest of one credit record's state as the entry that changed it left it (a correction, a
    revocation …; see AuditSealBlock for bulk writes).

    A record's newest seal (highest entry_id, rows and blocks alike) must match the record as it is now;
    the seals of one entry are bound into that entry's keyed hash by its ``seal_digest``."""

    __tablename__ = "audit_seals"

    entry_id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=False
    )
    record_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False, index=True)
    #: First 128 bits of the sha256 of the record's canonical state (audit.seals), as hex.
    digest: Mapped[str] = mapped_column(String(32))


class AuditSealBlock(Base):
    """The seals of a bulk write (an intake chunk), packed: the record ids (int64, little-endian) and their
    digests (16 bytes each), in id order, each as base64 text — one row instead of one per record, so
    intake stays fast. (Text, not binary: binary columns are where ciphertexts live, security.keys.)"""

    __tablename__ = "audit_seal_blocks"

    entry_id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=False
    )
    first_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last_id: Mapped[int]
    record_ids: Mapped[str] = mapped_column(Text)
    digests: Mapped[str] = mapped_column(Text)
