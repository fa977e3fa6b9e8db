"""Accounts, API tokens, subject authorisations (授权查询) and the query log (查询使用登记)."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import Enum, ForeignKey, String, Text, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column

from xinyong.models.base import Base


class AccountKind(enum.StrEnum):
    staff = "staff"  # belongs to a department
    subject = "subject"  # a company's agent or a person, belongs to a credit subject
    agency = "agency"  # a credit service agency (信用服务机构)


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[AccountKind] = mapped_column(Enum(AccountKind, native_enum=False, length=20))
    #: Role names (security.roles.Role values).
    roles: Mapped[list[str]]
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"), index=True)
    subject_id: Mapped[int | None] = mapped_column(ForeignKey("subjects.id"), index=True)
    password_hash: Mapped[str | None] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(default=True)
    #: Failed logins in a row, from any address (for administrators; the lockout counts per address in
    #: ``LoginFailure``). ``locked_until`` is no longer set: an account is never locked for everyone.
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[dt.datetime | None]
    #: Bumped at logout: every session cookie signed with an older value stops working.
    session_epoch: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())


class ApiToken(Base):
    """A bearer token for a department system. Only its sha256 is stored; the token is shown once."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    #: First characters of the token, to recognise it in lists without revealing it.
    prefix: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    scopes: Mapped[list[str]]
    expires_at: Mapped[dt.datetime]
    revoked_at: Mapped[dt.datetime | None]
    last_used_at: Mapped[dt.datetime | None]
    created_at: Mapped[dt.datetime]


class LoginFailure(Base):
    """Failed logins in a row for one user name from one client address (known name or not): the count
    that locks that address, and only that address, out of the account for a while."""

    __tablename__ = "login_failures"
    __table_args__ = (UniqueConstraint("username", "client"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80))
    client: Mapped[str] = mapped_column(String(64))
    failures: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[dt.datetime | None]
    last_failure_at: Mapped[dt.datetime] = mapped_column(index=True)


class Authorisation(Base):
    """A subject's grant to a credit service agency: one purpose, a limited period, revocable."""

    __tablename__ = "authorisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id"), index=True)
    agency_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    purpose: Mapped[str] = mapped_column(String(40))
    valid_from: Mapped[dt.date]
    valid_until: Mapped[dt.date]
    granted_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    granted_at: Mapped[dt.datetime]
    revoked_at: Mapped[dt.datetime | None]


class QueryLogEntry(Base):
    """Every read of non-public data about a subject, allowed or refused: who, which subject, why."""

    __tablename__ = "query_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    username: Mapped[str] = mapped_column(String(80))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    subject_id: Mapped[int | None] = mapped_column(ForeignKey("subjects.id"), index=True)
    purpose: Mapped[str | None] = mapped_column(String(40))
    legal_basis: Mapped[str | None] = mapped_column(Text)
    #: What was read, e.g. "subject_file" or "credit_record:42".
    target: Mapped[str] = mapped_column(String(100))
    allowed: Mapped[bool]
    reason: Mapped[str | None] = mapped_column(String(300))
    client: Mapped[str | None] = mapped_column(String(64))
    #: Keyed chain like the audit trail's (audit.querychain): the previous entry's hash, the fingerprint
    #: of the chain key, and the HMAC of this entry's content and prev_hash.
    prev_hash: Mapped[str] = mapped_column(String(64))
    key_id: Mapped[str] = mapped_column(String(16))
    hash: Mapped[str] = mapped_column(String(64))
