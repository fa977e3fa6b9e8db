"""Request-scoped plumbing shared by every router: the database session, the clock, templates, the one
way an error is answered, and the parameter types every route parses its ids and dates with."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

from fastapi import Request
from fastapi.responses import JSONResponse, Response
from fastapi.templating import Jinja2Templates
from pydantic import AfterValidator, BeforeValidator, Field
from pydantic_core import PydanticCustomError
from sqlalchemy.orm import Session, sessionmaker

from xinyong.config import Settings
from xinyong.db import writing_session
from xinyong.kit.clock import CHINA_TZ, Clock, as_aware
from xinyong.kit.crypto import PersonalDataCipher
from xinyong.kit.errors import DomainError

templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))

#: The largest id a table's key column holds on both databases: INTEGER, 32 bits on PostgreSQL (64 on
#: SQLite). An id above it is refused as a bad parameter (422), never handed to the database, which cannot
#: even compare a column with it (PostgreSQL: integer out of range; SQLite, past 2^63: OverflowError).
MAX_ROW_ID = 2**31 - 1
#: The largest OFFSET either database takes (a signed 64-bit integer).
MAX_OFFSET = 2**63 - 1
#: A row id in a path or a query: 1 to ``MAX_ROW_ID``.
RowId = Annotated[int, Field(ge=1, le=MAX_ROW_ID)]
#: How many rows a page skips: 0 to ``MAX_OFFSET``.
Offset = Annotated[int, Field(ge=0, le=MAX_OFFSET)]

#: Dates a request may name: wide enough for every record and schedule, narrow enough that a day's
#: neighbours (a range's exclusive end, a deadline counted from it) are dates too.
EARLIEST_DATE = dt.date(1900, 1, 1)
LATEST_DATE = dt.date(2999, 12, 31)
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


def _calendar_date(value: Any) -> Any:
    """A ``YYYY-MM-DD`` string as a date, or an error that says which part does not exist (2025-02-30:
    February 2025 has 28 days), not that the format is wrong. Anything else is left to pydantic."""
    if not isinstance(value, str) or (match := _ISO_DATE.fullmatch(value)) is None:
        return value
    year, month, day = (int(part) for part in match.groups())
    if year == 0:
        raise PydanticCustomError(
            "nonexistent_date", "日期不存在：{value}（公元纪年没有 0 年）", {"value": value}
        )
    if not 1 <= month <= 12:
        raise PydanticCustomError(
            "nonexistent_date", "日期不存在：{value}（月份应为 01 至 12）", {"value": value}
        )
    try:
        date = dt.date(year, month, day)
    except ValueError:
        days = calendar.monthrange(year, month)[1]
        raise PydanticCustomError(
            "nonexistent_date",
            "日期不存在：{value}（{year} 年 {month} 月只有 {days} 天）",
            {"value": value, "year": year, "month": month, "days": days},
        ) from None
    if not EARLIEST_DATE <= date <= LATEST_DATE:
        raise PydanticCustomError(
            "calendar_out_of_range",
            "日期超出可处理的范围：应在 {earliest} 至 {latest} 之间",
            {"earliest": EARLIEST_DATE.isoformat(), "latest": LATEST_DATE.isoformat()},
        )
    return date


#: A date in a path or a query: ``YYYY-MM-DD``, a day that exists, between ``EARLIEST_DATE`` and
#: ``LATEST_DATE``.
RequestDate = Annotated[dt.date, BeforeValidator(_calendar_date)]


def _in_china_time(value: dt.datetime) -> dt.datetime:
    return as_aware(value).astimezone(CHINA_TZ)


#: An instant in a response: always with its offset, in China Standard Time (``2026-03-16T10:00:00+08:00``).
#: SQLite gives stored instants back naive (the wall time a Clock wrote) and PostgreSQL aware (in the
#: session's zone); a schema field of this type writes both, and a Clock's own instants, the same way.
Instant = Annotated[dt.datetime, AfterValidator(_in_china_time)]


def wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api") or "application/json" in request.headers.get("accept", "")


def error_response(request: Request, exc: DomainError, settings: Settings) -> Response:
    """A DomainError as ``{code, message, details?}`` JSON for the API, as the error page otherwise."""
    headers = {"Retry-After": "60"} if exc.status == 429 else None
    if wants_json(request):
        return JSONResponse(exc.to_dict(), status_code=exc.status, headers=headers)
    return templates.TemplateResponse(
        request,
        "error.html",
        {"error": exc, "settings": settings},
        status_code=exc.status,
        headers=headers,
    )


def get_settings_dep(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_clock(request: Request) -> Clock:
    clock: Clock = request.app.state.clock
    return clock


def get_cipher(request: Request) -> PersonalDataCipher:
    cipher: PersonalDataCipher = request.app.state.cipher
    return cipher


def get_session(request: Request) -> Iterator[Session]:
    """One transaction per request: committed once when the route returns, rolled back on error.

    Routes depend on it with ``Depends(get_session, scope="function")``, so the commit runs before the
    response is sent: a commit that fails answers 500, never a success for data that was not stored
    (with FastAPI's default scope the commit would run after the response had gone out)."""
    factory: sessionmaker[Session] = request.app.state.sessions
    yield from _one_transaction(factory())


def get_writing_session(request: Request) -> Iterator[Session]:
    """``get_session`` for a route that reads and then writes and is called concurrently (a screening):
    on SQLite its transaction takes the write lock at its first statement (``db.writing_session``), so
    concurrent calls queue instead of failing with "database is locked". Not for a route whose work runs
    in sessions of its own while this one is open (an upload's pipeline): they would wait on it."""
    factory: sessionmaker[Session] = request.app.state.sessions
    yield from _one_transaction(writing_session(factory))


def _one_transaction(session: Session) -> Iterator[Session]:
    try:
        yield session
        session.commit()
    except DomainError as exc:
        if exc.keep_changes:
            session.commit()
        else:
            session.rollback()
        raise
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
