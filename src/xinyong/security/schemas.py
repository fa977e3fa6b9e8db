"""What the security routes and pages take and give: accounts, the query log, authorisations.

Built from the ORM rows by ``security.service``; no route or template sees a row itself.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from pydantic import BaseModel, Field

from xinyong.security.roles import Purpose
from xinyong.web import Instant


class MeOut(BaseModel):
    """The caller's account: roles, scopes and data range (``GET /api/v1/me`` and the /me page)."""

    username: str
    display_name: str | None
    kind: str | None
    roles: list[str]
    roles_zh: list[str]
    scopes: list[str]
    department_id: int | None
    region_code: str | None
    subject_id: int | None
    via: str


class QueryLogOut(BaseModel):
    id: int
    at: Instant
    username: str
    department: str | None
    subject_id: int | None
    purpose: str | None
    legal_basis: str | None
    target: str
    allowed: bool
    reason: str | None


class QueryLogPage(BaseModel):
    total: int
    entries: list[QueryLogOut]


class AuthorisationIn(BaseModel):
    agency: str = Field(description="信用服务机构的账户名")
    purpose: Purpose = Field(description="授权用途")
    days: int = Field(ge=1, description="授权天数（不超过平台规定的上限，默认 365 天）")


class AuthorisationOut(BaseModel):
    id: int
    agency_user_id: int
    purpose: str
    valid_from: dt.date
    valid_until: dt.date
    revoked_at: Instant | None
    live: bool


class DepartmentOut(BaseModel):
    """The caller's department as the /me page shows it: its name and data range."""

    name: str
    region_code: str
    level: str
    level_zh: str


class MePage(BaseModel):
    """Everything the /me page shows: the account (as ``GET /api/v1/me``) and its department. A subject's
    readers and grants have pages of their own (我的信用: /space/log, /space/grants)."""

    account: MeOut
    department: DepartmentOut | None


@dataclass(frozen=True)
class LogFilter:
    """Which query-log entries to find; every field left None matches all. Days are China days."""

    subject_id: int | None = None
    username: str | None = None
    department_id: int | None = None
    allowed: bool | None = None
    since: dt.date | None = None
    until: dt.date | None = None
    purpose: Purpose | None = None
