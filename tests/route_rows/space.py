"""Role × route rows: space (我的信用: a subject's own file, its readers, its grants; an agency's grants
and the files they open)."""

from __future__ import annotations

from xinyong.security.roles import Role

SUBJECT = frozenset({Role.subject})
AGENCY = frozenset({Role.agency})

ROWS: dict[tuple[str, str], frozenset[Role]] = {
    ("GET", "/space"): SUBJECT,
    ("GET", "/space/log"): SUBJECT,
    ("GET", "/space/grants"): SUBJECT,
    ("POST", "/space/grants"): SUBJECT,
    ("POST", "/space/grants/{authorisation_id}/revoke"): SUBJECT,
    ("GET", "/agency"): AGENCY,
    ("GET", "/agency/subjects/{subject_id}"): AGENCY,
    ("GET", "/api/v1/agencies"): SUBJECT,
    ("GET", "/api/v1/me/readers"): SUBJECT,
    ("GET", "/api/v1/agency/authorisations"): AGENCY,
}
#: The path parameters here are the table's own ({authorisation_id}: 999999, {subject_id}: the company).
PLACEHOLDERS: dict[str, str] = {}
