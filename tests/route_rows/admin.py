"""Role × route rows: admin (主体查询 and 系统管理: lookup, the staff view of a file, 待核验, departments,
accounts, tokens, catalog versions; pages and their JSON twins)."""

from __future__ import annotations

from xinyong.security.roles import Role

#: ``subjects:read``: the credit office, department reviewers, implementing units.
READERS = frozenset({Role.platform_admin, Role.dept_reviewer, Role.implementing_unit})
#: ``admin:manage``: the credit office.
OFFICE = frozenset({Role.platform_admin})

ROWS: dict[tuple[str, str], frozenset[Role]] = {
    ("GET", "/console/lookup"): READERS,
    ("POST", "/console/lookup/person"): READERS,
    ("GET", "/console/subjects/{subject_id}"): READERS,
    ("GET", "/api/v1/subjects/lookup"): READERS,
    ("POST", "/api/v1/subjects/lookup/person"): READERS,
    ("GET", "/console/unverified"): OFFICE,
    ("POST", "/console/unverified/{subject_id}/verification"): OFFICE,
    ("GET", "/console/admin"): OFFICE,
    ("GET", "/console/departments"): OFFICE,
    ("POST", "/console/departments"): OFFICE,
    ("POST", "/console/departments/{dept_code}/status"): OFFICE,
    ("GET", "/console/users"): OFFICE,
    ("POST", "/console/users"): OFFICE,
    ("POST", "/console/users/{username}/status"): OFFICE,
    ("GET", "/console/tokens"): OFFICE,
    ("POST", "/console/tokens"): OFFICE,
    ("POST", "/console/tokens/{token_id}/revocation"): OFFICE,
    ("GET", "/console/catalog"): OFFICE,
    ("POST", "/console/catalog"): OFFICE,
    ("GET", "/console/catalog/{version_id}"): OFFICE,
    ("POST", "/console/catalog/{version_id}/current"): OFFICE,
    ("GET", "/api/v1/admin/departments"): OFFICE,
    ("POST", "/api/v1/admin/departments"): OFFICE,
    ("POST", "/api/v1/admin/departments/{dept_code}/status"): OFFICE,
    ("GET", "/api/v1/admin/users"): OFFICE,
    ("POST", "/api/v1/admin/users"): OFFICE,
    ("POST", "/api/v1/admin/users/{username}/status"): OFFICE,
    ("GET", "/api/v1/admin/tokens"): OFFICE,
    ("POST", "/api/v1/admin/tokens"): OFFICE,
    ("POST", "/api/v1/admin/tokens/{token_id}/revocation"): OFFICE,
    ("GET", "/api/v1/admin/catalog/versions"): OFFICE,
    ("POST", "/api/v1/admin/catalog/check"): OFFICE,
    ("POST", "/api/v1/admin/catalog/versions"): OFFICE,
    ("GET", "/api/v1/admin/catalog/versions/{version_id}"): OFFICE,
    ("POST", "/api/v1/admin/catalog/versions/{version_id}/current"): OFFICE,
}
#: Objects the world does not hold: an allowed role gets the route's 404.
PLACEHOLDERS: dict[str, str] = {
    "dept_code": "NOPE-999999",
    "username": "no-such-user",
    "token_id": "999999",
    "version_id": "999999",
}
