"""Schemathesis over the whole OpenAPI document, in process, as every role of the security world.

Every operation is called with generated requests, valid ones (positive) and ones that break the schema
(negative: ids past the integers, strings where numbers go, ...), as the public and as
each account of ``secworld``. Each response must not be a server error, must have a status the document
declares for the operation, and must match the declared content type and body schema (errors in the one
``Error`` shape). Path ids are drawn from the ids the world holds as well as generated, so the 200s of
real files, records and batches are checked too.

Bounded: a role that holds the operation's scope gets ``HOLDER_EXAMPLES`` requests, any other role
``OUTSIDER_EXAMPLES`` (its answer is a 401 or 403 before the route runs, so a few prove the shape). The
generation is derandomised, so a run is repeatable. ``XINYONG_FUZZ_SCALE`` multiplies the counts for a
deeper run (``XINYONG_FUZZ_SCALE=10 pytest tests/test_fuzz_openapi.py``).

Every operation also gets each edge value once (``_edges``), in every path and query parameter and in its
JSON body: ids past 32 and 64 bits, days that do not exist or lie at the end of the calendar, months past
9999-12, NUL, lone surrogates, nesting deeper than any record.

Databases: SQLite gets the whole run; PostgreSQL every edge value but a quarter of the generated examples.
What differs between the two is what the database refuses (an id past 32 bits is an error on PostgreSQL
only, NUL too), which is what the edge values aim at; the rest of the stack is the same, so the budget
(about two minutes for both on two cores) buys more on SQLite than it would repeating examples.

The numbers of operations and requests run, and the time, are written to the terminal.
"""

from __future__ import annotations

import os
import time
import traceback
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import Case, GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.core.result import Err
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from xinyong.app import create_app
from xinyong.config import Settings
from xinyong.kit.crypto import PersonalDataCipher
from xinyong.limits import route_table
from xinyong.models import IngestBatch
from xinyong.security.roles import ROLE_SCOPES, Role, Scope

from conftest import Database
from secworld import PURPOSE, World, world  # noqa: F401

SCALE = float(os.environ.get("XINYONG_FUZZ_SCALE", "1"))
HOLDER_EXAMPLES = 40
OUTSIDER_EXAMPLES = 2
#: Share of the examples run on PostgreSQL (see the module's docstring).
POSTGRES_SHARE = 0.25
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
#: Values at the edges of what parameters may hold: ids past 64 bits, days and months that do not
#: exist or lie at the end of the calendar, text with NUL; and, in a JSON body, text that is no text (a
#: lone surrogate) and nesting deeper than any record.
EDGE_INTEGERS: list[Any] = [0, -1, 2**31, 2**63 - 1, 2**63, 2**64, 10**30]
EDGE_DATES: list[Any] = ["2025-02-30", "2025-13-01", "0000-01-01", "0001-01-01", "9999-12-31", "2024-02-29"]
EDGE_MONTHS: list[Any] = ["9999-12", "0000-01", "0001-01", "2025-13", "2025-00"]
EDGE_STRINGS: list[Any] = ["a\x00b", "９１３２０９０２ＭＡ１ＸＹＷ１２", "%", "_", "\\", "x" * 2000]


def _nested(depth: int) -> Any:
    value: Any = "x"
    for _ in range(depth):
        value = [value]
    return value


EDGE_BODY_VALUES: list[Any] = ["\ud800", "\udc00x", "a\x00b", _nested(40)]
#: The world's accounts and their roles; ``None`` is the public (no token).
CALLERS: dict[str | None, Role] = {
    None: Role.public,
    "admin": Role.platform_admin,
    "operator_a": Role.dept_operator,
    "clerk_a": Role.dept_reviewer,
    "checker": Role.implementing_unit,
    "auditor": Role.auditor,
    "company": Role.subject,
    "person": Role.subject,
    "agency": Role.agency,
}


@dataclass
class Run:
    """What the fuzzing did: operations, requests by status class, failures."""

    operations: int = 0
    requests: int = 0
    statuses: Counter[str] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)

    def call(self, case: Case[Any], headers: dict[str, str]) -> None:
        """Send ``case`` and check the response; a failed check raises schemathesis's report."""
        self.requests += 1
        response = case.call(headers=headers)  # a server error the app raises comes out here
        self.statuses[f"{response.status_code // 100}xx"] += 1
        case.validate_response(response, checks=CHECKS, headers=headers)

    def failed(self, key: str, caller: str, exc: BaseException) -> None:
        self.failures.append(f"{key} as {caller}: {''.join(traceback.format_exception_only(exc)).strip()}")

    def summary(self, kind: str, seconds: float) -> str:
        by_class = ", ".join(f"{k}: {v}" for k, v in sorted(self.statuses.items()))
        return (
            f"schemathesis ({kind}): {self.operations} operations, {self.requests} requests "
            f"({by_class}) in {seconds:.0f} s; {len(self.failures)} failing"
        )


@pytest.fixture
def fuzz_app(
    world: World,
    database: Database,
    sessions: sessionmaker[Session],
    cipher: PersonalDataCipher,
    tmp_path: Path,
) -> Iterator[FastAPI]:
    settings = Settings(database_url=database.url, data_dir=tmp_path, public_rate_limit=10**9)
    app = create_app(settings, engine=database.engine, clock=world.clock)
    app.state.sessions = sessions
    app.state.cipher = cipher
    yield app


def _known_ids(world: World) -> dict[str, list[int]]:
    """Ids of objects the world holds, by path parameter name."""
    assert world.company is not None and world.person is not None
    batches = list(world.session.scalars(select(IngestBatch.id).order_by(IngestBatch.id)))
    return {
        "subject_id": [world.company.id, world.person.id],
        "record_id": [r.id for r in world.records.values()],
        "batch_id": batches,
    }


def _scopes(app: FastAPI) -> dict[tuple[str, str], Scope | None]:
    return {(route.method, route.path): route.scope for route in route_table(app.routes)}


def _strategy(operation: Any, known: dict[str, list[int]]) -> st.SearchStrategy[Case[Any]]:
    """Positive and negative requests; path ids also drawn from the world's own objects."""
    modes = [operation.as_strategy(generation_mode=m) for m in GenerationMode]
    names = [p.name for p in operation.path_parameters]
    fixed = {name: known[name] for name in names if known.get(name)}
    if fixed:
        chosen = st.fixed_dictionaries({name: st.sampled_from(ids) for name, ids in fixed.items()})
        modes.append(chosen.flatmap(lambda params: operation.as_strategy(path_parameters=params)))
    return st.one_of(modes)


def _fuzz(
    operation: Any, headers: dict[str, str], examples: int, known: dict[str, list[int]], run: Run
) -> None:
    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate, Phase.shrink],
        suppress_health_check=list(HealthCheck),
        report_multiple_bugs=False,
    )
    @given(case=_strategy(operation, known))
    def test(case: Case[Any]) -> None:
        run.call(case, headers)

    test()


def _edge_values(parameter: Any) -> list[Any]:
    """The edge values for one path or query parameter, by its schema's type and format."""
    schema = parameter.definition.get("schema", {})
    alternatives = [schema, *schema.get("anyOf", [])]
    types = {s.get("type") for s in alternatives}
    formats = {s.get("format") for s in alternatives}
    if "integer" in types:
        return EDGE_INTEGERS
    if "date" in formats:
        return EDGE_DATES
    if parameter.name == "month":
        return EDGE_MONTHS
    if "string" in types and not any("enum" in s for s in alternatives):
        return EDGE_STRINGS
    return []


def _edge_bodies(body: Any) -> list[Any]:
    """A generated JSON body with its first text value replaced by each edge value (a lone surrogate,
    NUL, deep nesting)."""
    if not isinstance(body, dict) or not body:
        return []
    name = next((k for k, v in body.items() if isinstance(v, str)), next(iter(body)))
    return [{**body, name: value} for value in EDGE_BODY_VALUES]


def _edges(operation: Any, headers: dict[str, str], run: Run, key: str, caller: str) -> None:
    """Every edge value in every path and query parameter, then in the body, once each; the other
    parameters are generated. Each failure is kept, and the next edge is tried."""

    @settings(max_examples=1, deadline=None, database=None, derandomize=True, phases=[Phase.generate])
    @given(data=st.data())
    def test(data: st.DataObject) -> None:
        cases = []
        located = [("path_parameters", p) for p in operation.path_parameters]
        located += [("query", p) for p in operation.query]
        for place, parameter in located:
            for value in _edge_values(parameter):
                cases.append(data.draw(operation.as_strategy(**{place: {parameter.name: value}})))
        if operation.body:
            base = data.draw(operation.as_strategy())
            if base.media_type == "application/json":
                # An operation may also take a file (multipart): say which body the edge values go in.
                json = operation.as_strategy
                cases += [
                    data.draw(json(body=b, media_type=base.media_type)) for b in _edge_bodies(base.body)
                ]
        for case in cases:
            try:
                run.call(case, headers)
            except (Exception, FailureGroup) as exc:
                exc.add_note(f"request: {case.as_curl_command(headers=headers)}")
                run.failed(key, caller, exc)

    test()


def _budget(kind: str) -> Callable[[int], int]:
    share = SCALE * (POSTGRES_SHARE if kind == "postgresql" else 1.0)
    return lambda n: max(1, round(n * share))


def test_the_whole_api_under_fuzzing(
    fuzz_app: FastAPI, world: World, database: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    started = time.monotonic()
    schema = schemathesis.openapi.from_asgi("/openapi.json", fuzz_app)
    scopes = _scopes(fuzz_app)
    known = _known_ids(world)
    budget = _budget(database.kind)
    run = Run()
    for result in schema.get_all_operations():
        if isinstance(result, Err):
            raise result.err()
        operation = result.ok()
        key = f"{operation.method.upper()} {operation.path}"
        scope = scopes.get((operation.method.upper(), operation.path))
        run.operations += 1
        edged = False
        for username, role in CALLERS.items():
            caller = username or "anonymous"
            headers = {"Authorization": f"Bearer {world.tokens[username]}"} if username else {}
            holds = scope is None or scope in ROLE_SCOPES[role]
            try:
                _fuzz(operation, headers, budget(HOLDER_EXAMPLES if holds else OUTSIDER_EXAMPLES), known, run)
            except (Exception, FailureGroup) as exc:  # failed checks (a group), or a server error
                run.failed(key, caller, exc)
            if holds and not edged:  # the edges once per operation, as the first caller it serves
                _edges(operation, headers, run, key, caller)
                edged = True
    line = run.summary(database.kind, time.monotonic() - started)
    with capsys.disabled():  # the numbers go to the terminal in every run, not only a failing one
        print(f"\n{line}")
    assert run.operations >= 30
    assert not run.failures, "\n\n".join(run.failures)


# --- the document itself: what /docs shows ---


def test_the_document_declares_the_bearer_scheme_and_every_operations_errors(fuzz_app: FastAPI) -> None:
    document = fuzz_app.openapi()
    (bearer,) = document["components"]["securitySchemes"].values()
    assert bearer["type"] == "http" and bearer["scheme"] == "bearer"
    error = document["components"]["schemas"]["Error"]
    assert (
        error["required"] == ["code", "message"]
        and "HTTPValidationError" not in document["components"]["schemas"]
    )
    scopes = _scopes(fuzz_app)
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            scope = scopes[(method.upper(), path)]
            if scope is None:
                assert path in {"/healthz", "/readyz"} and "security" not in operation
                continue
            # /docs's Authorize button sends the token; public operations work without one too.
            expected: list[dict[str, list[str]]] = (
                [{}, {"bearerAuth": []}] if scope is Scope.public_read else [{"bearerAuth": []}]
            )
            assert operation["security"] == expected, (method, path)
            for status in ("400", "401", "403", "404", "413", "422", "429"):
                content = operation["responses"][status]["content"]["application/json"]
                assert content["schema"] == {"$ref": "#/components/schemas/Error"}, (method, path, status)
    csv = document["paths"]["/api/v1/ingest/batches/{batch_id}/errors.csv"]["get"]["responses"]["200"]
    assert list(csv["content"]) == ["text/csv"]
    batch = document["paths"]["/api/v1/records:batch"]["post"]["responses"]["413"]["description"]
    assert "39 MB" in batch  # the route's own limit


def test_the_docs_page_offers_authorisation(fuzz_app: FastAPI) -> None:
    with TestClient(fuzz_app) as docs:
        page = docs.get("/docs")
        assert page.status_code == 200 and "persistAuthorization" in page.text


# --- one convention for instants: ISO 8601 with the offset, China Standard Time, on both databases ---


def test_every_instant_in_a_response_carries_its_offset(fuzz_app: FastAPI, world: World) -> None:
    with TestClient(fuzz_app) as api:
        person = {"Authorization": f"Bearer {world.tokens['person']}"}
        granted = api.post(
            "/api/v1/me/authorisations",
            json={"agency": "agency", "purpose": "招标投标", "days": 30},
            headers=person,
        ).json()
        revoked = api.delete(f"/api/v1/me/authorisations/{granted['id']}", headers=person).json()
        listed = api.get("/api/v1/me/authorisations", headers=person).json()
        assert world.person is not None
        admin = {"Authorization": f"Bearer {world.tokens['admin']}"}
        read = api.get(f"/api/v1/subjects/{world.person.id}/file", params=PURPOSE, headers=admin)
        assert read.status_code == 200
        log = api.get("/api/v1/me/query-log", headers=person).json()
    # The revocation's own answer (the clock's instant) and the list (read back from the database) agree.
    assert revoked["revoked_at"] == listed[0]["revoked_at"] == "2026-03-16T10:00:00+08:00"
    assert [e["at"] for e in log["entries"]] == ["2026-03-16T10:00:00+08:00"]
