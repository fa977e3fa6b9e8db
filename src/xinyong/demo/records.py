"""The bulk demo's credit records, through the collection pipeline: generated column-wise, grouped as the
departments would send them — one batch per department, catalog item and month of receipt — and each
batch run through :func:`xinyong.ingest.pipeline.chunk.process_chunk`, the set-based path every file and
JSON batch takes (validation, subject resolution, duplicates, severity / publication window /
timeliness, bulk storage, seals packed per chunk, one audit entry per chunk).

Each subject has 0 to 3 records (about one on average), of the catalog items that fit its kind
(licences and penalties — 双公示 — most often), from a department of its county that provides the
item (else the city's), decided a few days to weeks before the batch's day of receipt, over the
last :data:`MONTHS` months.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Final

import polars as pl
from sqlalchemy import update
from sqlalchemy.orm import Session

from xinyong.audit import service as audit
from xinyong.catalog import service as catalog_service
from xinyong.demo.fields import field_column, ints, pick
from xinyong.ingest.batches import new_batch
from xinyong.ingest.pipeline.chunk import process_chunk
from xinyong.ingest.pipeline.run import DEFAULT_CHUNK_ROWS, Counts, Run
from xinyong.ingest.validation import ROW, UNREADABLE, ItemContext, context_for
from xinyong.kit import ids
from xinyong.kit.clock import Clock
from xinyong.kit.crypto import PersonalDataCipher
from xinyong.kit.workdays import WorkCalendar
from xinyong.models import BatchChannel, BatchStatus, CatalogItemRow, Department, IngestBatch, SubjectKind

MONTHS: Final = 24
#: A department sends an item's records monthly once it has about this many a batch; with fewer it
#: sends them less often (every few months), so a small demo is not thousands of tiny batches.
BATCH_ROWS: Final = 2_500
#: How many records a subject has (value, weight): about one on average.
PER_SUBJECT: Final = ((0, 30), (1, 42), (2, 20), (3, 8))
#: How often each item is chosen among those that fit a subject (others: 3).
ITEM_WEIGHTS: Final = {"XK-001": 30, "CF-001": 22, "DJ-001": 8, "DJ-002": 10, "PJ-001": 8, "YC-001": 5}
#: Days from decision to receipt (most within a week).
DELAYS: Final = (1, 1, 2, 2, 3, 3, 4, 5, 5, 6, 7, 8, 9, 12, 15, 20, 30, 45)
KIND_ABBR: Final = {"市场监管": "市监", "税务": "税", "法院": "法", "生态环境": "环", "住房城乡建设": "建"}
ITEM_ABBR: Final = {"CF": "罚", "XK": "许", "QZ": "强", "SF": "执", "YC": "异", "YZ": "严"}


@dataclass
class Loaded:
    records: int = 0
    batches: int = 0
    by_item: dict[str, int] = field(default_factory=dict)


def dept_uscc(dept: Department) -> str:
    """A stable, valid USCC for a department (a government body, 11 + its region): the authority code
    its records carry."""
    digest = hashlib.sha256(dept.code.encode()).digest()
    body = "".join(ids.USCC_ALPHABET[b % 31] for b in digest[:8])
    first17 = f"11{dept.region_code or '000000'}{body}{ids.calc_org_check(body)}"
    return first17 + ids.calc_uscc_check(first17)


def _subjects(orgs: pl.DataFrame, persons: pl.DataFrame) -> pl.DataFrame:
    cols = ["sid", "kind", "subject_name", "subject_code", "region", "legal_rep", "registered_on"]
    return pl.concat(
        [
            orgs.select(
                pl.col("id").alias("sid"),
                "kind",
                pl.col("name").alias("subject_name"),
                pl.col("uscc").alias("subject_code"),
                pl.col("region_code").alias("region"),
                pl.col("legal_representative").fill_null(pl.col("name")).alias("legal_rep"),
                "registered_on",
            ),
            persons.select(
                pl.col("id").alias("sid"),
                pl.lit(SubjectKind.natural_person.value).alias("kind"),
                pl.col("name").alias("subject_name"),
                pl.col("ric").alias("subject_code"),
                pl.col("ric").str.slice(0, 6).alias("region"),
                pl.col("name").alias("legal_rep"),
                pl.col("birth").alias("registered_on"),
            ),
        ]
    ).select(cols)


def _hash(*parts: object) -> int:
    return int(hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()[:12], 16)


def _sources(items: list[CatalogItemRow], depts: list[Department], city: str) -> pl.DataFrame:
    """(item, region, dept): which department sends an item's records about a region's subjects — one
    of the region's departments that provide it (else one of the city's), chosen by item and region."""
    regions = sorted({d.region_code or city for d in depts})
    rows = []
    for item in items:
        spec = catalog_service.item_spec(item)
        providers = [d for d in depts if spec.provided_by(d.kind)]
        for region in regions:
            local = [d for d in providers if d.region_code == region] or [
                d for d in providers if d.region_code == city
            ]
            if local:
                rows.append((item.code, region, local[_hash(item.code, region) % len(local)].code))
    return pl.DataFrame(rows, schema=["item", "region", "dept"], orient="row")


def plan(
    orgs: pl.DataFrame,
    persons: pl.DataFrame,
    items: list[CatalogItemRow],
    depts: list[Department],
    *,
    city: str,
    today: dt.date,
    rng: random.Random,
) -> pl.DataFrame:
    """One row per record: the subject, its item, the department and the day of receipt and decision."""
    subjects = _subjects(orgs, persons)
    per = pick(rng, [v for v, w in PER_SUBJECT for _ in range(w)], subjects.height)
    records = subjects.with_columns(per.alias("k")).filter(pl.col("k") > 0)
    columns = [c for c in records.columns if c != "k"]
    records = records.select(pl.col(columns).repeat_by(records["k"])).explode(columns)
    sources = _sources(items, depts, city)
    offered = set(sources["item"].to_list())
    parts = []
    for kind, group in records.partition_by("kind", as_dict=True).items():
        fitting = [it.code for it in items if kind[0] in it.spec["subject_types"] and it.code in offered]
        if not fitting:
            continue
        pool = [code for code in fitting for _ in range(ITEM_WEIGHTS.get(code, 3))]
        parts.append(group.with_columns(pick(rng, pool, group.height).alias("item")))
    records = pl.concat(parts).join(sources, on=["item", "region"], how="inner")
    n = records.height
    records = records.with_columns(ints(rng, n, 10**6).alias("r"), pick(rng, DELAYS, n).alias("delay"))
    # each (department, item) sends p batches, p growing with its records, spread over the months
    sends = (
        records.group_by("dept", "item")
        .len()
        .with_columns(
            (pl.col("len") // BATCH_ROWS).clip(1, MONTHS).alias("p"),
            pl.struct("dept", "item")
            .map_elements(lambda k: _hash(k["dept"], k["item"]) % MONTHS, return_dtype=pl.Int64)
            .alias("offset"),
        )
    )
    records = records.join(sends.drop("len"), on=["dept", "item"]).with_columns(
        ((pl.col("offset") + (pl.col("r") % pl.col("p")) * MONTHS // pl.col("p")) % MONTHS).alias("month")
    )
    first = dt.date(today.year, today.month, 1)
    months = {m: _month_back(first, m) for m in range(MONTHS)}
    return records.with_columns(
        pl.col("month").replace_strict(months, return_dtype=pl.Date).alias("month_start")
    ).drop("r", "p", "offset", "month")


def _month_back(first: dt.date, months: int) -> dt.date:
    index = first.year * 12 + first.month - 1 - months
    return dt.date(index // 12, index % 12 + 1, 1)


def _received(dept: str, item: str, month: dt.date, today: dt.date) -> dt.date:
    """The day a department sent a month's batch of an item: a day of that month, never after today."""
    day = 1 + int(hashlib.sha256(f"{dept}|{item}|{month}".encode()).hexdigest(), 16) % 28
    return min(month.replace(day=day), today)


@dataclass(frozen=True)
class Context:
    """What every batch of the load shares."""

    depts: dict[str, Department]
    items: dict[str, CatalogItemRow]
    ctx: dict[str, ItemContext]
    cal: WorkCalendar
    cipher: PersonalDataCipher
    actor: str
    clock: Clock
    today: dt.date
    places: dict[str, str]
    others: pl.DataFrame


def _frame(
    c: Context, item: CatalogItemRow, rows: pl.DataFrame, rng: random.Random, serial0: int
) -> pl.DataFrame:
    """The submission of one item's records (String columns by field name)."""
    n = rows.height
    rows = rows.with_columns(
        pl.col("dept").replace_strict({k: d.name for k, d in c.depts.items()}).alias("dept_name"),
        pl.col("dept").replace_strict({k: dept_uscc(d) for k, d in c.depts.items()}).alias("dept_uscc"),
        pl.col("region").replace_strict(c.places, default="盐城市").alias("place"),
        pl.col("decision").dt.year().cast(pl.String).alias("year"),
        c.others.sample(n, with_replacement=True, seed=rng.randrange(2**32)).to_struct("o").alias("o"),
    ).unnest("o")
    serial = pl.int_range(serial0, serial0 + n, eager=True)
    abbr = {
        k: d.name[:1] + KIND_ABBR.get(d.kind, "") + ITEM_ABBR.get(item.code[:2], "")
        for k, d in c.depts.items()
    }
    core = {
        "subject_name": rows["subject_name"],
        "subject_id": rows["subject_code"],
        "source_record_id": rows["dept"] + f"-{item.code}-B" + serial.cast(pl.String).str.zfill(9),
        "decision_date": rows["decision"].dt.strftime("%Y-%m-%d"),
        "decision_no": rows["dept"].replace_strict(abbr)
        + "〔"
        + rows["year"]
        + "〕"
        + (serial % 100000).cast(pl.String)
        + "号",
    }
    columns: dict[str, pl.Series] = {}
    for spec in item.spec["fields"]:
        name = spec["name"]
        value = core.get(name)
        columns[name] = value.alias(name) if value is not None else field_column(spec, rows, rng, c.today)
    columns["dept"] = rows["dept"]
    columns["received"] = rows["received"]
    return pl.DataFrame(columns)


def _run_batch(
    session: Session,
    c: Context,
    item: CatalogItemRow,
    dept: Department,
    received: dt.date,
    frame: pl.DataFrame,
) -> Counts:
    """One department's batch of one item: received (audited), its chunks through the pipeline, done."""
    sha = hashlib.sha256(frame.write_csv().encode()).hexdigest()
    batch = new_batch(
        session,
        dept_id=dept.id,
        item_id=item.id,
        item_code=item.code,
        channel=BatchChannel.api,
        fmt="json",
        sha256=sha,
        file_name=None,
        stored_path=None,
        actor=c.actor,
        clock=c.clock,
        unknown=[],
        rows_total=frame.height,
        received_on=received,
    )
    run = Run(
        batch.id, dept.id, item.id, c.ctx[item.code], received, c.today, c.cal, c.cipher, c.actor, c.clock
    )
    total = Counts()
    for start in range(0, frame.height, DEFAULT_CHUNK_ROWS):
        chunk = frame.slice(start, DEFAULT_CHUNK_ROWS)
        chunk = chunk.with_columns(
            pl.int_range(start + 1, start + 1 + chunk.height, dtype=pl.Int64).alias(ROW),
            pl.lit(False).alias(UNREADABLE),
        )
        counts = process_chunk(session, run, chunk, expected_done=start)
        total.accepted += counts.accepted
        total.rejected += counts.rejected
    session.execute(
        update(IngestBatch)
        .where(IngestBatch.id == batch.id)
        .values(status=BatchStatus.done, finished_at=c.clock.now(), rows_total=frame.height)
    )
    audit.record(
        session,
        actor=c.actor,
        action="ingest.batch_done",
        entity="ingest_batch",
        entity_id=batch.id,
        after={"rows": frame.height, "accepted": total.accepted, "rejected": total.rejected},
        clock=c.clock,
    )
    return total


def load(
    session: Session,
    c: Context,
    planned: pl.DataFrame,
    rng: random.Random,
    advance: Callable[[int], None] = lambda _n: None,
) -> Loaded:
    """Generate and submit every planned record, item by item, batch by batch."""
    out = Loaded()
    keys = sorted(
        {(d, i, m) for d, i, m in planned.select("dept", "item", "month_start").unique().iter_rows()}
    )
    received = {k: _received(k[0], k[1], k[2], c.today) for k in keys}
    table = pl.DataFrame(
        [(d, i, m, r) for (d, i, m), r in received.items()],
        schema={"dept": pl.String, "item": pl.String, "month_start": pl.Date, "received": pl.Date},
        orient="row",
    )
    planned = planned.join(table, on=["dept", "item", "month_start"], how="left").with_columns(
        (pl.col("received") - pl.duration(days=pl.col("delay"))).alias("decision")
    )
    serial = 0
    for (item_code,), rows in sorted(planned.partition_by("item", as_dict=True).items()):
        item = c.items[str(item_code)]
        frame = _frame(c, item, rows, rng, serial)
        serial += rows.height
        for (dept_code, day), batch in sorted(frame.partition_by("dept", "received", as_dict=True).items()):
            day_of_receipt: dt.date = day
            counts = _run_batch(
                session, c, item, c.depts[str(dept_code)], day_of_receipt, batch.drop("dept", "received")
            )
            out.records += counts.accepted
            out.batches += 1
            out.by_item[item.code] = out.by_item.get(item.code, 0) + counts.accepted
            advance(batch.height)
    return out


def context(
    session: Session,
    *,
    depts: list[Department],
    items: list[CatalogItemRow],
    cal: WorkCalendar,
    cipher: PersonalDataCipher,
    actor: str,
    clock: Clock,
    places: dict[str, str],
    orgs: pl.DataFrame,
) -> Context:
    companies = orgs.filter(pl.col("kind") == SubjectKind.legal_person.value)
    others = (companies if companies.height else orgs).select(
        pl.col("name").alias("other_name"), pl.col("uscc").alias("other_uscc")
    )
    if others.height == 0:  # no organisation at all: the city's credit office stands in
        office = depts[0]
        others = pl.DataFrame({"other_name": [office.name], "other_uscc": [dept_uscc(office)]})
    return Context(
        depts={d.code: d for d in depts},
        items={i.code: i for i in items},
        ctx={i.code: context_for(i) for i in items},
        cal=cal,
        cipher=cipher,
        actor=actor,
        clock=clock,
        today=clock.today(),
        places=places,
        others=others.head(100_000),
    )
