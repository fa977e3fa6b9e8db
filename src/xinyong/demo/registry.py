"""Registering the bulk demo's subjects set-based: the same rows and identifiers as
:func:`xinyong.subjects.service.register_organisation` / ``register_person`` write one at a time (the
organisation code inside each USCC linked, old 工商注册号 linked, citizen IDs and phone numbers only
encrypted, found by their keyed hash), written with PostgreSQL ``COPY`` or SQLite ``executemany``, and
audited by one entry per block of subjects (ids, count and a digest of the codes registered), as batch
intake audits the subjects a chunk registers. Codes already held by a subject are left out.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

import polars as pl
from sqlalchemy import func, insert, select, text
from sqlalchemy.orm import Session

from xinyong.audit import service as audit
from xinyong.db import in_values, is_postgres
from xinyong.kit.clock import Clock
from xinyong.kit.crypto import PersonalDataCipher
from xinyong.kit.names import normalize_names
from xinyong.models import IdScheme, Subject, SubjectIdentifier, SubjectKind

#: Subjects per audit entry.
AUDIT_BLOCK: Final = 100_000
SUBJECT_COLUMNS: Final = (
    "id",
    "kind",
    "name",
    "name_norm",
    "uscc",
    "region_code",
    "legal_representative",
    "registered_on",
    "verified",
)


@dataclass(frozen=True)
class Registered:
    """The subjects registered: organisations (with ``id``) and persons (with ``id`` and ``hash``)."""

    orgs: pl.DataFrame
    persons: pl.DataFrame


def _driver(session: Session) -> Any:
    return session.connection().connection.driver_connection


def copy_rows(session: Session, table: str, frame: pl.DataFrame) -> None:
    """Insert ``frame`` into ``table`` (columns by name): COPY on PostgreSQL, executemany on SQLite."""
    if frame.height == 0:
        return
    names = ", ".join(frame.columns)
    if is_postgres(session):
        payload = frame.write_csv(include_header=False, null_value="", date_format="%Y-%m-%d").encode()
        with (
            _driver(session).cursor() as cur,
            cur.copy(f"COPY {table} ({names}) FROM STDIN (FORMAT csv)") as cp,
        ):
            cp.write(payload)
        return
    prepared = frame.with_columns(
        [pl.col(c).dt.strftime("%Y-%m-%d") for c, t in frame.schema.items() if t == pl.Date]
        + [pl.col(c).cast(pl.Int8) for c, t in frame.schema.items() if t == pl.Boolean]
    )
    marks = ", ".join("?" * len(frame.columns))
    cur = _driver(session).cursor()
    try:
        cur.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", prepared.iter_rows())
    finally:
        cur.close()


def _taken(session: Session, scheme: IdScheme, values: list[str]) -> set[str]:
    taken: set[str] = set()
    for condition in in_values(session, SubjectIdentifier.value, values):
        taken.update(
            session.scalars(
                select(SubjectIdentifier.value).where(SubjectIdentifier.scheme == scheme, condition)
            )
        )
    return taken


def _free(
    session: Session, orgs: pl.DataFrame, persons: pl.DataFrame, cipher: PersonalDataCipher
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The rows whose codes no subject holds yet (all of them on an empty database), with ric hashes."""
    persons = persons.with_columns(
        pl.Series("hash", [cipher.index(r) for r in persons["ric"].to_list()], dtype=pl.String)
    )
    if session.scalar(select(func.count()).select_from(Subject)) == 0:
        return orgs, persons
    uscc = _taken(session, IdScheme.uscc, orgs["uscc"].to_list())
    org_code = _taken(session, IdScheme.org_code, orgs["uscc"].str.slice(8, 9).to_list())
    reg_no = _taken(session, IdScheme.reg_no, orgs["old_reg_no"].drop_nulls().to_list())
    orgs = orgs.filter(
        ~pl.col("uscc").is_in(list(uscc))
        & ~pl.col("uscc").str.slice(8, 9).is_in(list(org_code))
        & ~pl.col("old_reg_no").fill_null("").is_in(list(reg_no))
    )
    hashes = _taken(session, IdScheme.ric_hash, persons["hash"].to_list())
    return orgs, persons.filter(~pl.col("hash").is_in(list(hashes)))


def _next_id(session: Session) -> int:
    return int(session.scalar(select(func.max(Subject.id))) or 0) + 1


def _fix_sequence(session: Session) -> None:
    """After rows with explicit ids: PostgreSQL's sequence continues after the largest, and the planner
    learns the tables' new sizes (without statistics it looks persons up by scanning every identifier)."""
    if is_postgres(session):
        session.execute(
            text("SELECT setval(pg_get_serial_sequence('subjects', 'id'), (SELECT max(id) FROM subjects))")
        )
        session.execute(text("ANALYZE subjects, subject_identifiers"))


def _insert_orgs(session: Session, orgs: pl.DataFrame) -> pl.DataFrame:
    start = _next_id(session)
    orgs = orgs.with_columns(
        pl.int_range(start, start + orgs.height, dtype=pl.Int64).alias("id"),
        pl.Series("name_norm", normalize_names(orgs["name"].to_list()), dtype=pl.String).str.slice(0, 300),
        pl.lit(True).alias("verified"),
    )
    copy_rows(session, "subjects", orgs.select(SUBJECT_COLUMNS))
    identifiers = pl.concat(
        [
            orgs.select("id", pl.lit(IdScheme.uscc.value).alias("scheme"), pl.col("uscc").alias("value")),
            orgs.select(
                "id",
                pl.lit(IdScheme.org_code.value).alias("scheme"),
                pl.col("uscc").str.slice(8, 9).alias("value"),
            ),
            orgs.filter(pl.col("old_reg_no").is_not_null()).select(
                "id", pl.lit(IdScheme.reg_no.value).alias("scheme"), pl.col("old_reg_no").alias("value")
            ),
        ],
        how="vertical_relaxed",
    ).rename({"id": "subject_id"})
    copy_rows(session, "subject_identifiers", identifiers.sort("subject_id", maintain_order=True))
    return orgs


def _insert_persons(session: Session, persons: pl.DataFrame, cipher: PersonalDataCipher) -> pl.DataFrame:
    """Persons as register_person writes them (few: one subject in fifty), ID and phone encrypted."""
    start = _next_id(session)
    persons = persons.with_columns(pl.int_range(start, start + persons.height, dtype=pl.Int64).alias("id"))
    norms = normalize_names(persons["name"].to_list())
    rows = [
        {
            "id": sid,
            "kind": SubjectKind.natural_person,
            "name": name,
            "name_norm": norm[:300],
            "ric_encrypted": cipher.encrypt(ric),
            "phone_encrypted": cipher.encrypt(phone),
            "region_code": ric[:6],
        }
        for (sid, name, ric, phone), norm in zip(
            persons.select("id", "name", "ric", "phone").iter_rows(), norms, strict=True
        )
    ]
    if rows:
        session.execute(insert(Subject), rows)
        copy_rows(
            session,
            "subject_identifiers",
            persons.select(
                pl.col("id").alias("subject_id"),
                pl.lit(IdScheme.ric_hash.value).alias("scheme"),
                pl.col("hash").alias("value"),
            ),
        )
    return persons


def _audit(session: Session, ids: pl.Series, keys: pl.Series, *, actor: str, clock: Clock) -> None:
    """One entry per :data:`AUDIT_BLOCK` subjects: their id range, count and the sha256 of their codes
    (USCC, or the keyed hash of a citizen ID — never the ID itself)."""
    for start in range(0, ids.len(), AUDIT_BLOCK):
        block_ids, block_keys = ids.slice(start, AUDIT_BLOCK), keys.slice(start, AUDIT_BLOCK)
        digest = hashlib.sha256("\n".join(block_keys.to_list()).encode()).hexdigest()
        first, last = int(block_ids.min()), int(block_ids.max())  # type: ignore[arg-type]
        audit.record(
            session,
            actor=actor,
            action="subject.registered_bulk",
            entity="subject",
            after={"subject_ids": [first, last], "codes_sha256": digest, "count": block_ids.len()},
            detail={"first_subject_id": first, "last_subject_id": last, "count": block_ids.len()},
            clock=clock,
        )


def register_all(
    session: Session,
    orgs: pl.DataFrame,
    persons: pl.DataFrame,
    *,
    cipher: PersonalDataCipher,
    actor: str,
    clock: Clock,
    advance: Callable[[int], None] = lambda _n: None,
) -> Registered:
    """Register the organisations and persons whose codes are free, set-based, and audit them."""
    orgs, persons = _free(session, orgs, persons, cipher)
    session.flush()
    orgs = _insert_orgs(session, orgs)
    advance(orgs.height)
    persons = _insert_persons(session, persons, cipher)
    advance(persons.height)
    _fix_sequence(session)
    _audit(
        session,
        pl.concat([orgs["id"], persons["id"]]),
        pl.concat([orgs["uscc"], persons["hash"]]),
        actor=actor,
        clock=clock,
    )
    return Registered(orgs, persons)
