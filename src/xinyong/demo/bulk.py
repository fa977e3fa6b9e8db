"""The demo at scale (``xinyong demo --subjects 1000000``): subjects generated column-wise
(:mod:`xinyong.demo.names`), registered set-based (:mod:`xinyong.demo.registry`), their records sent
through the collection pipeline a department batch at a time (:mod:`xinyong.demo.records`), and the
public search index built once at the end (``subjects.search_index.rebuild``), since subjects written
set-based are not indexed one by one.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Final

from sqlalchemy import text
from sqlalchemy.orm import Session

from xinyong.db import is_postgres
from xinyong.demo import names, records, registry
from xinyong.kit.clock import Clock
from xinyong.kit.crypto import PersonalDataCipher
from xinyong.models import CatalogItemRow, Department
from xinyong.subjects import search_index
from xinyong.workdays.service import calendar as work_calendar

#: SQLite page cache for the load, in KiB (negative: a size, not pages); SQLite's default is 2 MB,
#: which makes every insert into a large index a read from disk.
SQLITE_CACHE_KIB: Final = 512 * 1024


@contextmanager
def roomy(session: Session) -> Iterator[None]:
    """Memory for a load of millions of rows, for this transaction only: SQLite's page cache (restored
    after), PostgreSQL's sort and index-build memory (SET LOCAL)."""
    if is_postgres(session):
        session.execute(text("SET LOCAL work_mem = '256MB'"))
        session.execute(text("SET LOCAL maintenance_work_mem = '512MB'"))
        yield
        return
    before = int(session.execute(text("PRAGMA cache_size")).scalar_one())
    session.execute(text(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}"))
    try:
        yield
    finally:
        session.execute(text(f"PRAGMA cache_size = {before}"))


@dataclass
class BulkLoaded:
    subjects: int = 0
    persons: int = 0
    records: int = 0
    batches: int = 0
    listed: int = 0
    by_item: dict[str, int] = field(default_factory=dict)
    #: Seconds spent generating, registering, submitting records and indexing.
    seconds: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class BulkWorld:
    """Where the subjects live and who sends their records."""

    city: str
    region_codes: list[str]
    places: dict[str, str]
    depts: list[Department]
    items: list[CatalogItemRow]


def load_bulk(
    session: Session,
    world: BulkWorld,
    *,
    orgs: int,
    persons: int,
    seed: int,
    actor: str,
    clock: Clock,
    cipher: PersonalDataCipher,
    advance: Callable[[str, int], None] = lambda _stage, _n: None,
) -> BulkLoaded:
    """Generate, register and submit ``orgs`` organisations and ``persons`` persons with their records,
    in the caller's transaction."""
    with roomy(session):
        return _load(
            session,
            world,
            orgs=orgs,
            persons=persons,
            seed=seed,
            actor=actor,
            clock=clock,
            cipher=cipher,
            advance=advance,
        )


def _load(
    session: Session,
    world: BulkWorld,
    *,
    orgs: int,
    persons: int,
    seed: int,
    actor: str,
    clock: Clock,
    cipher: PersonalDataCipher,
    advance: Callable[[str, int], None] = lambda _stage, _n: None,
) -> BulkLoaded:
    seconds: dict[str, float] = {}
    mark = time.perf_counter()

    def lap(stage: str) -> None:
        nonlocal mark
        now = time.perf_counter()
        seconds[stage], mark = round(now - mark, 1), now

    org_rows = names.organisations(orgs, seed, world.region_codes, world.city)
    person_rows = names.persons(persons, seed, world.region_codes)
    lap("generate")
    done = registry.register_all(
        session,
        org_rows,
        person_rows,
        cipher=cipher,
        actor=actor,
        clock=clock,
        advance=lambda n: advance("subjects", n),
    )
    lap("register")
    rng = random.Random(seed + 2)
    c = records.context(
        session,
        depts=world.depts,
        items=world.items,
        cal=work_calendar(session),
        cipher=cipher,
        actor=actor,
        clock=clock,
        places=world.places,
        orgs=done.orgs,
    )
    planned = records.plan(
        done.orgs, done.persons, world.items, world.depts, city=world.city, today=clock.today(), rng=rng
    )
    loaded = records.load(session, c, planned, rng, lambda n: advance("records", n))
    lap("records")
    listed = search_index.rebuild(session)
    lap("search_index")
    return BulkLoaded(
        subjects=done.orgs.height + done.persons.height,
        persons=done.persons.height,
        records=loaded.records,
        batches=loaded.batches,
        listed=listed,
        by_item=loaded.by_item,
        seconds=seconds,
    )
