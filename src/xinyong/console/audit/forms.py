"""The filters of the console's search pages, read from a GET form: a form sends every field, the
empty ones as ``""``, so each value is read here (empty is "any") and a wrong one is refused in Chinese
(``CONSOLE_FILTER_INVALID``, 422), never a 500."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from xinyong.console.audit.schemas import TrailFilter
from xinyong.kit.errors import InvalidInput
from xinyong.security.roles import Purpose
from xinyong.security.schemas import LogFilter
from xinyong.web import EARLIEST_DATE, LATEST_DATE, MAX_ROW_ID


class FilterInvalid(InvalidInput):
    code = "CONSOLE_FILTER_INVALID"


def _blank(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def opt_int(value: str | None, label: str, *, top: int = MAX_ROW_ID) -> int | None:
    text = _blank(value)
    if text is None:
        return None
    if not text.isdigit() or not 1 <= int(text) <= top:
        raise FilterInvalid(f"{label}应为 1 至 {top} 之间的整数：{text[:40]}", details={"field": label})
    return int(text)


def opt_date(value: str | None, label: str) -> dt.date | None:
    text = _blank(value)
    if text is None:
        return None
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise FilterInvalid(
            f"{label}应为日期，如 2026-03-16：{text[:40]}", details={"field": label}
        ) from None
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        raise FilterInvalid(f"{label}超出可查询的范围：{text}", details={"field": label})
    return day


def opt_purpose(value: str | None) -> Purpose | None:
    text = _blank(value)
    if text is None:
        return None
    try:
        return Purpose(text)
    except ValueError:
        raise FilterInvalid(f"查询用途不在规定范围内：{text[:40]}", details={"field": "查询用途"}) from None


def opt_allowed(value: str | None) -> bool | None:
    text = _blank(value)
    if text is None:
        return None
    if text not in {"yes", "no"}:
        raise FilterInvalid(f"查询结果应为“已查询”或“已拒绝”：{text[:40]}", details={"field": "结果"})
    return text == "yes"


def opt_text(value: str | None, label: str, limit: int = 100) -> str | None:
    text = _blank(value)
    if text is not None and len(text) > limit:
        raise FilterInvalid(f"{label}过长（最多 {limit} 个字符）", details={"field": label})
    return text


def page_number(value: str | None) -> int:
    return opt_int(value, "页码", top=1_000_000) or 1


@dataclass(frozen=True)
class QueryLogForm:
    """The query-log page's filters as the form sent them (to fill the form again and the links)."""

    subject_id: str = ""
    username: str = ""
    department_id: str = ""
    purpose: str = ""
    allowed: str = ""
    since: str = ""
    until: str = ""

    def to_filter(self) -> LogFilter:
        since, until = opt_date(self.since, "起始日期"), opt_date(self.until, "截止日期")
        if since and until and since > until:
            raise FilterInvalid("起始日期不能晚于截止日期", details={"field": "起始日期"})
        return LogFilter(
            subject_id=opt_int(self.subject_id, "信用主体编号"),
            username=opt_text(self.username, "查询账户", 80),
            department_id=opt_int(self.department_id, "部门"),
            allowed=opt_allowed(self.allowed),
            since=since,
            until=until,
            purpose=opt_purpose(self.purpose),
        )

    def params(self) -> tuple[tuple[str, str], ...]:
        """The non-empty filters as query parameters."""
        return tuple((k, v) for k, v in vars(self).items() if v)


@dataclass(frozen=True)
class TrailForm:
    entity: str = ""
    entity_id: str = ""
    actor: str = ""
    action: str = ""
    since: str = ""
    until: str = ""
    upto: str = ""

    def to_filter(self) -> TrailFilter:
        return TrailFilter(
            entity=opt_text(self.entity, "对象类型", 60),
            entity_id=opt_text(self.entity_id, "对象编号", 64),
            actor=opt_text(self.actor, "操作人"),
            action=opt_text(self.action, "操作", 60),
            since=opt_date(self.since, "起始日期"),
            until=opt_date(self.until, "截止日期"),
            upto=opt_int(self.upto, "条目编号"),
        )

    def params(self) -> tuple[tuple[str, str], ...]:
        return tuple((k, v) for k, v in vars(self).items() if v)
