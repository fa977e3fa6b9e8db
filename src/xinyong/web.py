"""Request-scoped plumbing shared by every router: the database session, the clock, templates."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from fastapi import Request
from fastapi.templating import Jinja2Templates
from sqlalchemy.orm import Session, sessionmaker

from xinyong.config import Settings
from xinyong.kit.clock import Clock
from xinyong.kit.crypto import PersonalDataCipher
from xinyong.kit.errors import DomainError

templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))


def get_settings_dep(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_clock(request: Request) -> Clock:
    clock: Clock = request.app.state.clock
    return clock


def get_cipher(request: Request) -> PersonalDataCipher:
    cipher: PersonalDataCipher = request.app.state.cipher
    return cipher


def get_session(request: Request) -> Iterator[Session]:
    """One transaction per request: committed once when the route returns, rolled back on error.

    Routes depend on it with ``Depends(get_session, scope="function")``, so the commit runs before the
    response is sent: a commit that fails answers 500, never a success for data that was not stored
    (with FastAPI's default scope the commit would run after the response had gone out)."""
    factory: sessionmaker[Session] = request.app.state.sessions
    session = factory()
    try:
        yield session
        session.commit()
    except DomainError as exc:
        if exc.keep_changes:
            session.commit()
        else:
            session.rollback()
        raise
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
