"""The credit office's working-day schedules and the deadlines computed from them."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from xinyong.models.base import Base


class WorkdaySchedule(Base):
    """One year's holiday notice as loaded by the office (``xinyong workdays load``)."""

    __tablename__ = "workday_schedules"

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    source: Mapped[str] = mapped_column(String(300))
    source_text: Mapped[str] = mapped_column(Text)
    loaded_at: Mapped[dt.datetime]
    loaded_by: Mapped[str] = mapped_column(String(100))


class WorkdayOverride(Base):
    """A day whose status differs from the default: a holiday (False) or a make-up workday (True)."""

    __tablename__ = "workday_overrides"

    day: Mapped[dt.date] = mapped_column(primary_key=True)
    is_workday: Mapped[bool]
    name: Mapped[str] = mapped_column(String(100))
    year: Mapped[int] = mapped_column(ForeignKey("workday_schedules.year", ondelete="CASCADE"), index=True)


class Deadline(Base):
    """A deadline counted in working days. Provisional ones are recomputed when a schedule loads."""

    __tablename__ = "deadlines"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: What the deadline belongs to, e.g. ("objection", "42").
    owner_type: Mapped[str] = mapped_column(String(40))
    owner_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(40))
    start_date: Mapped[dt.date]
    workdays: Mapped[int]
    due_date: Mapped[dt.date] = mapped_column(index=True)
    provisional: Mapped[bool] = mapped_column(index=True)
