"""Keys of the installation's own (issue 10 item 7): ``xinyong init`` generates them into the data
directory (mode 0600) when none are configured, never replaces one, keeps the keys an existing database
was written under, and the service refuses to start on a public address or in production without them.

Every command runs in a directory of its own (not the repository), with the data directory set."""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
import socket
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong.app import create_app
from xinyong.cli.server import is_loopback, serving_keys
from xinyong.config import (
    LEGACY_DATA_KEY,
    LEGACY_SECRET_KEY,
    Settings,
    add_to_keys_file,
    cipher_from_settings,
    load_settings,
)
from xinyong.kit.clock import FixedClock
from xinyong.kit.errors import DomainError
from xinyong.models import AccountKind, Subject, User
from xinyong.security.accounts import create_user
from xinyong.security.demo_users import load_demo_users, refuse_demo_accounts
from xinyong.security.keys import check_keys_fit
from xinyong.security.roles import Role
from xinyong.subjects.service import resolve

from conftest import Database

TODAY = FixedClock(dt.datetime(2026, 3, 16, 10, 0))


def _env(db: Database | None, data: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("XINYONG_")}
    env["XINYONG_DATA_DIR"] = str(data)
    if db is not None:
        env["XINYONG_DATABASE_URL"] = db.url
    return {**env, **extra}


def _run(
    db: Database | None, data: Path, *args: str, cwd: Path, **extra: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "xinyong", *args],
        capture_output=True,
        text=True,
        env=_env(db, data, **extra),
        cwd=cwd,
        timeout=300,
    )


def _settings(monkeypatch: pytest.MonkeyPatch, db: Database, data: Path) -> Settings:
    """The settings the installation's commands read (environment, then its key file)."""
    for name in [k for k in os.environ if k.startswith("XINYONG_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("XINYONG_DATA_DIR", str(data))
    monkeypatch.setenv("XINYONG_DATABASE_URL", db.url)
    return load_settings()


def test_init_generates_keys_of_its_own_once(fresh_database: Database, tmp_path: Path) -> None:
    data = tmp_path / "data"
    first = _run(fresh_database, data, "init", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    path = data / "keys.json"
    assert "已为本安装生成密钥" in first.stdout and str(path) in first.stdout.replace("\n", "")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(data.stat().st_mode) & 0o077 == 0
    stored = json.loads(path.read_text(encoding="utf-8"))
    assert set(stored) == {"secret_key", "data_key", "index_key"}
    assert len(set(stored.values())) == 3
    assert LEGACY_SECRET_KEY not in stored.values() and LEGACY_DATA_KEY not in stored.values()
    assert len(base64.b64decode(stored["data_key"])) == 32
    # A second init keeps them.
    again = _run(fresh_database, data, "init", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert json.loads(path.read_text(encoding="utf-8")) == stored
    assert "已为本安装生成密钥" not in again.stdout
    # A key configured in the environment wins, and is not written into the file.
    configured = base64.b64encode(bytes(range(32, 64))).decode()
    other = tmp_path / "other"
    third = _run(fresh_database, other, "init", cwd=tmp_path, XINYONG_DATA_KEY=configured)
    assert third.returncode == 0, third.stderr
    assert set(json.loads((other / "keys.json").read_text(encoding="utf-8"))) == {"secret_key", "index_key"}


def test_a_cookie_signed_with_the_published_secret_is_refused(
    fresh_database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The attack: sign an administrator's session cookie with the secret published in the source."""
    data = tmp_path / "data"
    assert _run(fresh_database, data, "init", cwd=tmp_path).returncode == 0
    settings = _settings(monkeypatch, fresh_database, data)
    with Session(fresh_database.engine) as session:
        session.add(
            User(username="root", display_name="root", kind=AccountKind.staff, roles=["platform_admin"])
        )
        session.commit()
        uid = session.scalar(select(User.id).where(User.username == "root"))
    app = create_app(settings, engine=fresh_database.engine, clock=TODAY)
    payload = {"uid": uid, "epoch": 0, "csrf": "x"}
    for published in (LEGACY_SECRET_KEY, ""):
        forged = URLSafeTimedSerializer(published, salt="xinyong-session").dumps(payload)
        with TestClient(app, cookies={"xy_session": forged}) as client:
            assert client.get("/api/v1/me").json()["code"] == "UNAUTHENTICATED"
    # The installation's own secret signs cookies that work (the check can tell the difference).
    real = URLSafeTimedSerializer(settings.session_secret, salt="xinyong-session").dumps(payload)
    with TestClient(app, cookies={"xy_session": real}) as client:
        assert client.get("/api/v1/me").json()["username"] == "root"
    # Settings built in code without keys sign with a key of the process, never the published one.
    assert Settings().session_secret not in (LEGACY_SECRET_KEY, "")


def test_a_database_written_under_the_published_keys_keeps_them(
    fresh_database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A development database of an earlier version: new keys would make its personal data unreadable
    and its persons unfindable, so init keeps those two keys (and says so) and only the session secret
    is new; a data key that does not open the data is refused, not used."""
    data = tmp_path / "data"
    loaded = _run(fresh_database, data, "demo", "--subjects", "20", cwd=tmp_path)
    assert loaded.returncode == 0, loaded.stderr
    assert not (data / "keys.json").exists()  # written, as before, under the development keys
    inited = _run(fresh_database, data, "init", cwd=tmp_path)
    assert inited.returncode == 0, inited.stderr
    stored = json.loads((data / "keys.json").read_text(encoding="utf-8"))
    assert stored["data_key"] == LEGACY_DATA_KEY and stored["index_key"] == LEGACY_SECRET_KEY
    assert stored["secret_key"] != LEGACY_SECRET_KEY
    assert "警告" in inited.stdout and "XINYONG_DATA_KEY" in inited.stdout
    settings = _settings(monkeypatch, fresh_database, data)
    cipher = cipher_from_settings(settings)
    with Session(fresh_database.engine) as session:
        check_keys_fit(session, cipher)
        person = session.scalars(select(Subject).where(Subject.ric_encrypted.is_not(None))).first()
        assert person is not None and person.ric_encrypted is not None
        ric = cipher.decrypt(person.ric_encrypted)
        assert resolve(session, ric, cipher=cipher).subject.id == person.id
    # Keys that did not write this data are refused by init and serve alike.
    stranger = base64.b64encode(bytes(range(64, 96))).decode()
    for command in (["init"], ["serve", "--port", "9"]):
        refused = _run(fresh_database, data, *command, cwd=tmp_path, XINYONG_DATA_KEY=stranger)
        assert refused.returncode == 2 and "CONFIG_KEYS_MISMATCH" in refused.stderr, refused.stderr
    assert json.loads((data / "keys.json").read_text(encoding="utf-8")) == stored


def test_a_stored_key_is_never_replaced(tmp_path: Path) -> None:
    path = tmp_path / "data" / "keys.json"
    add_to_keys_file(path, {"secret_key": "first"})
    with pytest.raises(DomainError) as caught:
        add_to_keys_file(path, {"secret_key": "second", "index_key": "i"})
    assert caught.value.code == "CONFIG_KEYS_EXIST"
    add_to_keys_file(path, {"index_key": "i"})
    assert json.loads(path.read_text(encoding="utf-8")) == {"secret_key": "first", "index_key": "i"}
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert sorted(p.name for p in path.parent.iterdir()) == ["keys.json"]  # no temporary file left


def test_a_key_file_others_can_read_is_refused(fresh_database: Database, tmp_path: Path) -> None:
    data = tmp_path / "data"
    assert _run(fresh_database, data, "init", cwd=tmp_path).returncode == 0
    (data / "keys.json").chmod(0o644)
    for command in (["init"], ["depts", "list"]):
        refused = _run(fresh_database, data, *command, cwd=tmp_path)
        assert refused.returncode == 2 and "CONFIG_KEYS_FILE_MODE" in refused.stderr, refused.stderr
        assert "Traceback" not in refused.stderr


def test_serving_on_a_public_address_needs_keys_of_its_own(
    fresh_database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "data"
    refused = _run(fresh_database, data, "serve", "--host", "0.0.0.0", "--port", "9", cwd=tmp_path)
    assert refused.returncode == 2 and "CONFIG_KEYS_REQUIRED" in refused.stderr, refused.stderr
    assert not (data / "keys.json").exists()  # nothing generated for a public address
    # Published keys configured by hand are refused the same way.
    published = _run(
        fresh_database,
        data,
        "serve",
        "--host",
        "192.0.2.10",
        "--port",
        "9",
        cwd=tmp_path,
        XINYONG_SECRET_KEY=LEGACY_SECRET_KEY,
        XINYONG_DATA_KEY=LEGACY_DATA_KEY,
        XINYONG_INDEX_KEY="x" * 32,
    )
    assert published.returncode == 2 and "XINYONG_SECRET_KEY" in published.stderr
    # After init, the same address is accepted.
    assert _run(fresh_database, data, "init", cwd=tmp_path).returncode == 0
    settings = _settings(monkeypatch, fresh_database, data)
    assert serving_keys(settings, fresh_database.engine, "0.0.0.0") is settings
    assert [h for h in ("127.0.0.1", "localhost", "::1", "0.0.0.0", "10.1.2.3") if is_loopback(h)] == [
        "127.0.0.1",
        "localhost",
        "::1",
    ]


def test_production_refuses_to_start_while_demo_accounts_can_log_in(
    fresh_database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "data"
    assert _run(fresh_database, data, "init", cwd=tmp_path).returncode == 0
    settings = _settings(monkeypatch, fresh_database, data)
    with Session(fresh_database.engine) as session:
        created = load_demo_users(session, settings=settings, actor="test", clock=TODAY)
        create_user(
            session,
            username="agency-real",
            display_name="真实机构",
            roles=[Role.agency],
            password="a-real-long-password",
            actor="test",
            clock=TODAY,
        )
        session.commit()
    assert [a.username for a in created] == ["agency"]  # no departments here: only the agency's
    production = {"XINYONG_ENVIRONMENT": "production"}
    refused = _run(fresh_database, data, "serve", "--port", "9", cwd=tmp_path, **production)
    assert refused.returncode == 2, refused.stderr
    assert "DEMO_ACCOUNTS_IN_PRODUCTION" in refused.stderr and "agency" in refused.stderr
    disabled = _run(fresh_database, data, "users", "disable", "agency", cwd=tmp_path)
    assert disabled.returncode == 0, disabled.stderr
    production_settings = settings.model_copy(update={"environment": "production"})
    with Session(fresh_database.engine) as session:
        refuse_demo_accounts(session, production_settings)  # disabled: no longer refused
        user = session.scalar(select(User).where(User.username == "agency"))
        assert user is not None
        user.active = True
        with pytest.raises(DomainError) as caught:
            refuse_demo_accounts(session, production_settings)
        assert caught.value.code == "DEMO_ACCOUNTS_IN_PRODUCTION"
        refuse_demo_accounts(session, settings)  # development: demo accounts are the point


@pytest.mark.parametrize(
    "args",
    [
        ("depts", "list"),
        ("users", "disable", "admin"),
        ("tokens", "list"),
        ("keys", "rotate"),
        ("workdays", "add", "2025-09-26", "1"),
    ],
)
def test_commands_away_from_the_data_directory_refuse_and_say_where_they_looked(
    tmp_path: Path, args: tuple[str, ...]
) -> None:
    """Run from another directory, with nothing configured: no empty database is made, and the message
    names the database and the data directory (relative to where the command runs)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("XINYONG_")}
    result = subprocess.run(
        [sys.executable, "-m", "xinyong", *args], capture_output=True, text=True, env=env, cwd=tmp_path
    )
    assert result.returncode == 2, result.stderr
    assert "DB_NOT_INITIALISED" in result.stderr and "请先运行 xinyong init" in result.stderr
    assert str(tmp_path / "data") in result.stderr and "XINYONG_DATA_DIR" in result.stderr
    assert "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """``xinyong serve`` on a loopback port, on a new SQLite database in a directory of its own, with
    no init before: serving on loopback provisions the keys itself."""
    data = tmp_path / "data"
    port = _free_port()
    log = (tmp_path / "server.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "xinyong", "serve", "--port", str(port)],
        env=_env(None, data),
        cwd=tmp_path,
        stdout=log,
        stderr=log,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                if httpx.get(f"{url}/readyz").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if proc.poll() is not None:
                break
            time.sleep(0.2)
        else:
            pytest.fail("xinyong serve did not become ready")
        assert proc.poll() is None, (tmp_path / "server.log").read_text(encoding="utf-8")
        yield url, data
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()


def test_the_served_platform_names_no_server_and_has_keys_of_its_own(served: tuple[str, Path]) -> None:
    url, data = served
    for path in ("/healthz", "/", "/api/v1/catalog", "/no-such-page"):
        response = httpx.get(url + path)
        assert "server" not in response.headers, path
    assert stat.S_IMODE((data / "keys.json").stat().st_mode) == 0o600
