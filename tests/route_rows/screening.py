"""Role × route rows: the single screening (联合奖惩核查): implementing units and the credit office run it;
a stored check is read by its own department (the placeholder id exists for nobody: 404 past the scope)."""

from __future__ import annotations

from xinyong.security.roles import Role

SCREENERS = frozenset({Role.implementing_unit, Role.platform_admin})

ROWS: dict[tuple[str, str], frozenset[Role]] = {
    ("POST", "/api/v1/screening"): SCREENERS,
    ("GET", "/api/v1/screenings"): SCREENERS,
    ("GET", "/api/v1/screenings/{screening_id}"): SCREENERS,
    ("GET", "/api/v1/screenings/{screening_id}/verification"): SCREENERS,
    ("GET", "/console/screening"): SCREENERS,
    ("POST", "/console/screening"): SCREENERS,
    ("GET", "/console/screenings"): SCREENERS,
    ("GET", "/console/screenings/{screening_id}"): SCREENERS,
}
#: No screening has this id.
PLACEHOLDERS: dict[str, str] = {"screening_id": "999999"}
