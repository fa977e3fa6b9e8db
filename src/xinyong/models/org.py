"""Departments (部门): every department belongs to a region and a platform level."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import String, func
from sqlalchemy.orm import Mapped, mapped_column

from xinyong.models.base import Base


class Department(Base):
    __tablename__ = "departments"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Stable short code used in files and APIs, e.g. ``320900-SCJG``.
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    #: Kind of department (市场监管, 税务, 法院, 信用办 ...), matched against catalog source kinds.
    kind: Mapped[str] = mapped_column(String(40))
    #: GB/T 2260 code of the region the department serves.
    region_code: Mapped[str] = mapped_column(String(6), index=True)
    #: province / city / county, derived from the region when created.
    level: Mapped[str] = mapped_column(String(10))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())
