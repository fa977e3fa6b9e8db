"""What a request may carry (``xinyong.limits`` and the parameter types of ``xinyong.web``).

The attacks of issue 10 item 5 are driven through the ASGI app itself with a ``receive`` that counts the
bytes the server pulls: the public's 28 MB JSON body and 201 MB upload are answered 401 with nothing
read; an account without the scope gets 403, again with nothing read; a body past the route's limit is
answered 413 when its declared length says so (nothing read) and, without a length, as soon as the count
passes the limit. Item 9's server errors: ids past the databases' integers, days that do not exist or lie
at the end of the calendar, NUL and lone surrogates, nesting deeper than any record.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio
import pytest
from sqlalchemy.orm import Session, sessionmaker
from starlette.types import ASGIApp, Message

import xinyong.catalog
from xinyong.kit.crypto import PersonalDataCipher
from xinyong.limits import (
    BATCH_LIMIT,
    DEFAULT_BODY_BYTES,
    MAX_JSON_DEPTH,
    UPLOAD_LIMIT,
    has_lone_surrogate,
    has_nul,
    json_depth_exceeds,
)
from xinyong.web import MAX_ROW_ID

from conftest import Database
from secworld import PURPOSE, RecordingClient, World, bearer, client, make_client, world  # noqa: F401

MB = 1024 * 1024
CHUNK = b"x" * MB


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes
    #: Body bytes the app pulled from the client.
    pulled: int

    def json(self) -> Any:
        return json.loads(self.body)


def call(
    app: ASGIApp,
    method: str,
    path: str,
    *,
    headers: dict[str, str],
    chunks: Iterator[bytes],
    declared: int | None = None,
) -> Answer:
    """One request to the ASGI app, its body sent chunk by chunk as a client would, counting what the app
    pulls. ``declared`` is the Content-Length sent (None: chunked transfer)."""
    raw = [(k.lower().encode(), v.encode()) for k, v in headers.items()]
    raw.append(
        (b"content-length", str(declared).encode())
        if declared is not None
        else (b"transfer-encoding", b"chunked")
    )
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"testserver"), *raw],
        "client": ("203.0.113.9", 50000),
        "server": ("testserver", 80),
    }
    pulled = 0
    done = False
    status, out_headers, body = 0, {}, bytearray()

    async def receive() -> Message:
        nonlocal pulled, done
        if done:
            await anyio.sleep_forever()
        chunk = next(chunks, None)
        if chunk is None:
            done = True
            return {"type": "http.request", "body": b"", "more_body": False}
        pulled += len(chunk)
        return {"type": "http.request", "body": chunk, "more_body": True}

    async def send(message: Message) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
            out_headers.update({k.decode(): v.decode() for k, v in message.get("headers", [])})
        elif message["type"] == "http.response.body":
            body.extend(message.get("body", b""))

    async def run() -> None:
        await app(scope, receive, send)

    anyio.run(run)
    return Answer(status, out_headers, bytes(body), pulled)


def megabytes(n: int, head: bytes = b"", tail: bytes = b"") -> Iterator[bytes]:
    yield head
    for _ in range(n):
        yield CHUNK
    yield tail


def json_batch(n_mb: int) -> Iterator[bytes]:
    return megabytes(n_mb, b'{"item":"CF-001","records":[{"violation_facts":"', b'"}]}')


BOUNDARY = "xyboundary"


def upload(n_mb: int) -> Iterator[bytes]:
    head = (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="item"\r\n\r\nCF-001\r\n'
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="big.csv"\r\n'
        "Content-Type: text/csv\r\n\r\n"
    ).encode()
    return megabytes(n_mb, head, f"\r\n--{BOUNDARY}--\r\n".encode())


JSON = {"content-type": "application/json"}
MULTIPART = {"content-type": f"multipart/form-data; boundary={BOUNDARY}"}


# --- the caller first: nothing is read from the public or from an account without the scope ---


@pytest.mark.parametrize("declared", [28 * MB, None], ids=["declared", "chunked"])
def test_the_publics_28_mb_json_body_is_refused_before_a_byte_is_read(
    client: RecordingClient, declared: int | None
) -> None:
    answer = call(
        client.app, "POST", "/api/v1/records:batch", headers=JSON, chunks=json_batch(28), declared=declared
    )
    assert answer.status == 401 and answer.json()["code"] == "UNAUTHENTICATED"
    assert answer.pulled == 0
    assert answer.headers["x-content-type-options"] == "nosniff"  # the guard's answers carry the headers


@pytest.mark.parametrize("declared", [201 * MB, None], ids=["declared", "chunked"])
def test_the_publics_201_mb_upload_is_refused_before_a_byte_is_read(
    client: RecordingClient, declared: int | None
) -> None:
    answer = call(
        client.app, "POST", "/api/v1/ingest/batches", headers=MULTIPART, chunks=upload(201), declared=declared
    )
    assert answer.status == 401 and answer.pulled == 0


def test_an_invalid_token_and_a_missing_scope_are_refused_before_the_body(
    client: RecordingClient, world: World
) -> None:
    forged = {**JSON, "authorization": "Bearer xy_forged"}
    answer = call(client.app, "POST", "/api/v1/records:batch", headers=forged, chunks=json_batch(5))
    assert answer.status == 401 and answer.json()["code"] == "TOKEN_INVALID" and answer.pulled == 0
    clerk = {**JSON, **bearer(world, "clerk_a")}  # a reviewer does not submit records
    answer = call(client.app, "POST", "/api/v1/records:batch", headers=clerk, chunks=json_batch(5))
    assert answer.status == 403 and answer.json()["code"] == "SCOPE_MISSING" and answer.pulled == 0


def test_refusals_at_the_door_spend_the_publics_quota(
    database: Database, sessions: sessionmaker[Session], world: World, cipher: PersonalDataCipher
) -> None:
    """Guessing tokens with bodies costs what guessing them without does: the guard's 401s are counted."""
    with make_client(database, sessions, world.clock, cipher, public_rate_limit=2) as limited:
        forged = {**JSON, "authorization": "Bearer xy_guess"}
        statuses = [
            call(limited.app, "POST", "/api/v1/records:batch", headers=forged, chunks=json_batch(1)).status
            for _ in range(3)
        ]
        assert statuses == [401, 401, 429]


# --- every route has a limit, enforced while the body streams in ---


def test_a_declared_length_past_the_limit_is_refused_before_the_body(
    client: RecordingClient, world: World
) -> None:
    operator = {**JSON, **bearer(world, "operator_a")}
    over = BATCH_LIMIT.max_bytes + 1
    answer = call(
        client.app, "POST", "/api/v1/records:batch", headers=operator, chunks=json_batch(50), declared=over
    )
    assert answer.status == 413 and answer.pulled == 0
    problem = answer.json()
    assert problem["code"] == "REQUEST_TOO_LARGE" and problem["details"] == {
        "limit_bytes": BATCH_LIMIT.max_bytes
    }
    assert "10000 条" in problem["message"]  # sized from the batch API's 10,000 records, and says so
    upload_over = UPLOAD_LIMIT.max_bytes + 1
    operator_form = {**MULTIPART, **bearer(world, "operator_a")}
    answer = call(
        client.app,
        "POST",
        "/api/v1/ingest/batches",
        headers=operator_form,
        chunks=upload(201),
        declared=upload_over,
    )
    assert answer.status == 413 and answer.pulled == 0 and "xinyong ingest" in answer.json()["message"]


def test_a_json_body_without_a_length_stops_at_the_limit(client: RecordingClient, world: World) -> None:
    operator = {**JSON, **bearer(world, "operator_a")}
    answer = call(client.app, "POST", "/api/v1/records:batch", headers=operator, chunks=json_batch(60))
    assert answer.status == 413 and answer.json()["code"] == "REQUEST_TOO_LARGE"
    assert BATCH_LIMIT.max_bytes < answer.pulled <= BATCH_LIMIT.max_bytes + MB


def test_any_other_body_stops_at_64_kb_even_when_the_route_reads_it_itself(
    client: RecordingClient, world: World
) -> None:
    # Not JSON: the route reads the stream itself (FastAPI), and its answer to the cut body becomes the 413.
    person = {"content-type": "text/plain", **bearer(world, "person")}
    answer = call(client.app, "POST", "/api/v1/me/authorisations", headers=person, chunks=megabytes(5))
    assert answer.status == 413 and answer.json()["details"] == {"limit_bytes": DEFAULT_BODY_BYTES}
    assert answer.pulled <= DEFAULT_BODY_BYTES + MB
    # An upload is cut at its own limit while it streams, however long the file.
    form = {**MULTIPART, **bearer(world, "operator_a")}
    answer = call(client.app, "POST", "/api/v1/ingest/batches", headers=form, chunks=upload(205))
    assert answer.status == 413 and answer.json()["code"] == "REQUEST_TOO_LARGE"
    assert UPLOAD_LIMIT.max_bytes < answer.pulled <= UPLOAD_LIMIT.max_bytes + MB


def test_a_body_within_its_limit_goes_through(client: RecordingClient, world: World) -> None:
    body = {"agency": "agency", "purpose": "招标投标", "days": 30}
    answer = client.post("/api/v1/me/authorisations", json=body, headers=bearer(world, "person"))
    assert answer.status_code == 201 and answer.json()["purpose"] == "招标投标"


# --- text that is no text, and nesting no record has ---


def test_a_lone_surrogate_in_json_is_refused_not_a_server_error(
    client: RecordingClient, world: World
) -> None:
    person = {**bearer(world, "person"), "Content-Type": "application/json"}
    for text in ('"\\ud800"', '"x\\udc00"', '"\\udc00\\ud800"', '"\\ud83d\\ud83d"'):
        body = f'{{"agency": {text}, "purpose": "招标投标", "days": 3}}'
        answer = client.post("/api/v1/me/authorisations", content=body.encode(), headers=person)
        assert answer.status_code == 422, text
        assert answer.json()["code"] == "REQUEST_TEXT_INVALID" and "代理项" in answer.json()["message"]
    operator = {**bearer(world, "operator_a"), "Content-Type": "application/json"}
    batch = b'{"item":"CF-001","records":[{"subject_name":"\\udc00x"}]}'
    answer = client.post("/api/v1/records:batch", content=batch, headers=operator)
    assert answer.status_code == 422 and answer.json()["code"] == "REQUEST_TEXT_INVALID"


def test_nul_is_refused_in_json_in_a_query_and_in_a_form(client: RecordingClient, world: World) -> None:
    person = {**bearer(world, "person"), "Content-Type": "application/json"}
    body = b'{"agency": "a\\u0000b", "purpose": "\\u62db\\u6807\\u6295\\u6807", "days": 3}'
    answer = client.post("/api/v1/me/authorisations", content=body, headers=person)
    assert answer.status_code == 422 and answer.json()["code"] == "REQUEST_TEXT_INVALID"
    answer = client.get("/api/v1/audit/query-log?username=a%00b", headers=bearer(world, "auditor"))
    assert answer.status_code == 422 and "空字符" in answer.json()["message"]
    answer = client.get("/api/v1/public/subjects", params={"q": "示范\x00商贸"})
    assert answer.status_code == 422
    answer = client.post(
        "/login", data={"username": "admin\x00", "password": "x"}, headers={"Accept": "text/html"}
    )
    assert answer.status_code == 422 and "空字符" in answer.text  # the error page


def test_json_nested_past_the_limit_is_refused_with_its_own_code(
    client: RecordingClient, world: World
) -> None:
    operator = {**bearer(world, "operator_a"), "Content-Type": "application/json"}
    deep = b"[" * (MAX_JSON_DEPTH + 1) + b"]" * (MAX_JSON_DEPTH + 1)
    body = b'{"item":"CF-001","records":[{"subject_name":' + deep + b"}]}"
    answer = client.post("/api/v1/records:batch", content=body, headers=operator)
    assert answer.status_code == 422 and answer.json()["code"] == "JSON_TOO_DEEP"
    very_deep = b'{"item":"CF-001","records":' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    answer = client.post("/api/v1/records:batch", content=very_deep, headers=operator)
    assert answer.status_code == 422 and answer.json()["code"] == "JSON_TOO_DEEP"


def test_the_json_checks_read_escapes_as_json_does() -> None:
    assert not has_lone_surrogate(json.dumps({"emoji": "😀", "zh": "盐城"}).encode())
    assert has_lone_surrogate(json.dumps({"x": "\ud800"}).encode())
    assert has_lone_surrogate('"\ud800"'.encode("utf-8", "surrogatepass"))  # raw UTF-8 of a surrogate
    assert not has_lone_surrogate(b'"\\\\ud800"')  # an escaped backslash, then the letters ud800
    assert has_lone_surrogate(b'"\\\\\\ud800"')
    assert has_nul(b'"a\\u0000"') and not has_nul(b'"a\\\\u0000"') and has_nul(b'"a\x00"')
    assert not json_depth_exceeds(b'{"a": [1, {"b": "[[[[[[[[[["}]}', 3)  # brackets in text do not count
    assert json_depth_exceeds(b'{"a": [1, {"b": []}]}', 3) and not json_depth_exceeds(
        b'{"a": [1, {"b": []}]}', 4
    )
    batch = json.dumps({"item": "CF-001", "records": [{"a": "b"}] * 10_000}).encode()
    assert not json_depth_exceeds(batch, MAX_JSON_DEPTH)


# --- parameters: ids past the databases' integers, days that do not exist ---

PAST_INTEGER = [MAX_ROW_ID + 1, 2**63, 2**64]


@pytest.mark.parametrize("big", PAST_INTEGER)
def test_an_id_past_the_databases_integers_is_a_bad_parameter(
    client: RecordingClient, world: World, big: int
) -> None:
    calls = [
        ("GET", f"/api/v1/records/{big}", "admin", PURPOSE),
        ("GET", f"/api/v1/subjects/{big}/file", "admin", PURPOSE),
        ("GET", f"/api/v1/public/subjects/{big}", None, {}),
        ("GET", f"/api/v1/agency/subjects/{big}/file", "agency", {}),
        ("DELETE", f"/api/v1/me/authorisations/{big}", "person", {}),
        ("GET", "/api/v1/audit/query-log", "auditor", {"subject_id": big}),
        ("GET", "/api/v1/audit/query-log", "auditor", {"department_id": big}),
        ("GET", "/api/v1/me/query-log", "person", {"offset": 2**64}),
    ]
    for method, url, who, params in calls:
        headers = bearer(world, who) if who else {}
        answer = client.request(method, url, params=params, headers=headers)
        assert answer.status_code == 422, (method, url, params)
        assert answer.json()["code"] == "REQUEST_INVALID"


def test_the_largest_id_is_looked_up_and_not_found(client: RecordingClient, world: World) -> None:
    answer = client.get(f"/api/v1/records/{MAX_ROW_ID}", params=PURPOSE, headers=bearer(world, "admin"))
    assert answer.status_code == 404 and answer.json()["code"] == "RECORD_NOT_FOUND"


def test_a_day_that_does_not_exist_is_named_as_such(client: RecordingClient, world: World) -> None:
    answer = client.get("/api/v1/workdays/add", params={"start": "2025-02-30", "n": 1})
    assert answer.status_code == 422
    (problem,) = answer.json()["details"]["errors"]
    assert problem["field"] == "query.start" and problem["type"] == "nonexistent_date"
    assert problem["message"] == "日期不存在：2025-02-30（2025 年 2 月只有 28 天）"
    auditor = bearer(world, "auditor")
    answer = client.get("/api/v1/audit/query-log", params={"since": "2024-13-01"}, headers=auditor)
    assert answer.json()["details"]["errors"][0]["message"] == "日期不存在：2024-13-01（月份应为 01 至 12）"
    leap = client.get("/api/v1/workdays/add", params={"start": "2024-02-29", "n": 1})
    assert leap.status_code == 200
    wrong_format = client.get("/api/v1/workdays/add", params={"start": "2025/02/03", "n": 1})
    assert wrong_format.json()["details"]["errors"][0]["message"].startswith("应为日期（YYYY-MM-DD）")


def test_a_day_at_the_end_of_the_calendar_is_a_bad_parameter_not_a_server_error(
    client: RecordingClient, world: World
) -> None:
    auditor = bearer(world, "auditor")
    for params in ({"until": "9999-12-31"}, {"since": "0001-01-01"}, {"since": "3000-01-01"}):
        answer = client.get("/api/v1/audit/query-log", params=params, headers=auditor)
        assert answer.status_code == 422, params
        (problem,) = answer.json()["details"]["errors"]
        assert problem["message"] == "日期超出可处理的范围：应在 1900-01-01 至 2999-12-31 之间"
    answer = client.get("/api/v1/audit/query-log", params={"until": "0000-01-01"}, headers=auditor)
    assert answer.json()["details"]["errors"][0]["message"] == "日期不存在：0000-01-01（公元纪年没有 0 年）"
    answer = client.get("/api/v1/audit/query-log", params={"until": "2999-12-31"}, headers=auditor)
    assert answer.status_code == 200


def test_a_catalog_file_larger_than_a_form_is_taken_by_the_catalog_routes(
    client: RecordingClient, world: World
) -> None:
    """A province's catalog is bigger than the 64 KB of an ordinary body: the catalog upload takes 2 MB."""
    shipped = (Path(xinyong.catalog.__file__).parent / "data" / "default.yaml").read_text(encoding="utf-8")
    text = shipped + "\n" + "# 说明\n" * 20_000  # about 160 KB, still a valid catalog
    assert len(text.encode()) > DEFAULT_BODY_BYTES * 2
    files = {"file": ("catalog.yaml", text.encode(), "application/x-yaml")}
    answer = client.post("/api/v1/admin/catalog/check", files=files, headers=bearer(world, "admin"))
    assert answer.status_code == 200, answer.text
    assert answer.json()["valid"] is True
