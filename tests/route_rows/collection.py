"""Role × route rows: collection (数据报送 pages and their JSON twins)."""

from __future__ import annotations

from xinyong.security.roles import Role

R = Role
SUBMITTERS = frozenset({R.platform_admin, R.dept_operator})
OVERSIGHT = frozenset({R.platform_admin, R.dept_operator, R.auditor})

ROWS: dict[tuple[str, str], frozenset[Role]] = {
    ("GET", "/console/collection"): SUBMITTERS,
    ("POST", "/console/collection/upload"): SUBMITTERS,
    ("GET", "/console/batches"): SUBMITTERS,
    ("GET", "/console/batches/{batch_id}"): SUBMITTERS,
    ("GET", "/console/batches/{batch_id}/rejected"): SUBMITTERS,
    ("POST", "/console/batches/{batch_id}/rejected"): SUBMITTERS,
    ("GET", "/console/quality"): OVERSIGHT,
    ("GET", "/api/v1/ingest/items"): SUBMITTERS,
    ("GET", "/api/v1/ingest/templates/{item_code}.csv"): SUBMITTERS,
    ("GET", "/api/v1/ingest/templates/{item_code}.xlsx"): SUBMITTERS,
    ("GET", "/api/v1/oversight/quality"): OVERSIGHT,
}
PLACEHOLDERS: dict[str, str] = {"item_code": "CF-001"}
