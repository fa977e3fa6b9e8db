"""Role × route rows: lists (红黑名单: proposals and their lifecycle, objections, the public lists, a
subject's own entries; the console, portal and space pages)."""

from __future__ import annotations

from xinyong.security.roles import Role

R = Role
ALL = frozenset(Role)
INITIATORS = frozenset({R.platform_admin, R.dept_reviewer})
PUBLISHER = frozenset({R.platform_admin})
REVIEWER = frozenset({R.dept_reviewer})
SUBJECT = frozenset({R.subject})

ROWS: dict[tuple[str, str], frozenset[Role]] = {
    ("POST", "/api/v1/list-entries"): INITIATORS,
    ("GET", "/api/v1/list-entries"): INITIATORS,
    ("GET", "/api/v1/list-entries/{entry_id}"): INITIATORS,
    ("GET", "/api/v1/list-entries/{entry_id}/events"): INITIATORS,
    ("POST", "/api/v1/list-entries/{entry_id}/notify"): INITIATORS,
    ("POST", "/api/v1/list-entries/{entry_id}/decide"): INITIATORS,
    ("POST", "/api/v1/list-entries/{entry_id}/publish"): PUBLISHER,
    ("POST", "/api/v1/list-entries/{entry_id}/exit"): INITIATORS,
    ("POST", "/api/v1/objections"): SUBJECT,
    ("POST", "/api/v1/objections/{objection_id}/decision"): REVIEWER,
    ("GET", "/api/v1/objections"): REVIEWER,
    ("GET", "/api/v1/me/list-entries"): SUBJECT,
    ("POST", "/api/v1/me/list-entries/{entry_id}/waiver"): SUBJECT,
    ("POST", "/space/lists/{entry_id}/waiver"): SUBJECT,
    ("GET", "/api/v1/public/subjects/{subject_id}/list-entries"): ALL,
    ("GET", "/api/v1/public/lists/{list_kind}"): ALL,
    ("GET", "/api/v1/public/list-entries/{number}"): ALL,
}
#: {entry_id} and {objection_id}: rows that do not exist (the allowed roles get a 404, not a refusal);
#: {list_kind}: the black list; {number}: an entry number nobody has.
PLACEHOLDERS: dict[str, str] = {
    "entry_id": "999999",
    "objection_id": "999999",
    "list_kind": "black",
    "number": "HMD-2026-999999",
}

PAGES: dict[tuple[str, str], frozenset[Role]] = {
    ("GET", "/console/lists"): INITIATORS,
    ("POST", "/console/lists"): INITIATORS,
    ("GET", "/console/lists/{entry_id}"): INITIATORS,
    ("POST", "/console/lists/{entry_id}/notify"): INITIATORS,
    ("POST", "/console/lists/{entry_id}/decide"): INITIATORS,
    ("POST", "/console/lists/{entry_id}/publish"): PUBLISHER,
    ("POST", "/console/lists/{entry_id}/exit"): INITIATORS,
    ("POST", "/console/lists/objections/{objection_id}/decision"): REVIEWER,
    ("GET", "/lists"): ALL,
    ("GET", "/lists/{number}"): ALL,
    ("GET", "/space/lists"): SUBJECT,
    ("POST", "/space/lists/{entry_id}/objection"): SUBJECT,
}
ROWS.update(PAGES)
