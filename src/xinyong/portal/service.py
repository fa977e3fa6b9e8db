"""What the portal's pages show: the home page (figures from a cached summary, the latest 双公示), the
catalog in force in words."""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable

from sqlalchemy.orm import Session

from xinyong.catalog.model import CatalogItem
from xinyong.catalog.rules import FixedSeverity, PublicationWindow, SeverityByField
from xinyong.catalog.schema import Category, Openness
from xinyong.catalog.service import current_version, stored_spec
from xinyong.files.service import latest_public
from xinyong.kit.errors import NotFound
from xinyong.portal import repository
from xinyong.portal.schemas import (
    CatalogItemPage,
    CatalogPage,
    CatalogSummary,
    Counts,
    HomePage,
    Window,
)

#: How long the home page's figures are reused before they are counted again.
SUMMARY_TTL_SECONDS = 300.0
#: The home page lists 双公示 decided in the last this many days …
LATEST_DAYS = 30
#: … at most this many of each kind.
LATEST_LIMIT = 8


class SummaryCache:
    """The platform's figures, counted at most once per ``ttl`` seconds per process: the home page must
    not count whole tables on every visit (a million subjects). Thread-safe; one per app."""

    def __init__(self, ttl: float = SUMMARY_TTL_SECONDS, now: Callable[[], float] = time.monotonic) -> None:
        self.ttl, self._now = ttl, now
        self._value: tuple[float, Counts, CatalogSummary | None] | None = None
        self._lock = threading.Lock()

    def get(self, session: Session) -> tuple[Counts, CatalogSummary | None]:
        with self._lock:
            if self._value is None or self._now() - self._value[0] >= self.ttl:
                counts, catalog = count_platform(session)
                self._value = (self._now(), counts, catalog)
            return self._value[1], self._value[2]


def count_platform(session: Session) -> tuple[Counts, CatalogSummary | None]:
    """How many subjects, records, departments and catalog items the platform holds, and which catalog
    version is in force (None before one is imported). Counts whole tables: use ``SummaryCache``."""
    try:
        current = current_version(session)
    except NotFound:
        current = None
    counts = Counts(
        subjects=repository.count_subjects(session),
        records=repository.count_records(session),
        departments=repository.count_departments(session),
        catalog_items=repository.count_catalog_items(session, current.id) if current else 0,
    )
    catalog = (
        CatalogSummary(
            title=current.title,
            version=current.version,
            issued_by=current.issued_by,
            effective_date=current.effective_date,
        )
        if current
        else None
    )
    return counts, catalog


def home_page(session: Session, cache: SummaryCache, *, today: dt.date) -> HomePage:
    """The figures (from ``cache``) and the newest licences and penalties of the last ``LATEST_DAYS``."""
    counts, catalog = cache.get(session)
    latest = {
        category: latest_public(session, [category], today=today, days=LATEST_DAYS, limit=LATEST_LIMIT)
        for category in (Category.LICENCE.value, Category.PENALTY.value)
    }
    return HomePage(
        counts=counts,
        catalog=catalog,
        licences=latest[Category.LICENCE.value],
        penalties=latest[Category.PENALTY.value],
        since=today - dt.timedelta(days=LATEST_DAYS),
    )


def _window_text(window: PublicationWindow) -> str:
    if not window.publish:
        limit = f"（依法例外公示的，最长 {window.max_months} 个月）" if window.max_months else ""
        return f"不予公示{limit}"
    longest = f"最长 {window.max_months} 个月" if window.max_months else "无固定期限"
    shortest = f"最短 {window.min_months} 个月可申请信用修复，" if window.min_months else ""
    return f"公示，{shortest}{longest}"


def _severity_text(item: CatalogItem) -> str:
    rule = item.severity_rule
    if isinstance(rule, FixedSeverity):
        return f"固定为“{rule.fixed.label_zh}”"
    if isinstance(rule, SeverityByField):
        label = next((f.label for f in item.fields if f.name == rule.by_field), rule.by_field)
        return f"按“{label}”确定"
    return "非失信信息"


def catalog_item_page(spec: dict[str, object]) -> CatalogItemPage:
    """A stored item (``CatalogItemOut.spec``) in words: what is collected, from which departments, how
    serious, and how long it is published."""
    item = CatalogItem.model_validate(stored_spec(dict(spec)))
    rule = item.publication_rule
    windows = [Window(severity="全部", text=_window_text(rule.fixed))] if rule.fixed else []
    for severity, window in sorted((rule.by_severity or {}).items(), key=lambda kv: kv[0].rank):
        windows.append(Window(severity=severity.label_zh, text=_window_text(window)))
    return CatalogItemPage(
        code=item.code,
        name=item.name,
        category_zh=Category(item.category).label_zh,
        openness_zh=Openness(item.openness).label_zh,
        department_kinds=list(item.source_department_kinds),
        severity=_severity_text(item),
        windows=windows,
        legal_basis=item.legal_basis,
        field_labels=[f.label for f in item.fields],
    )


def catalog_page(version: str, title: str, issued_by: str, specs: list[dict[str, object]]) -> CatalogPage:
    return CatalogPage(
        version=version,
        title=title,
        issued_by=issued_by,
        items=[catalog_item_page(spec) for spec in specs],
    )
