"""What the subject space's pages and JSON routes show: agencies by name, the readers of a file by
organisation, grants with their agency's or subject's name. Built by ``space.service``."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field

from xinyong.web import Instant


class AgencyOut(BaseModel):
    """A registered credit service agency a subject may grant access to."""

    account: str = Field(description="授权时提交的 agency 值（POST /api/v1/me/authorisations）")
    name: str = Field(description="信用服务机构名称")


class ReaderOut(BaseModel):
    """One look-up of the subject's file, by the reader's organisation (never its login name)."""

    id: int
    at: Instant
    organisation: str = Field(description="查询方：部门名称或信用服务机构名称")
    purpose: str | None
    legal_basis: str | None
    allowed: bool
    reason: str | None


class ReadersPage(BaseModel):
    total: int
    entries: list[ReaderOut]


class GrantOut(BaseModel):
    """A grant the subject gave, with the agency's name and its status in Chinese."""

    id: int
    agency: str = Field(description="信用服务机构名称")
    purpose: str
    valid_from: dt.date
    valid_until: dt.date
    revoked_at: Instant | None
    live: bool
    status_zh: str


class HeldGrantOut(BaseModel):
    """A grant an agency holds: which subject, for what, until when."""

    id: int
    subject_id: int
    subject_name: str
    purpose: str
    valid_from: dt.date
    valid_until: dt.date
    revoked_at: Instant | None
    live: bool
    status_zh: str


class HeldGrantsPage(BaseModel):
    total: int
    grants: list[HeldGrantOut]
