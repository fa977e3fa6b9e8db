"""The Chinese words the space's pages show for the stable English values of a credit file."""

from __future__ import annotations

from typing import Final

from sqlalchemy.orm import Session

from xinyong.catalog.terms import NO_SEVERITY_LABEL_ZH, Category, Openness
from xinyong.files.schemas import RecordOut
from xinyong.models.records import RecordStatus, Severity
from xinyong.space import repository

RECORD_STATUS_ZH: Final = {
    RecordStatus.active.value: "有效",
    RecordStatus.revoked.value: "已撤销",
    RecordStatus.repaired.value: "已修复",
    RecordStatus.expired.value: "公示期满",
}

#: What the templates read: ``zh.category[record.category]`` and so on.
WORDS: Final = {
    "category": {c.value: c.label_zh for c in Category},
    "openness": {o.value: o.label_zh for o in Openness},
    "severity": {s.value: s.label_zh for s in Severity},
    "status": RECORD_STATUS_ZH,
    "no_severity": NO_SEVERITY_LABEL_ZH,
}


def field_labels(session: Session, records: list[RecordOut]) -> dict[str, dict[str, str]]:
    """The Chinese label of each field of the records' catalog items (item code -> name -> label)."""
    return repository.field_labels(session, {r.item_code for r in records})
