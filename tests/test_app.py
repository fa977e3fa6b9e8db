"""The web app: health, readiness, home page, OpenAPI, public JSON routes, error rendering."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi import FastAPI, routing
from fastapi.dependencies.models import Dependant
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from xinyong.app import create_app
from xinyong.catalog.schema import default_catalog_path
from xinyong.catalog.service import import_catalog
from xinyong.config import Settings
from xinyong.kit import ids
from xinyong.web import get_session

from conftest import Database


@pytest.fixture
def client(database: Database, sessions: sessionmaker[Session], session: Session) -> Iterator[TestClient]:
    import_catalog(session, default_catalog_path().read_text(encoding="utf-8"), actor="test")
    session.commit()
    app = create_app(Settings(database_url=database.url), engine=database.engine)
    app.state.sessions = sessions
    with TestClient(app) as c:
        yield c


def test_health_and_readiness(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["status"] == "ready"


def test_home_page_is_chinese_and_counts_the_catalog(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200
    assert "公共信用信息目录" in page.text and 'lang="zh-CN"' in page.text
    assert "尚未导入目录" not in page.text
    count = re.search(r'id="count-items">([^<]*)<', page.text)
    assert count is not None and count.group(1).isdigit() and int(count.group(1)) > 0


def test_openapi_lists_the_routes(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert "/api/v1/ids/check" in spec["paths"] and "/api/v1/catalog" in spec["paths"]
    assert client.get("/docs").status_code == 200


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_api_docs_load_nothing_from_elsewhere(client: TestClient, page: str) -> None:
    """The docs must work on a closed network: every script, style and icon is served by xinyong."""
    response = client.get(page)
    assert response.status_code == 200
    urls = re.findall(r"""(?:src|href|url)\s*[=:]\s*['"]([^'"]+)['"]""", response.text)
    assert urls, "the docs page names no assets"
    for url in urls:
        assert url.startswith("/"), f"{page} loads {url} from elsewhere"
        assert client.get(url).status_code == 200, url
    assert "default-src 'self'" in response.headers["content-security-policy"]


def test_id_check_masks_citizen_ids(client: TestClient) -> None:
    number = "32090219900307991" + ids.calc_ric_check("32090219900307991")
    body = client.get("/api/v1/ids/check", params={"code": number}).json()
    assert body["valid"] and body["kind"] == "ric"
    assert number not in client.get("/api/v1/ids/check", params={"code": number}).text
    assert body["value"] == ids.mask_ric(number)


def test_errors_are_json_with_a_stable_code(client: TestClient) -> None:
    body = client.get("/api/v1/workdays/add", params={"start": "2025-13-01", "n": 3})
    assert body.status_code == 422 and body.json()["code"] == "REQUEST_INVALID"
    ok = client.get("/api/v1/workdays/add", params={"start": "2025-09-26", "n": 15}).json()
    assert ok == {"start": "2025-09-26", "workdays": 15, "date": "2025-10-23", "provisional": False}


def test_catalog_is_published(client: TestClient) -> None:
    body = client.get("/api/v1/catalog").json()
    assert {item["code"] for item in body["items"]} >= {"CF-001", "XK-001"}


def _app_with_a_failing_route(
    database: Database, sessions: sessionmaker[Session], **settings: str
) -> TestClient:
    app = create_app(Settings(database_url=database.url, **settings), engine=database.engine)  # type: ignore[arg-type]
    app.state.sessions = sessions

    @app.get("/api/v1/boom")
    def boom() -> None:
        raise RuntimeError("boom")

    @app.get("/boom")
    def boom_page() -> None:
        raise RuntimeError("boom")

    return TestClient(app, raise_server_exceptions=False)


BASE_HEADERS = ("x-content-type-options", "x-frame-options", "referrer-policy", "content-security-policy")


def test_a_500_carries_every_security_header(database: Database, sessions: sessionmaker[Session]) -> None:
    with _app_with_a_failing_route(database, sessions, environment="development") as client:
        failed = client.get("/api/v1/boom")
        assert failed.status_code == 500 and failed.json()["code"] == "INTERNAL"
        assert all(h in failed.headers for h in BASE_HEADERS)
        assert failed.headers["cache-control"] == "no-store"
        assert "strict-transport-security" not in failed.headers  # development: no HSTS
        page = client.get("/boom")
        assert page.status_code == 500 and "cache-control" not in page.headers


def test_a_500_in_production_carries_hsts(database: Database, sessions: sessionmaker[Session]) -> None:
    keys = {
        "environment": "production",
        "secret_key": "a-real-secret-from-the-vault",
        "index_key": "another-real-secret",
        "data_key": "ZGV2ZWxvcG1lbnQtZGF0YS1rZXktb2YtMzItYnl0ZXM=",
    }
    with _app_with_a_failing_route(database, sessions, **keys) as client:
        failed = client.get("/api/v1/boom")
        assert failed.status_code == 500
        assert failed.headers["strict-transport-security"].startswith("max-age=")
        assert failed.headers["cache-control"] == "no-store"
        missing = client.get("/api/v1/nothing-here")
        assert missing.status_code == 404 and missing.headers["strict-transport-security"].startswith(
            "max-age="
        )


def test_unknown_address_and_wrong_method_answer_in_chinese(client: TestClient) -> None:
    missing = client.get("/api/v1/nothing-here")
    assert missing.status_code == 404
    assert missing.json() == {"code": "NOT_FOUND", "message": "请求的地址不存在"}
    assert missing.headers["cache-control"] == "no-store" and "x-frame-options" in missing.headers
    wrong = client.delete("/api/v1/catalog")
    assert wrong.status_code == 405 and "GET" in wrong.headers["allow"]
    assert wrong.json() == {"code": "METHOD_NOT_ALLOWED", "message": "不支持该请求方法"}
    assert wrong.headers["cache-control"] == "no-store" and "x-content-type-options" in wrong.headers
    page = client.get("/no-such-page")
    assert page.status_code == 404 and "text/html" in page.headers["content-type"]
    assert "请求的地址不存在" in page.text and "NOT_FOUND" in page.text and "Not Found" not in page.text
    assert "content-security-policy" in page.headers


def test_request_errors_are_explained_in_chinese(client: TestClient) -> None:
    body = client.get("/api/v1/workdays/add", params={"start": "2025-09-26", "n": "three"}).json()
    assert body["code"] == "REQUEST_INVALID"
    assert {"field": "query.n", "message": "应为整数", "type": "int_parsing"} in body["details"]["errors"]
    missing = client.get("/api/v1/workdays/add", params={"n": 3}).json()
    assert {"field": "query.start", "message": "缺少必填字段", "type": "missing"} in missing["details"][
        "errors"
    ]
    assert "Field required" not in str(missing) and "valid integer" not in str(body)


class _CommitFails(Session):
    """A session whose commit fails, as on a full disk or a lost connection."""

    def commit(self) -> None:
        raise RuntimeError("commit failed")


def test_a_failed_commit_is_never_answered_as_a_success(database: Database) -> None:
    """The request's transaction commits before the response is sent (get_session in the route's own
    scope): a commit that fails gives a 500, not a success for data that was never stored."""
    app = create_app(Settings(database_url=database.url), engine=database.engine)
    app.state.sessions = sessionmaker(bind=database.engine, class_=_CommitFails, expire_on_commit=False)
    client = TestClient(app, raise_server_exceptions=False)
    answer = client.get("/api/v1/workdays/add", params={"start": "2025-09-22", "n": 7})
    assert answer.status_code == 500 and answer.json()["code"] == "INTERNAL"


def _session_scopes(dependant: Dependant) -> Iterator[str | None]:
    for dep in dependant.dependencies:
        if dep.call is get_session:
            yield dep.scope
        yield from _session_scopes(dep)


def test_every_route_commits_before_it_answers(client: TestClient) -> None:
    app = client.app
    assert isinstance(app, FastAPI)
    scopes: set[tuple[str, str | None]] = set()
    for context in routing.iter_route_contexts(app.routes):
        dependant = getattr(context, "dependant", None)
        if dependant is not None:
            scopes |= {(str(context.path), s) for s in _session_scopes(dependant)}
    assert len({path for path, _scope in scopes}) > 20, "the routes that use the request's session"
    assert {s for _path, s in scopes} == {"function"}, sorted(p for p, s in scopes if s != "function")
