"""Role × route rows: portal (the public pages, their JSON twins and the public record)."""

from __future__ import annotations

from xinyong.security.roles import Role

ALL = frozenset(Role)

ROWS: dict[tuple[str, str], frozenset[Role]] = {
    ("GET", "/api/v1/public/records/{record_id}"): ALL,
}
PLACEHOLDERS: dict[str, str] = {}
