"""Role × route rows: catalog_lists (the four lists: the public page and its JSON twins, the credit office's
page and the catalog file it offers for download)."""

from __future__ import annotations

from xinyong.security.roles import Role

ALL = frozenset(Role)
#: ``admin:manage``: the credit office.
OFFICE = frozenset({Role.platform_admin})

ROWS: dict[tuple[str, str], frozenset[Role]] = {
    ("GET", "/api/v1/catalog/scopes"): ALL,
    ("GET", "/api/v1/catalog/measures"): ALL,
    ("GET", "/catalog/lists"): ALL,
    ("GET", "/console/list-catalog"): OFFICE,
    ("GET", "/console/list-catalog/catalog.yaml"): OFFICE,
}
PLACEHOLDERS: dict[str, str] = {}
