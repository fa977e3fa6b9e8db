"""What the portal's pages show, as schemas (no ORM row reaches a template)."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel


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
