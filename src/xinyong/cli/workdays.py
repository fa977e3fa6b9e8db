"""``xinyong workdays add|between|is-workday|load``: working-day arithmetic and each year's schedule of
holidays and make-up workdays."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import typer

from xinyong.cli.common import actor, clock, err, fail, out, sessions
from xinyong.db import transaction
from xinyong.kit.errors import DomainError
from xinyong.measures.feedback import recompute_provisional_due
from xinyong.records.schedules import load_schedule
from xinyong.workdays.service import calendar

app = typer.Typer(help="工作日：计算与年度节假日安排", no_args_is_help=True)


def _parse_date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        err.print(f"[red]错误 DATE_INVALID[/red]：日期 {value!r} 格式应为 YYYY-MM-DD")
        raise typer.Exit(2) from None


@app.command("add")
def workdays_add(start: str, n: int) -> None:
    """START 之后第 N 个工作日（不含 START 当日）。无官方安排的年份结果标注 provisional。"""
    with transaction(sessions()) as session:
        result = calendar(session).add_workdays(_parse_date(start), n)
    print(result.date.isoformat() + (" provisional" if result.provisional else ""))


@app.command("between")
def workdays_between(start: str, end: str) -> None:
    """START（不含）到 END（含）之间的工作日数。"""
    with transaction(sessions()) as session:
        result = calendar(session).workdays_between(_parse_date(start), _parse_date(end))
    print(str(result.days) + (" provisional" if result.provisional else ""))


@app.command("is-workday")
def workdays_is(day: str) -> None:
    """某日是否为工作日。"""
    with transaction(sessions()) as session:
        cal = calendar(session)
        d = _parse_date(day)
        answer = "工作日" if cal.is_workday(d) else "休息日"
        print(answer + (" provisional" if cal.is_provisional(d) else ""))


@app.command("load")
def workdays_load(file: Path) -> None:
    """载入某年的节假日和调休安排（YAML），并重算该年的临时期限、信用记录的临时及时性结论和联合奖惩反馈期限。"""
    try:
        with transaction(sessions()) as session:
            result = load_schedule(session, file.read_text(encoding="utf-8"), actor=actor())
            tasks = recompute_provisional_due(session, actor=actor(), clock=clock())
    except DomainError as exc:
        fail(exc)
    out.print(
        f"已载入 {result.year} 年安排：放假 {result.holidays} 天，调休上班 {result.workdays} 天；"
        f"重算临时期限 {result.recomputed} 个，重算信用记录及时性 {result.recomputed_records} 条，"
        f"重算联合奖惩反馈期限 {tasks} 个"
    )
