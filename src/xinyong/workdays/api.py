"""JSON routes for working-day arithmetic, so department systems count deadlines the platform's way."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel
from sqlalchemy.orm import Session

from xinyong.security.auth import authorize
from xinyong.security.roles import Scope
from xinyong.web import RequestDate, get_session
from xinyong.workdays.service import calendar

router = APIRouter(prefix="/api/v1/workdays", tags=["工作日"])


class WorkdayAddOut(BaseModel):
    start: dt.date
    workdays: int
    date: dt.date
    provisional: bool


@router.get(
    "/add", dependencies=[Depends(authorize(Scope.public_read))], summary="某日之后第 N 个工作日（不含当日）"
)
def add(
    start: RequestDate,
    n: int = Query(..., ge=-3650, le=3650),
    session: Session = Depends(get_session, scope="function"),
) -> WorkdayAddOut:
    result = calendar(session).add_workdays(start, n)
    return WorkdayAddOut(start=start, workdays=n, date=result.date, provisional=result.provisional)
