"""The data version a check ran against: the catalog version whose lists it applied, and the audit
trail's last entry id at that moment (every record intake, list transition and objection writes one), so a
stored check names the exact state of the data it saw."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from xinyong.catalog.service import current_version
from xinyong.models import AuditEntry


def data_version(session: Session) -> dict[str, Any]:
    """``{"catalog": "2024-local-3", "audit_seq": 12345}``."""
    seq = session.scalar(select(func.max(AuditEntry.id))) or 0
    return {"catalog": current_version(session).version, "audit_seq": int(seq)}
