"""Every route of the app against an explicit role × route table.

A route added without ``authorize(scope)`` or without a row here fails ``test_every_route_is_in_the_table``;
a scope change that widens or narrows access fails ``test_roles_allowed_match_the_table``; and each
(route, role) pair is then called for real to check the running app gives the same answer.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI, routing
from sqlalchemy.orm import Session, sessionmaker
from starlette.routing import Mount

from xinyong.app import DOCS_ASSETS, STATIC_URL, create_app
from xinyong.config import Settings
from xinyong.kit.crypto import PersonalDataCipher
from xinyong.security.auth import route_scopes
from xinyong.security.roles import ROLE_SCOPES, Role

from conftest import Database
from route_rows import (
    admin,
    audit,
    catalog_lists,
    collection,
    feedback,
    lists,
    portal,
    screening,
    screening_batches,
    space,
)
from secworld import RecordingClient, World, bearer, client, make_client, query_log, world  # noqa: F401

R = Role
ALL = frozenset(Role)
ACCOUNTS = ALL - {R.public}
SUBJECT = frozenset({R.subject})
SUBMITTERS = frozenset({R.platform_admin, R.dept_operator})
OVERSIGHT = frozenset({R.platform_admin, R.dept_operator, R.auditor})

#: (method, path) -> roles that may call it. Written out by hand: this is the access policy.
TABLE: dict[tuple[str, str], frozenset[Role]] = {
    ("GET", "/"): ALL,
    ("GET", "/login"): ALL,
    ("POST", "/login"): ALL,
    ("POST", "/logout"): ACCOUNTS,
    ("GET", "/me"): ACCOUNTS,
    ("GET", "/api/v1/ids/check"): ALL,
    ("GET", "/api/v1/catalog"): ALL,
    ("GET", "/api/v1/workdays/add"): ALL,
    ("GET", "/api/v1/public/subjects"): ALL,
    ("GET", "/api/v1/public/subjects/{subject_id}"): ALL,
    ("GET", "/api/v1/me"): ACCOUNTS,
    ("GET", "/api/v1/me/file"): SUBJECT,
    ("GET", "/api/v1/me/query-log"): SUBJECT,
    ("GET", "/api/v1/me/authorisations"): SUBJECT,
    ("POST", "/api/v1/me/authorisations"): SUBJECT,
    ("DELETE", "/api/v1/me/authorisations/{authorisation_id}"): SUBJECT,
    ("GET", "/api/v1/subjects/{subject_id}/file"): frozenset(
        {R.platform_admin, R.dept_reviewer, R.implementing_unit}
    ),
    ("GET", "/api/v1/records/{record_id}"): frozenset({R.platform_admin, R.dept_operator, R.dept_reviewer}),
    ("GET", "/api/v1/subjects/unverified"): frozenset({R.platform_admin}),
    ("POST", "/api/v1/subjects/{subject_id}/verification"): frozenset({R.platform_admin}),
    ("GET", "/api/v1/audit/query-log"): frozenset({R.auditor}),
    ("POST", "/api/v1/ingest/batches"): SUBMITTERS,
    ("POST", "/api/v1/records:batch"): SUBMITTERS,
    ("GET", "/api/v1/ingest/batches"): SUBMITTERS,
    ("GET", "/api/v1/ingest/batches/{batch_id}"): SUBMITTERS,
    ("GET", "/api/v1/ingest/batches/{batch_id}/errors.csv"): SUBMITTERS,
    ("GET", "/api/v1/ingest/batches/{batch_id}/errors.xlsx"): SUBMITTERS,
    ("GET", "/api/v1/ingest/batches/{batch_id}/rejected"): SUBMITTERS,
    ("GET", "/api/v1/ingest/batches/{batch_id}/rejected.csv"): SUBMITTERS,
    ("POST", "/api/v1/ingest/batches/{batch_id}/resubmit"): SUBMITTERS,
    ("POST", "/api/v1/records/{record_id}/correction"): SUBMITTERS,
    ("POST", "/api/v1/records/{record_id}/revocation"): SUBMITTERS,
    ("GET", "/api/v1/oversight/timeliness"): OVERSIGHT,
    ("GET", "/api/v1/oversight/late-records"): OVERSIGHT,
    ("GET", "/api/v1/agency/subjects/{subject_id}/file"): frozenset({R.agency}),
}
AREAS = (
    portal,
    space,
    collection,
    admin,
    audit,
    lists,
    screening,
    screening_batches,
    feedback,
    catalog_lists,
)
for _area in AREAS:
    assert not set(_area.ROWS) & set(TABLE), f"{_area.__name__} repeats rows"
    TABLE.update(_area.ROWS)

#: Framework and probe routes that carry no data: docs, the OpenAPI document, health and readiness.
#: (method, path): a POST /healthz without ``authorize`` is not exempt because GET /healthz is.
UNGUARDED = {
    ("GET", "/docs"),
    ("GET", "/docs/oauth2-redirect"),
    ("GET", "/redoc"),
    ("GET", "/openapi.json"),
    ("GET", "/healthz"),
    ("GET", "/readyz"),
}
#: Mounted static files: the API docs' own scripts and styles (Swagger UI, ReDoc) and the pages'
#: stylesheet and scripts, no data.
STATIC_MOUNTS = {DOCS_ASSETS, STATIC_URL}

#: Which test account plays each role.
PLAYER = {
    R.platform_admin: "admin",
    R.dept_operator: "operator_a",
    R.dept_reviewer: "clerk_a",
    R.implementing_unit: "checker",
    R.subject: "company",
    R.agency: "agency",
    R.auditor: "auditor",
}


def _app_routes(app: FastAPI | None = None) -> list[tuple[str, str, Any]]:
    """(method, full path, dependant) of every route, routers included (FastAPI's own flattening)."""
    app = app or create_app(Settings())
    out: list[tuple[str, str, Any]] = []
    for context in routing.iter_route_contexts(app.routes):
        if isinstance(context.route, Mount):
            assert context.path in STATIC_MOUNTS, f"unexpected mount {context.path}"
            continue
        path, methods = context.path, context.methods
        assert path is not None and methods, f"route without path or methods: {context}"
        dependant = getattr(context, "dependant", None)
        for method in sorted(methods - {"HEAD"}):
            if dependant is None:
                assert (method, path) in UNGUARDED, f"{method} {path} is not an API route nor a framework one"
            out.append((method, path, dependant))
    return out


def _unguarded_problems(app: FastAPI | None = None) -> list[str]:
    """Routes that are neither exempt nor guarded by exactly one ``authorize``."""
    problems = []
    for method, path, dependant in _app_routes(app):
        scopes = list(route_scopes(dependant))
        if (method, path) in UNGUARDED:
            if scopes:
                problems.append(f"{method} {path} is exempt but declares {scopes}")
        elif len(scopes) != 1:
            problems.append(f"{method} {path} must declare exactly one authorize(scope), has {scopes}")
        elif (method, path) not in TABLE:
            problems.append(f"{method} {path} has no row in the role × route table")
    return problems


def test_exemption_is_per_method_and_path() -> None:
    app = create_app(Settings())

    @app.post("/healthz")
    def sneaky() -> dict[str, str]:
        return {"status": "ok"}

    assert _unguarded_problems(app) == ["POST /healthz must declare exactly one authorize(scope), has []"]


def test_every_route_is_in_the_table() -> None:
    assert _unguarded_problems() == []
    seen = set()
    for method, path, _route in _app_routes():
        if (method, path) in UNGUARDED:
            continue
        assert (method, path) in TABLE, f"{method} {path} has no row in the role × route table"
        seen.add((method, path))
    assert seen == set(TABLE), f"rows for routes that do not exist: {set(TABLE) - seen}"


def test_every_route_names_exactly_one_scope() -> None:
    for method, path, dependant in _app_routes():
        scopes = list(route_scopes(dependant))
        if (method, path) in UNGUARDED:
            assert not scopes
            continue
        assert len(scopes) == 1, f"{method} {path} must declare exactly one authorize(scope), has {scopes}"


def test_roles_allowed_match_the_table() -> None:
    for method, path, dependant in _app_routes():
        if (method, path) in UNGUARDED:
            continue
        (scope,) = route_scopes(dependant)
        allowed = frozenset(role for role, scopes in ROLE_SCOPES.items() if scope in scopes)
        assert allowed == TABLE[(method, path)], f"{method} {path} ({scope}): roles {sorted(allowed)}"


def _url(path: str, world: World) -> str:
    assert world.company is not None
    for area in AREAS:
        for name, value in area.PLACEHOLDERS.items():
            path = path.replace("{" + name + "}", value)
    return (
        path.replace("{subject_id}", str(world.company.id))
        .replace("{record_id}", str(world.records["a_private"].id))
        .replace("{authorisation_id}", "999999")
        .replace("{batch_id}", "999999")
    )


DENIED = {"UNAUTHENTICATED", "SCOPE_MISSING"}


@pytest.fixture
def table_client(
    world: World, database: Database, sessions: sessionmaker[Session], cipher: PersonalDataCipher
) -> Iterator[RecordingClient]:
    """A client whose public rate limit lets one caller call every route of the table in a row."""
    owners = {token: username for username, token in world.tokens.items()}
    with make_client(database, sessions, world.clock, cipher, owners, public_rate_limit=10_000) as c:
        yield c
    assert c.leaks({"anonymous", "agency"}) == []


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
def test_the_running_app_enforces_the_table(role: Role, world: World, table_client: RecordingClient) -> None:
    client = table_client
    headers = bearer(world, PLAYER[role]) if role is not R.public else {}
    for (method, path), allowed in TABLE.items():
        response = client.request(method, _url(path, world), headers=headers, follow_redirects=False)
        body = response.json() if "json" in response.headers.get("content-type", "") else None
        code = body.get("code") if isinstance(body, dict) else None
        if role in allowed:
            assert code not in DENIED, f"{role} should reach {method} {path}: {response.status_code} {code}"
            if not path.startswith("/api"):  # pages: no error code to read, so the status must say it
                assert response.status_code not in (401, 403), f"{role} should reach {method} {path}"
        else:
            assert response.status_code in (401, 403), f"{role} must not reach {method} {path}"
            if path.startswith("/api"):
                assert code == ("UNAUTHENTICATED" if role is R.public else "SCOPE_MISSING")


# --------------------------------------------------------------------------- object level
# The scope admits the caller to the route; the object decides the rest (issue 10 items 1, 2). Each row:
# who, what, on which object of the world, the status and code expected, and whether the refusal must
# be in the query log. Every caller here has the route's scope.


def _court_list(world: World) -> dict[str, object]:
    assert world.company is not None
    row = {
        "subject_name": world.company.name,
        "subject_id": world.company.uscc,
        "source_record_id": "OBJ-1",
        "decision_no": "（2026）苏0902执1号",
        "decision_date": "2026-03-02",
    }
    return {"item": "SF-001", "records": [row]}


PURPOSE_QUERY = {"purpose": "日常监管", "legal_basis": "《江苏省社会信用条例》第三十条"}


def _object_cases(world: World) -> list[tuple[str, str, str, dict[str, Any], int, str, bool]]:
    """(caller, method, url, request kwargs, status, code, logged)."""
    assert world.person is not None
    person, other_county = world.person.id, world.records["b_private"].id
    return [
        # a market regulator's operator submitting a court's list (谁产生、谁提供)
        ("operator_a", "POST", "/api/v1/records:batch", {"json": _court_list(world)}, 403,
         "INGEST_ITEM_NOT_FOR_DEPARTMENT", False),
        # a county reviewer reading a person of another county, and another county's unpublished record
        ("clerk_a", "GET", f"/api/v1/subjects/{person}/file", {"params": PURPOSE_QUERY}, 404,
         "SUBJECT_NOT_FOUND", True),
        ("clerk_a", "GET", f"/api/v1/records/{other_county}", {"params": PURPOSE_QUERY}, 404,
         "RECORD_NOT_FOUND", True),
        ("operator_a", "GET", f"/api/v1/records/{world.records['person_qual'].id}", {"params": PURPOSE_QUERY},
         404, "RECORD_NOT_FOUND", True),
    ]  # fmt: skip


def test_the_running_app_checks_the_object(world: World, client: RecordingClient) -> None:
    for caller, method, url, kwargs, status, code, logged in _object_cases(world):
        before = len(query_log(world.session, username=caller))
        response = client.request(method, url, headers=bearer(world, caller), **kwargs)
        assert (response.status_code, response.json()["code"]) == (status, code), f"{caller} {method} {url}"
        entries = query_log(world.session, username=caller)
        if logged:
            assert len(entries) == before + 1 and not entries[-1].allowed, f"{caller} {url} not logged"
