"""Who the caller is, as the rules see it (issue 10 item 8): the real client address behind trusted
proxies only, a refused bearer token charged to the public quota, reads of non-public data that another
site cannot trigger from a logged-in browser, and personal answers that no cache keeps."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from xinyong.app import create_app
from xinyong.config import Settings
from xinyong.kit.crypto import PersonalDataCipher
from xinyong.security.http import install_http_policies

from conftest import Database
from secworld import (
    PASSWORD,
    PURPOSE,
    RecordingClient,
    World,
    bearer,
    client,  # noqa: F401
    query_log,
    world,  # noqa: F401
)


def _app(database: Database, sessions: sessionmaker[Session], world: World, **settings: Any) -> FastAPI:
    app = create_app(
        Settings(database_url=database.url, **settings), engine=database.engine, clock=world.clock
    )
    app.state.sessions = sessions
    app.state.cipher = world.cipher
    return app


@pytest.fixture
def behind_proxy(
    world: World, database: Database, sessions: sessionmaker[Session], cipher: PersonalDataCipher
) -> Iterator[TestClient]:
    """The platform behind a reverse proxy at 10.0.0.2 (trusted), public quota 2 a minute."""
    app = _app(database, sessions, world, trusted_proxies=["10.0.0.0/24"], public_rate_limit=2)
    with TestClient(app, client=("10.0.0.2", 40000)) as c:
        yield c


def _via(address: str) -> dict[str, str]:
    return {"X-Forwarded-For": address}


def test_behind_a_trusted_proxy_the_quota_is_the_real_clients(behind_proxy: TestClient) -> None:
    """Two callers behind one proxy each have their own quota; the address a caller writes into the
    header itself (left of what the proxy appended) changes nothing."""
    first = [behind_proxy.get("/api/v1/catalog", headers=_via("198.51.100.1")).status_code for _ in range(3)]
    assert first == [200, 200, 429]
    assert behind_proxy.get("/api/v1/catalog", headers=_via("198.51.100.2")).status_code == 200
    spoofed = behind_proxy.get("/api/v1/catalog", headers=_via("192.0.2.77, 198.51.100.1"))
    assert spoofed.status_code == 429
    # Two proxies in a row (10.0.0.3 appended by the outer one, also trusted): still the client.
    chained = behind_proxy.get("/api/v1/catalog", headers=_via("198.51.100.1, 10.0.0.3"))
    assert chained.status_code == 429


def test_the_query_log_names_the_real_client(
    world: World, behind_proxy: TestClient, session: Session
) -> None:
    assert world.company is not None
    read = behind_proxy.get(
        f"/api/v1/subjects/{world.company.id}/file",
        params=PURPOSE,
        headers={**bearer(world, "clerk_a"), **_via("198.51.100.9")},
    )
    assert read.status_code == 200, read.text
    assert query_log(session, username="clerk_a")[-1].client == "198.51.100.9"


def test_a_caller_not_behind_a_trusted_proxy_cannot_choose_its_address(
    world: World, database: Database, sessions: sessionmaker[Session]
) -> None:
    app = _app(database, sessions, world, trusted_proxies=["10.0.0.0/24"], public_rate_limit=2)
    with TestClient(app, client=("203.0.113.5", 40000)) as direct:
        codes = [direct.get("/api/v1/catalog", headers=_via(f"198.51.100.{i}")).status_code for i in range(3)]
    assert codes == [200, 200, 429]


def test_refused_bearer_tokens_spend_the_public_quota(
    world: World, database: Database, sessions: sessionmaker[Session]
) -> None:
    """Guessing tokens is not free: each refused token counts like an anonymous call."""
    app = _app(database, sessions, world, public_rate_limit=3)
    with TestClient(app) as guesser:
        answers = [
            guesser.get("/api/v1/me", headers={"Authorization": f"Bearer xy_guess{i}"}) for i in range(4)
        ]
        assert [a.status_code for a in answers] == [401, 401, 401, 429]
        assert answers[0].json()["code"] == "TOKEN_INVALID"
        assert guesser.get("/api/v1/catalog").status_code == 429  # the same quota
        malformed = guesser.get("/api/v1/me", headers={"Authorization": "Basic abc"})
        assert malformed.status_code == 429
        # A valid token is not limited by it.
        assert guesser.get("/api/v1/me", headers=bearer(world, "clerk_a")).status_code == 200


def _login(client: TestClient, username: str) -> str:
    """Log in through the form; the session's CSRF token (from the page's logout form)."""
    page = client.get("/login")
    token = page.text.split('id="login-csrf" name="csrf_token" value="')[1].split('"')[0]
    data = {"username": username, "password": PASSWORD, "csrf_token": token}
    assert client.post("/login", data=data, follow_redirects=False).status_code == 303
    home: str = client.get("/").text
    return home.split('name="csrf_token" value="')[1].split('"')[0]


def test_another_site_cannot_make_a_logged_in_browser_read_a_file(
    world: World, client: RecordingClient, session: Session
) -> None:
    """A page elsewhere linking to (or loading) a credit file with a purpose: the reader's browser sends
    the session cookie, but the read is refused and nothing is written to the query log."""
    assert world.company is not None
    csrf = _login(client, "clerk_a")
    url = f"/api/v1/subjects/{world.company.id}/file"
    before = len(query_log(session, username="clerk_a"))
    for site in ("cross-site", "same-site"):
        refused = client.get(url, params=PURPOSE, headers={"Sec-Fetch-Site": site})
        assert refused.status_code == 403 and refused.json()["code"] == "CROSS_SITE_READ", site
    no_header = client.get(url, params=PURPOSE)  # a client that does not say where it comes from
    assert no_header.status_code == 403 and no_header.json()["code"] == "CROSS_SITE_READ"
    assert len(query_log(session, username="clerk_a")) == before
    # From the platform's own pages, from the address bar, or echoing the CSRF token: read and logged.
    for headers in ({"Sec-Fetch-Site": "same-origin"}, {"Sec-Fetch-Site": "none"}, {"X-CSRF-Token": csrf}):
        assert client.get(url, params=PURPOSE, headers=headers).status_code == 200, headers
    assert len(query_log(session, username="clerk_a")) == before + 3
    # Public data and one's own account stay reachable from anywhere.
    elsewhere = {"Sec-Fetch-Site": "cross-site"}
    public = client.get(f"/api/v1/public/subjects/{world.company.id}", headers=elsewhere)
    assert public.status_code == 200
    assert client.get("/me", headers=elsewhere).status_code == 200


def test_token_calls_are_not_concerned_by_the_cross_site_rule(world: World, client: RecordingClient) -> None:
    assert world.company is not None
    headers = {**bearer(world, "clerk_a"), "Sec-Fetch-Site": "cross-site"}
    assert client.get(f"/api/v1/subjects/{world.company.id}/file", params=PURPOSE, headers=headers).is_success


def test_personal_answers_are_not_stored_by_caches(
    world: World, database: Database, sessions: sessionmaker[Session]
) -> None:
    app = _app(database, sessions, world)
    install_http_policies(app)  # what create_app wires (a second call changes nothing)
    install_http_policies(app)
    with TestClient(app) as browser:
        assert "no-store" not in browser.get("/").headers.get("Cache-Control", "")  # anonymous, public
        assert browser.get("/login").headers["Cache-Control"] == "no-store"
        _login(browser, "person")
        for path in ("/", "/me", "/api/v1/me", "/api/v1/catalog"):
            assert browser.get(path).headers["Cache-Control"] == "no-store", path
    with TestClient(app) as system:
        answer = system.get("/", headers=bearer(world, "clerk_a"))
        assert answer.headers["Cache-Control"] == "no-store"
