"""SQL of the security core: accounts, API tokens, authorisations (授权查询) and the query log.

The services in ``security`` (accounts, grants, querylog, demo_users) query through these functions
only; none commits.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Select, func, select, update
from sqlalchemy.orm import Session

from xinyong.kit.clock import CHINA_TZ
from xinyong.models import ApiToken, Authorisation, Department, QueryLogEntry, Subject, User
from xinyong.models.subjects import SubjectKind
from xinyong.security.schemas import LogFilter

# --- accounts ---------------------------------------------------------------------------------------


def user_by_username(session: Session, username: str) -> User | None:
    return session.scalar(select(User).where(User.username == username))


def user_by_id(session: Session, user_id: int) -> User | None:
    return session.get(User, user_id)


def username_taken(session: Session, username: str) -> bool:
    return session.scalar(select(User.id).where(User.username == username)) is not None


def subject_exists(session: Session, subject_id: int) -> bool:
    return session.get(Subject, subject_id) is not None


def first_legal_person(session: Session) -> Subject | None:
    """The oldest registered legal person (the demo's subject account belongs to it)."""
    return session.scalar(
        select(Subject).where(Subject.kind == SubjectKind.legal_person).order_by(Subject.id).limit(1)
    )


def count_failed_login(session: Session, user_id: int) -> int:
    """Add one to the account's failures in the database (not read-then-write, so parallel attempts cannot
    lose one); the new count."""
    failures: int = session.execute(
        update(User)
        .where(User.id == user_id)
        .values(failed_logins=User.failed_logins + 1)
        .returning(User.failed_logins)
    ).scalar_one()
    return failures


def end_sessions(session: Session, user_id: int) -> None:
    """Move the account's session epoch on: every cookie signed with the old one stops working."""
    session.execute(update(User).where(User.id == user_id).values(session_epoch=User.session_epoch + 1))


# --- API tokens -------------------------------------------------------------------------------------


def token_by_hash(session: Session, digest: str) -> ApiToken | None:
    return session.scalar(select(ApiToken).where(ApiToken.token_hash == digest))


def token_by_id(session: Session, token_id: int) -> ApiToken | None:
    return session.get(ApiToken, token_id)


def token_last_use(session: Session, digest: str) -> tuple[int, dt.datetime | None] | None:
    """(id, last use) of the token with this hash, or None for an unknown token."""
    row = session.execute(
        select(ApiToken.id, ApiToken.last_used_at).where(ApiToken.token_hash == digest)
    ).first()
    return (row[0], row[1]) if row is not None else None


def set_token_last_use(session: Session, token_id: int, at: dt.datetime) -> None:
    session.execute(update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=at))


# --- authorisations ---------------------------------------------------------------------------------


def authorisation_by_id(session: Session, authorisation_id: int) -> Authorisation | None:
    return session.get(Authorisation, authorisation_id)


def live_authorisation(
    session: Session, *, subject_id: int, agency_user_id: int, today: dt.date
) -> Authorisation | None:
    """The agency's latest live grant for this subject, if any."""
    return session.scalars(
        select(Authorisation)
        .where(
            Authorisation.subject_id == subject_id,
            Authorisation.agency_user_id == agency_user_id,
            Authorisation.revoked_at.is_(None),
            Authorisation.valid_from <= today,
            Authorisation.valid_until >= today,
        )
        .order_by(Authorisation.id.desc())
    ).first()


def authorisations_of_subject(session: Session, subject_id: int) -> list[Authorisation]:
    return list(
        session.scalars(
            select(Authorisation)
            .where(Authorisation.subject_id == subject_id)
            .order_by(Authorisation.id.desc())
        )
    )


# --- query log --------------------------------------------------------------------------------------


def add_query_log(session: Session, entry: QueryLogEntry) -> QueryLogEntry:
    session.add(entry)
    session.flush()
    return entry


def _filtered(stmt: Select[Any], f: LogFilter) -> Select[Any]:
    if f.subject_id is not None:
        stmt = stmt.where(QueryLogEntry.subject_id == f.subject_id)
    if f.username:
        stmt = stmt.where(QueryLogEntry.username == f.username)
    if f.department_id is not None:
        stmt = stmt.where(QueryLogEntry.department_id == f.department_id)
    if f.allowed is not None:
        stmt = stmt.where(QueryLogEntry.allowed.is_(f.allowed))
    if f.purpose is not None:
        stmt = stmt.where(QueryLogEntry.purpose == f.purpose.value)
    # Days are China Standard Time days, whatever the database server's time zone.
    if f.since is not None:
        stmt = stmt.where(QueryLogEntry.at >= _day_start(f.since))
    if f.until is not None:
        stmt = stmt.where(QueryLogEntry.at < _day_start(f.until + dt.timedelta(days=1)))
    return stmt


def _day_start(day: dt.date) -> dt.datetime:
    """Midnight CST, in the form the column compares with: aware for PostgreSQL. SQLite stores the
    naive CST wall time a Clock wrote, and SQLAlchemy drops the zone the same way for the bound value."""
    return dt.datetime.combine(day, dt.time(0), tzinfo=CHINA_TZ)


def search_query_log(
    session: Session, f: LogFilter, *, limit: int, offset: int
) -> tuple[int, list[QueryLogEntry]]:
    """Entries matching ``f``, newest first, and how many match in all."""
    total = session.scalar(_filtered(select(QueryLogEntry), f).with_only_columns(func.count())) or 0
    rows = session.scalars(
        _filtered(select(QueryLogEntry), f).order_by(QueryLogEntry.id.desc()).limit(limit).offset(offset)
    )
    return total, list(rows)


def department_names(session: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = session.execute(select(Department.id, Department.name).where(Department.id.in_(ids)))
    return {dept_id: name for dept_id, name in rows}


def tokens_with_owners(session: Session, username: str | None = None) -> list[tuple[ApiToken, str]]:
    """API tokens with their owner's user name, oldest first (of one user when ``username`` is given)."""
    stmt = select(ApiToken, User.username).join(User, User.id == ApiToken.user_id).order_by(ApiToken.id)
    if username:
        stmt = stmt.where(User.username == username)
    return [(token, owner) for token, owner in session.execute(stmt)]
