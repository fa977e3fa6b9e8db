"""Role × route rows: audit (the auditor's query log and audit trail, the credit office's dashboard)."""

from __future__ import annotations

from xinyong.security.roles import Role

AUDITOR = frozenset({Role.auditor})
CREDIT_OFFICE = frozenset({Role.platform_admin})

ROWS: dict[tuple[str, str], frozenset[Role]] = {
    ("GET", "/console/query-log"): AUDITOR,
    ("GET", "/console/query-log.csv"): AUDITOR,
    ("GET", "/api/v1/audit/query-log.csv"): AUDITOR,
    ("GET", "/console/audit-trail"): AUDITOR,
    ("GET", "/api/v1/audit/events"): AUDITOR,
    ("GET", "/api/v1/audit/verification"): AUDITOR,
    ("GET", "/console/dashboard"): CREDIT_OFFICE,
    ("GET", "/api/v1/oversight/dashboard"): CREDIT_OFFICE,
}
PLACEHOLDERS: dict[str, str] = {}
