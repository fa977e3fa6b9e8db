"""What the auditor's console pages and their JSON twins ask for: the audit trail, its verification (the
checks of ``xinyong audit verify``), the query log as a CSV download, and the credit office's dashboard.

One function per question; a page and its JSON route call the same one.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from xinyong.audit import service as audit
from xinyong.audit.anchors import ANCHOR_FILE
from xinyong.config import Settings
from xinyong.console.audit import repository
from xinyong.console.audit.dashboard import summarise
from xinyong.console.audit.schemas import (
    AuditEntryOut,
    AuditEntryPage,
    DashboardOut,
    ProblemOut,
    TrailFilter,
    VerificationOut,
)
from xinyong.kit.cells import csv_download
from xinyong.kit.clock import CHINA_TZ, Clock
from xinyong.kit.errors import InvalidInput
from xinyong.kit.ids.masking import mask_personal_text
from xinyong.security import service as security
from xinyong.security.schemas import LogFilter

#: Most query-log entries one CSV download holds; a wider search is refused (narrow the dates).
EXPORT_MAX_ROWS = 50_000
#: How long the dashboard's summary is reused before it is computed again.
DASHBOARD_TTL_SECONDS = 60.0
#: Codes of the problems that break the trail's chain itself (later entries prove nothing).
CHAIN_BREAKS = frozenset(
    {"AUDIT_ENTRY_MISSING", "AUDIT_LINK_BROKEN", "AUDIT_KEY_MISMATCH", "AUDIT_ENTRY_ALTERED"}
)


class ExportTooLarge(InvalidInput):
    code = "AUDIT_EXPORT_TOO_LARGE"
    message = f"符合条件的查询记录超过 {EXPORT_MAX_ROWS} 条，请缩小日期范围或增加筛选条件后再导出"


# --------------------------------------------------------------------------- the audit trail


def _china_time(stored: str) -> str:
    """A trail instant (UTC ISO text) as China Standard Time; text that does not parse is shown as is."""
    try:
        instant = dt.datetime.fromisoformat(stored)
    except ValueError:
        return stored
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=dt.UTC)
    return instant.astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M:%S")


def trail_page(session: Session, f: TrailFilter, *, limit: int, offset: int) -> AuditEntryPage:
    """Audit entries matching ``f``, newest first, with how many match in all."""
    total, entries = repository.trail(session, f, limit=limit, offset=offset)
    return AuditEntryPage(
        total=total,
        entries=[
            AuditEntryOut(
                id=e.id,
                at=e.at,
                at_china=_china_time(e.at),
                actor=e.actor,
                action=e.action,
                entity=e.entity,
                entity_id=e.entity_id,
                subject_id=e.subject_id,
                sealed=e.seal_digest is not None,
                hash=e.hash,
            )
            for e in entries
        ],
    )


def trail_entities(session: Session) -> list[str]:
    return repository.trail_entities(session)


def anchor_path(settings: Settings) -> Path:
    """The installation's anchor file, the one ``xinyong audit verify`` reads by default."""
    return settings.data_dir / ANCHOR_FILE


def verification(session: Session, settings: Settings) -> VerificationOut:
    """``xinyong audit verify`` with the installation's anchor file: both chains, every record against
    its newest seal, the anchors. Reads everything: seconds at a million records."""
    path = anchor_path(settings)
    report = audit.verify(session, anchor_paths=[path])
    notes = list(report.notes)
    if not path.exists():
        notes = ["尚无锚点文件：无法发现末尾被删除的条目，请定期运行 xinyong audit anchor"]
    broken = next((p.entry_id for p in report.problems if p.code in CHAIN_BREAKS), None)
    return VerificationOut(
        ok=report.ok,
        audit_entries=report.audit_entries,
        query_entries=report.query_entries,
        records=report.records,
        anchors=report.anchors,
        broken_at=broken,
        problems=[ProblemOut(code=p.code, message=p.message, entry_id=p.entry_id) for p in report.problems],
        more=dict(report.more),
        notes=notes,
    )


@dataclass(frozen=True)
class Verdict:
    """How one listed entry stands after a verification: ``ok``, ``bad`` or ``warn``, a label, and why."""

    kind: str
    label: str
    detail: str = ""


def verdicts(checked: VerificationOut, ids: list[int]) -> dict[int, Verdict]:
    """The verdict on each of the entries ``ids``: a problem that names it, or past the chain's break
    (unproven), or intact."""
    named: dict[int, list[str]] = {}
    for p in checked.problems:
        if p.entry_id is not None and not p.code.startswith(("QUERY_LOG_", "ANCHOR_")):
            named.setdefault(p.entry_id, []).append(p.message)
    out = {}
    for entry_id in ids:
        if entry_id in named:
            out[entry_id] = Verdict("bad", "已被篡改", "；".join(named[entry_id]))
        elif checked.broken_at is not None and entry_id > checked.broken_at:
            out[entry_id] = Verdict("warn", "无法证明完好", f"审计链在第 {checked.broken_at} 条断开")
        elif entry_id <= checked.audit_entries:
            out[entry_id] = Verdict("ok", "完好")
        else:
            out[entry_id] = Verdict("warn", "未核验")
    return out


# --------------------------------------------------------------------------- the query log download

CSV_HEADER = [
    "编号",
    "时间",
    "查询账户",
    "所属部门",
    "信用主体编号",
    "查询用途",
    "查询依据",
    "查询内容",
    "结果",
    "拒绝原因",
]


def _masked(text: str | None) -> str:
    return mask_personal_text(text) if text else ""


def query_log_csv(session: Session, f: LogFilter, *, max_rows: int = EXPORT_MAX_ROWS) -> bytes:
    """The query-log entries matching ``f`` (the auditor's search, newest first) as a CSV download:
    UTF-8 with a byte-order mark, every citizen ID and mobile number in the text masked, every cell
    inert in a spreadsheet (``kit.cells``). More than ``max_rows`` entries are refused, not cut."""
    page = security.search_query_log(session, f, limit=max_rows, offset=0)
    if page.total > max_rows:
        raise ExportTooLarge(
            f"符合条件的查询记录有 {page.total} 条，超过一次导出的上限 {max_rows} 条，"
            "请缩小日期范围或增加筛选条件",
            details={"total": page.total, "max": max_rows},
        )
    rows: list[list[object]] = [list(CSV_HEADER)]
    for e in page.entries:
        rows.append(
            [
                e.id,
                e.at.strftime("%Y-%m-%d %H:%M:%S"),
                _masked(e.username),
                _masked(e.department),
                "" if e.subject_id is None else e.subject_id,
                e.purpose or "（未说明）",
                _masked(e.legal_basis),
                _masked(e.target),
                "已查询" if e.allowed else "已拒绝",
                _masked(e.reason),
            ]
        )
    return csv_download(rows)


# --------------------------------------------------------------------------- the dashboard


class SummaryCache:
    """The dashboard's summaries, each reused for ``ttl`` seconds (one per window asked for)."""

    def __init__(self, ttl: float = DASHBOARD_TTL_SECONDS, now: Callable[[], float] = time.monotonic) -> None:
        self.ttl = ttl
        self._now = now
        self._lock = threading.Lock()
        self._entries: dict[tuple[dt.date, int], tuple[float, DashboardOut]] = {}

    def get(self, key: tuple[dt.date, int], compute: Callable[[], DashboardOut]) -> DashboardOut:
        with self._lock:
            hit = self._entries.get(key)
            if hit is not None and self._now() - hit[0] < self.ttl:
                return hit[1]
        value = compute()
        with self._lock:
            self._entries = {k: v for k, v in self._entries.items() if self._now() - v[0] < self.ttl}
            self._entries[key] = (self._now(), value)
        return value


def dashboard(
    session: Session, *, clock: Clock, months: int, cache: SummaryCache | None = None
) -> DashboardOut:
    """The credit office's figures over ``months`` months up to the newest month with records (not
    after ``today``'s): records per month and department, the on-time rate and the rejected-row rate
    per department, reads of the query log per purpose. Reused from ``cache`` for a short while."""
    if cache is None:
        return summarise(session, clock=clock, months=months)
    return cache.get((clock.today(), months), lambda: summarise(session, clock=clock, months=months))
