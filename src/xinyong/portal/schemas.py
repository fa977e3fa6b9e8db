"""What the portal's pages show, as schemas (no ORM row reaches a template)."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel

from xinyong.files.schemas import LatestOut


class Counts(BaseModel):
    subjects: int
    records: int
    departments: int
    catalog_items: int


class CatalogSummary(BaseModel):
    """The catalog version in force, as the home page names it."""

    title: str
    version: str
    issued_by: str
    effective_date: dt.date


class HomePage(BaseModel):
    counts: Counts
    catalog: CatalogSummary | None
    #: 双公示 of the last ``LATEST_DAYS`` days: the newest licences and penalties.
    licences: list[LatestOut]
    penalties: list[LatestOut]
    since: dt.date


class Window(BaseModel):
    """A publication window of a catalog item, in words: for whom (a severity, or every record) and how
    long."""

    severity: str
    text: str


class CatalogItemPage(BaseModel):
    code: str
    name: str
    category_zh: str
    openness_zh: str
    department_kinds: list[str]
    severity: str
    windows: list[Window]
    legal_basis: str
    field_labels: list[str]


class CatalogPage(BaseModel):
    version: str
    title: str
    issued_by: str
    items: list[CatalogItemPage]
