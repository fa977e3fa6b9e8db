"""A credit file and its records as readers see them (masked; never the ORM rows)."""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from xinyong.subjects.schemas import SubjectOut

#: Records on one page of a file, unless the caller asks for another number (at most ``MAX_LIMIT``).
DEFAULT_LIMIT = 20
MAX_LIMIT = 100


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
    #: 登记注册, 行政许可, 行政处罚 …
    category_zh: str
    openness: str
    source_department: str
    status: str
    #: 有效, 已撤销, 已修复, 公示期满.
    status_zh: str
    severity: str | None
    #: 轻微, 一般, 严重 (None: not dishonesty information).
    severity_zh: str | None
    decision_no: str | None
    decision_date: dt.date
    publish_from: dt.date | None
    publish_max_end: dt.date | None
    version: int
    data: dict[str, Any]


class TabOut(BaseModel):
    """One tab of a file and how many of its records the reader may see."""

    key: str
    label: str
    total: int


class FileOut(BaseModel):
    """One page of a subject's file: ``records`` are ``limit`` records of ``tab`` (None: every tab) from
    ``offset``; ``total`` counts the tab's records, ``tabs`` every tab's."""

    subject: SubjectOut
    view: View
    tab: str | None
    tabs: list[TabOut]
    total: int
    limit: int
    offset: int
    records: list[RecordOut]


class FieldOut(BaseModel):
    """A value of a record with its label from the catalog."""

    name: str
    label: str
    value: Any


class PublicRecordOut(BaseModel):
    """One published record with its subject and its values labelled as the catalog names them."""

    subject: SubjectOut
    record: RecordOut
    fields: list[FieldOut]


class LatestOut(BaseModel):
    """A newly published record as a list of the latest ones shows it."""

    record_id: int
    subject_id: int
    subject_name: str
    item_name: str
    source_department: str
    decision_date: dt.date


@dataclass(frozen=True)
class FilePage:
    """Which page of a file a reader asks for: ``tab`` (None: every tab), ``limit`` records from
    ``offset``."""

    tab: str | None = None
    limit: int = DEFAULT_LIMIT
    offset: int = 0
