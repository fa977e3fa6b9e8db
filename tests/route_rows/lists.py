"""Role × route rows: lists."""

from __future__ import annotations

from xinyong.security.roles import Role

ROWS: dict[tuple[str, str], frozenset[Role]] = {}
PLACEHOLDERS: dict[str, str] = {}
