"""SQL for credit subjects and their identifiers (one row per code a subject ever had)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, func, insert, select, update
from sqlalchemy.orm import Session

from xinyong.db import in_values, pieces
from xinyong.models.subjects import IdScheme, Subject, SubjectIdentifier, SubjectKind
from xinyong.subjects import search_index, search_query


class SubjectRef(NamedTuple):
    """What intake needs of a subject: its id, normalised name and kind."""

    id: int
    name_norm: str
    kind: SubjectKind


def identifier_owner(session: Session, scheme: IdScheme, value: str) -> int | None:
    return session.scalar(
        select(SubjectIdentifier.subject_id).where(
            SubjectIdentifier.scheme == scheme, SubjectIdentifier.value == value
        )
    )


def by_identifier(session: Session, scheme: IdScheme, value: str) -> Subject | None:
    return session.scalar(
        select(Subject)
        .join(SubjectIdentifier, SubjectIdentifier.subject_id == Subject.id)
        .where(SubjectIdentifier.scheme == scheme, SubjectIdentifier.value == value)
        .limit(1)
    )


def uscc_taken(session: Session, uscc: str) -> bool:
    return session.scalar(select(Subject.id).where(Subject.uscc == uscc)) is not None


def usccs_by_identifier(session: Session, scheme: IdScheme, values: list[str]) -> dict[str, str]:
    """The USCC of the subject behind each of ``values`` (old codes of one scheme), where there is one."""
    out: dict[str, str] = {}
    for condition in in_values(session, SubjectIdentifier.value, values):
        for value, uscc in session.execute(
            select(SubjectIdentifier.value, Subject.uscc)
            .join(Subject, SubjectIdentifier.subject_id == Subject.id)
            .where(SubjectIdentifier.scheme == scheme, condition)
        ):
            if uscc:
                out[value] = uscc
    return out


def by_usccs(session: Session, usccs: list[str]) -> dict[str, SubjectRef]:
    out: dict[str, SubjectRef] = {}
    for condition in in_values(session, Subject.uscc, usccs):
        for sid, uscc, norm, kind in session.execute(
            select(Subject.id, Subject.uscc, Subject.name_norm, Subject.kind).where(condition)
        ):
            out[str(uscc)] = SubjectRef(sid, norm, kind)
    return out


def by_identifiers(session: Session, scheme: IdScheme, values: list[str]) -> dict[str, SubjectRef]:
    out: dict[str, SubjectRef] = {}
    for condition in in_values(session, SubjectIdentifier.value, values):
        for sid, value, norm, kind in session.execute(
            select(Subject.id, SubjectIdentifier.value, Subject.name_norm, Subject.kind)
            .join(SubjectIdentifier, SubjectIdentifier.subject_id == Subject.id)
            .where(SubjectIdentifier.scheme == scheme, condition)
        ):
            out[value] = SubjectRef(sid, norm, kind)
    return out


def taken_values(session: Session, scheme: IdScheme, values: list[str]) -> set[str]:
    taken: set[str] = set()
    for condition in in_values(session, SubjectIdentifier.value, values):
        taken.update(
            session.scalars(
                select(SubjectIdentifier.value).where(SubjectIdentifier.scheme == scheme, condition)
            )
        )
    return taken


def insert_subjects(session: Session, rows: list[dict[str, Any]]) -> list[int]:
    """Insert subjects in bulk; their new ids, in the order of ``rows``."""
    if not rows:
        return []
    created = session.execute(
        insert(Subject).returning(Subject.id, sort_by_parameter_order=True), rows
    ).scalars()
    return list(created)


def insert_identifiers(session: Session, rows: Iterable[dict[str, Any]]) -> None:
    payload = list(rows)
    if payload:
        session.execute(insert(SubjectIdentifier), payload)


def names_by_id(session: Session, subject_ids: list[int]) -> dict[int, str]:
    if not subject_ids:
        return {}
    return {
        sid: name
        for sid, name in session.execute(select(Subject.id, Subject.name).where(Subject.id.in_(subject_ids)))
    }


def by_name_norm(session: Session, name_norm: str, limit: int) -> list[Subject]:
    return list(session.scalars(select(Subject).where(Subject.name_norm == name_norm).limit(limit)))


def set_verified(session: Session, subject_ids: list[int]) -> int:
    """Mark unverified subjects among ``subject_ids`` verified (and list them in the public search index);
    how many changed."""
    changed: list[int] = []
    for piece in pieces(subject_ids):
        held = list(
            session.scalars(select(Subject.id).where(Subject.id.in_(piece), Subject.verified.is_(False)))
        )
        if held:
            session.execute(
                update(Subject)
                .where(Subject.id.in_(held))
                .values(verified=True)
                .execution_options(synchronize_session=False)
            )
            changed += held
    search_index.reindex(session, changed)
    return len(changed)


def unverified(
    session: Session, *, region_prefix: str | None, limit: int, offset: int
) -> tuple[int, list[Subject]]:
    """Organisations held as unverified, oldest first, in a region (its code's leading digits)."""
    where: list[ColumnElement[bool]] = [Subject.verified.is_(False)]
    if region_prefix:
        where.append(Subject.region_code.startswith(region_prefix))
    total = session.scalar(select(func.count()).select_from(Subject).where(*where)) or 0
    rows = session.scalars(select(Subject).where(*where).order_by(Subject.id).limit(limit).offset(offset))
    return int(total), list(rows)


def public_by_name(session: Session, norm: str, *, limit: int, offset: int) -> tuple[int, list[Subject]]:
    """Organisations shown publicly (verified, not persons) whose normalised name contains ``norm``, and
    how many match in all: the exact name first, then names starting with it, then the rest, each in
    name order. Answered from the public search index (``search_query``), never a scan of subjects."""
    total, ids = search_query.search(session, norm, limit=limit, offset=offset)
    if not ids:
        return total, []
    found = {s.id: s for s in session.scalars(select(Subject).where(Subject.id.in_(ids)))}
    return total, [found[i] for i in ids if i in found]
