"""Role × route rows: portal (the public pages, their JSON twins and the public record)."""

from __future__ import annotations

from xinyong.security.roles import Role

ALL = frozenset(Role)

ROWS: dict[tuple[str, str], frozenset[Role]] = {
    ("GET", "/api/v1/public/records/{record_id}"): ALL,
    ("GET", "/api/v1/notices"): ALL,
    ("GET", "/api/v1/notices/{slug}"): ALL,
    ("GET", "/search"): ALL,
    ("GET", "/subjects/{subject_id}"): ALL,
    ("GET", "/records/{record_id}"): ALL,
    ("GET", "/catalog"): ALL,
    ("GET", "/notices"): ALL,
    ("GET", "/notices/{slug}"): ALL,
}
#: A notice no file has: its pages answer 404 to everyone.
PLACEHOLDERS: dict[str, str] = {"slug": "999999"}
