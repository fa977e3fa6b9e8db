"""Role × route rows: batch screening (自动比对): implementing units and the credit office run it; a batch
is read by its own department (the placeholder id exists for nobody: 404 past the scope)."""

from __future__ import annotations

from xinyong.security.roles import Role

SCREENERS = frozenset({Role.implementing_unit, Role.platform_admin})

ROWS: dict[tuple[str, str], frozenset[Role]] = {
    ("POST", "/api/v1/screening/batches"): SCREENERS,
    ("GET", "/api/v1/screening/batches"): SCREENERS,
    ("GET", "/api/v1/screening/batches/{batch_id}"): SCREENERS,
    ("GET", "/api/v1/screening/batches/{batch_id}/result.csv"): SCREENERS,
    ("GET", "/api/v1/screening/batches/{batch_id}/result.xlsx"): SCREENERS,
    ("GET", "/api/v1/screening/batches/{batch_id}/result.json"): SCREENERS,
    ("GET", "/api/v1/screening/batches/{batch_id}/verification"): SCREENERS,
    ("GET", "/console/screening/batches"): SCREENERS,
    ("POST", "/console/screening/batches"): SCREENERS,
    ("GET", "/console/screening/batches/{batch_id}"): SCREENERS,
}
#: No batch has this id.
PLACEHOLDERS: dict[str, str] = {"batch_id": "999999"}
