"""SQL of the subject space: the registered credit service agencies, the organisations behind the
accounts that read a file, and the grants an agency holds."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from xinyong.models import AccountKind, Authorisation, CatalogItemRow, Subject, User


def active_agencies(session: Session) -> list[User]:
    """Every active credit service agency account, by its organisation's name."""
    return list(
        session.scalars(
            select(User)
            .where(User.kind == AccountKind.agency, User.active.is_(True))
            .order_by(User.display_name, User.id)
        )
    )


def users_by_id(session: Session, ids: set[int]) -> dict[int, User]:
    if not ids:
        return {}
    return {u.id: u for u in session.scalars(select(User).where(User.id.in_(ids)))}


def users_by_username(session: Session, usernames: set[str]) -> dict[str, User]:
    if not usernames:
        return {}
    return {u.username: u for u in session.scalars(select(User).where(User.username.in_(usernames)))}


def subject_names(session: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = session.execute(select(Subject.id, Subject.name).where(Subject.id.in_(ids)))
    return {subject_id: name for subject_id, name in rows}


def grants_held(
    session: Session, agency_user_id: int, *, limit: int, offset: int
) -> tuple[int, list[tuple[Authorisation, str]]]:
    """The grants given to one agency, newest first, with the subject's name; and how many in all."""
    where = Authorisation.agency_user_id == agency_user_id
    total = session.scalar(select(func.count()).select_from(Authorisation).where(where)) or 0
    rows = session.execute(
        select(Authorisation, Subject.name)
        .join(Subject, Subject.id == Authorisation.subject_id)
        .where(where)
        .order_by(Authorisation.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return total, [(grant, name) for grant, name in rows]


def latest_grant(session: Session, *, agency_user_id: int, subject_id: int) -> Authorisation | None:
    """The newest grant (live or not) one subject gave one agency."""
    return session.scalars(
        select(Authorisation)
        .where(Authorisation.agency_user_id == agency_user_id, Authorisation.subject_id == subject_id)
        .order_by(Authorisation.id.desc())
        .limit(1)
    ).first()


def field_labels(session: Session, item_codes: set[str]) -> dict[str, dict[str, str]]:
    """Each catalog item's field labels (name -> Chinese label), the newest catalog version's last."""
    if not item_codes:
        return {}
    rows = session.execute(
        select(CatalogItemRow.code, CatalogItemRow.spec)
        .where(CatalogItemRow.code.in_(item_codes))
        .order_by(CatalogItemRow.version_id)
    )
    out: dict[str, dict[str, str]] = {}
    for code, spec in rows:
        labels = out.setdefault(code, {})
        for f in spec.get("fields", []):
            if isinstance(f, dict) and f.get("name") and f.get("label"):
                labels[str(f["name"])] = str(f["label"])
    return out
