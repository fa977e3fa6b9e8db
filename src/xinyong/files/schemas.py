"""A credit file and its records as readers see them (masked; never the ORM rows)."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from pydantic import BaseModel

from xinyong.subjects.schemas import SubjectOut


class View(enum.StrEnum):
    """Who reads the file (see ``files.service.shown_to`` for what each one sees)."""

    public = "public"
    agency = "agency"
    staff = "staff"
    own = "own"


class RecordOut(BaseModel):
    id: int
    item_code: str
    item_name: str
    category: str
    openness: str
    source_department: str
    status: str
    severity: str | None
    decision_no: str | None
    decision_date: dt.date
    publish_from: dt.date | None
    publish_max_end: dt.date | None
    version: int
    data: dict[str, Any]


class FileOut(BaseModel):
    subject: SubjectOut
    view: View
    records: list[RecordOut]
