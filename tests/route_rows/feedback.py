"""Role × route rows: feedback."""

from __future__ import annotations

from xinyong.security.roles import Role

ROWS: dict[tuple[str, str], frozenset[Role]] = {}
PLACEHOLDERS: dict[str, str] = {}
