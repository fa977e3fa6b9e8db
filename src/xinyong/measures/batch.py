"""Batch screening (自动比对): the vectorised twin of ``measures.rules.screen`` over many subjects at once.

The rule is ``rules.screen``'s (read its docstring); this module states it again over Polars frames, one
join per trigger, so that a million subjects take seconds, and a test proves both give the same
decision, applied measures and suspended measures for every subject.

1. ``resolve``: each identifier of the file (USCC, old code, citizen ID, exact name) to a subject, in bulk
   (codes checked with ``kit.ids.bulk``; citizen IDs found by their keyed hash; old codes converted to the
   USCC as the single check does; a name must name exactly one subject). Unfound rows say why.
2. ``load_facts``: the found subjects' adverse records, decided or published list entries with the
   measure codes of their scope item, and the open objections, table by table (batch_repository).
3. ``screen_frame``: per subject the decision, the applied measure codes, the suspended ones with their
   reasons and sources, and the clean flag.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import polars as pl
from sqlalchemy.orm import Session

from xinyong.catalog.lists import Measure, Scenario
from xinyong.kit import ids
from xinyong.kit.crypto import PersonalDataCipher
from xinyong.kit.ids.bulk import ric_error_expr
from xinyong.kit.names import normalize_names
from xinyong.measures import batch_repository as repo
from xinyong.measures.rules import EFFECT_RANK
from xinyong.models.lists import EntryState, ListKind
from xinyong.models.measures import Decision
from xinyong.models.records import RecordStatus, Severity
from xinyong.models.subjects import IdScheme
from xinyong.records.rules import add_months
from xinyong.subjects.service import convert_old_codes

#: Why a row found no subject (the result file's 说明 column).
NOT_FOUND_ZH: Final = {
    "empty": "标识为空",
    "invalid": "代码校验未通过",
    "unknown": "未找到使用该标识的信用主体",
    "ambiguous": "名称对应多个信用主体，请使用统一社会信用代码",
    "cipher": "查询自然人需要个人信息密钥",
}
DECISION_BY_RANK: Final = {0: Decision.passed.value} | {
    rank: Decision[effect.value].value for effect, rank in EFFECT_RANK.items()
}
SEVERITY_RANK: Final = {s.value: s.rank for s in Severity}
#: The shape of a USCC (its check character is checked only when it finds no subject).
USCC_SHAPE: Final = r"^[0-9A-HJ-NP-RTUWXY]{18}$"


@dataclass(frozen=True)
class Resolved:
    """Every row of the input: ``row``, ``identifier`` (as given), ``how`` (uscc / ric / org_code /
    reg_no / name), ``subject_id``, ``subject_type``, ``name``, ``problem`` (a NOT_FOUND_ZH key)."""

    rows: pl.DataFrame

    @property
    def subject_ids(self) -> list[int]:
        found = self.rows.get_column("subject_id").drop_nulls().unique().sort()
        return [int(v) for v in found.to_list()]

    def subjects(self) -> pl.DataFrame:
        return (
            self.rows.filter(pl.col("subject_id").is_not_null()).select("subject_id", "subject_type").unique()
        )


def _folded(values: list[str]) -> list[str]:
    return [v if v.isascii() else unicodedata.normalize("NFKC", v) for v in values]


def _compact(value: str | None) -> str:
    folded = unicodedata.normalize("NFKC", value or "")
    return "".join(folded.split()).replace("-", "").upper()


def classify_frame(identifiers: Sequence[str]) -> pl.DataFrame:
    """Per row: ``how`` the identifier is to be looked up and ``key`` (the compact code or the name).

    By shape only, vectorised: a valid citizen ID (the 18-character codes that are RIC-shaped are
    checked, as ``kit.ids.classify`` prefers a valid RIC), else a USCC-shaped code is looked up as a
    USCC. A code that finds nothing is checked afterwards (``_why_not_found``): invalid or unknown.
    Anything else (old codes, names) is read by ``_classify_one``, as the single check reads it."""
    raw = pl.Series("identifier", identifiers, dtype=pl.String)
    frame = pl.DataFrame({"row": pl.int_range(0, len(raw), eager=True), "identifier": raw})
    # Most rows are an 18-character code as it is: their key is the identifier; the others are compacted
    # in Python (full-width folded, spaces and hyphens dropped, upper case).
    plain = pl.col("identifier").str.contains(r"^[0-9A-Z]{18}$")
    frame = frame.with_columns(pl.when(plain).then(pl.col("identifier")).alias("key"))
    odd = frame.filter(pl.col("key").is_null())
    if odd.height:
        compact = [_compact(v) for v in odd.get_column("identifier").to_list()]
        patch = odd.select("row").with_columns(pl.Series("key2", compact, dtype=pl.String))
        frame = frame.join(patch, on="row", how="left").with_columns(pl.coalesce("key", "key2").alias("key"))
    shaped = frame.filter(pl.col("key").str.contains(r"^[0-9]{17}[0-9X]$"))
    rics = shaped.filter(ric_error_expr(pl.col("key")).is_null()).get_column("row")
    frame = frame.with_columns(
        pl.when(pl.col("row").is_in(rics.implode()))
        .then(pl.lit("ric"))
        .when(pl.col("key").str.contains(USCC_SHAPE))
        .then(pl.lit("uscc"))
        .otherwise(pl.lit(None, dtype=pl.String))
        .alias("how"),
    )
    rest = frame.filter(pl.col("how").is_null())
    if rest.height:
        pairs = [_classify_one(v) for v in _folded(rest.get_column("identifier").to_list())]
        patch = rest.select("row").with_columns(
            pl.Series("how2", [h for h, _ in pairs], dtype=pl.String),
            pl.Series("key2", [k for _, k in pairs], dtype=pl.String),
        )
        frame = frame.join(patch, on="row", how="left").with_columns(
            pl.coalesce("how", "how2").alias("how"), pl.coalesce("key2", "key").alias("key")
        )
    return frame.select("row", "identifier", "how", "key")


#: Characters an identifier typed as a code may hold; anything else is a name (as the single check reads it).
_CODE_CHARS: Final = frozenset("0123456789ABCDEFGHJKLMNPQRTUWXYabcdefghjklmnpqrtuwxy-")


def _classify_one(value: str) -> tuple[str, str]:
    if not value.strip():
        return ("empty", value)
    compact = value.replace(" ", "")
    if not set(compact) <= _CODE_CHARS or not any(ch.isdigit() for ch in compact):
        return ("name", value.strip())
    verdict = ids.classify(value)
    if verdict.kind in ("reg_no", "org_code") and verdict.valid:
        return (verdict.kind, value)
    return ("invalid", value)


def _found(frame: pl.DataFrame, hits: pl.DataFrame, how: str, key: str = "key") -> pl.DataFrame:
    """Rows of ``how`` joined to the subjects found by ``key``."""
    wanted = frame.filter(pl.col("how") == how)
    return wanted.join(hits.rename({"value": key}), on=key, how="inner")


def resolve(session: Session, identifiers: Sequence[str], cipher: PersonalDataCipher | None) -> Resolved:
    """Each identifier to its subject, in bulk (see the module docstring)."""
    frame = classify_frame(identifiers)
    keys = {
        how: frame.filter(pl.col("how") == how).get_column("key").unique().to_list()
        for how in ("uscc", "ric", "org_code", "reg_no", "name")
    }
    parts = [_found(frame, repo.subjects_by_identifier(session, IdScheme.uscc, keys["uscc"]), "uscc")]
    if cipher is not None and keys["ric"]:
        hashes = pl.DataFrame({"key": keys["ric"], "hash": [cipher.index(v) for v in keys["ric"]]})
        hits = repo.subjects_by_identifier(session, IdScheme.ric_hash, hashes.get_column("hash").to_list())
        rics = frame.filter(pl.col("how") == "ric").join(hashes, on="key")
        parts.append(rics.join(hits.rename({"value": "hash"}), on="hash").drop("hash"))
    old = keys["org_code"] + keys["reg_no"]
    if old:
        converted = convert_old_codes(session, old)
        hits = repo.subjects_by_identifier(session, IdScheme.uscc, sorted(set(converted.values())))
        bridge = pl.DataFrame(
            {"key": list(converted), "value": list(converted.values())},
            schema={"key": pl.String, "value": pl.String},
        )
        olds = frame.filter(pl.col("how").is_in(["org_code", "reg_no"])).join(bridge, on="key")
        parts.append(olds.join(hits, on="value").drop("value"))
    parts.append(_by_name(session, frame, keys["name"]))
    found = pl.concat([p.select("row", "subject_id", "kind", "name") for p in parts], how="vertical")
    rows = frame.join(found, on="row", how="left").with_columns(
        pl.col("kind").alias("subject_type"),
        pl.when(pl.col("subject_id").is_not_null())
        .then(pl.lit(None, dtype=pl.String))
        .when(pl.col("how").is_in(["empty", "invalid"]))
        .then(pl.col("how"))
        .when((pl.col("how") == "ric") & pl.lit(cipher is None))
        .then(pl.lit("cipher"))
        .otherwise(pl.lit("unknown"))
        .alias("problem"),
    )
    return Resolved(_why_not_found(_ambiguous(rows)).drop("kind", "key").sort("row"))


def _by_name(session: Session, frame: pl.DataFrame, names: list[str]) -> pl.DataFrame:
    schema = {"row": pl.Int64, "subject_id": pl.Int64, "kind": pl.String, "name": pl.String}
    if not names:
        return pl.DataFrame(schema=schema)
    norms = pl.DataFrame({"key": names, "norm": normalize_names(names)})
    hits = repo.subjects_by_name(session, norms.get_column("norm").unique().to_list())
    counted = hits.with_columns(pl.len().over("value").alias("n"))
    rows = (
        frame.filter(pl.col("how") == "name")
        .join(norms, on="key")
        .join(counted.rename({"value": "norm"}), on="norm")
    )
    # A name that names several subjects finds none: the row is reported as ambiguous.
    return (
        rows.with_columns(pl.when(pl.col("n") == 1).then(pl.col("subject_id")).alias("subject_id"))
        .unique("row")
        .select(list(schema))
    )


def _why_not_found(rows: pl.DataFrame) -> pl.DataFrame:
    """A USCC-shaped code that found nothing: ``invalid`` when its check fails (kit.ids.classify)."""
    missed = rows.filter((pl.col("how") == "uscc") & pl.col("subject_id").is_null())
    if not missed.height:
        return rows
    bad = [row for row, key in missed.select("row", "key").rows() if not ids.classify(key).valid]
    return rows.with_columns(
        pl.when(pl.col("row").is_in(bad))
        .then(pl.lit("invalid"))
        .otherwise(pl.col("problem"))
        .alias("problem")
    )


def _ambiguous(rows: pl.DataFrame) -> pl.DataFrame:
    return rows.with_columns(
        pl.when((pl.col("how") == "name") & pl.col("subject_id").is_null() & pl.col("kind").is_not_null())
        .then(pl.lit("ambiguous"))
        .otherwise(pl.col("problem"))
        .alias("problem"),
        pl.when(pl.col("subject_id").is_null()).then(None).otherwise(pl.col("kind")).alias("subject_type"),
        pl.when(pl.col("subject_id").is_null()).then(None).otherwise(pl.col("name")).alias("name"),
    )


# --------------------------------------------------------------------------- facts


@dataclass(frozen=True)
class Facts:
    """The facts of the found subjects, as frames the rule reads."""

    subjects: pl.DataFrame  # subject_id, subject_type
    records: (
        pl.DataFrame
    )  # id, subject_id, item_code, severity, decision_date, status, ends_on, objection_open
    entries: pl.DataFrame  # id, subject_id, number, list_kind, state, period_end, measures, objection_open


def load_facts(session: Session, subjects: pl.DataFrame) -> Facts:
    """Adverse records, live list entries and open objections of ``subjects`` (subject_id, subject_type)."""
    ids_ = [int(v) for v in subjects.get_column("subject_id").to_list()]
    records = repo.adverse_records(session, ids_)
    entries = repo.live_entries(session, ids_)
    objections = repo.open_objections(session, ids_)
    scopes = repo.scope_measures(session, entries.get_column("scope_id").unique().to_list())
    measures = pl.DataFrame(
        {"scope_id": list(scopes), "measures": list(scopes.values())},
        schema={"scope_id": pl.Int64, "measures": pl.List(pl.String)},
    )
    held = {
        kind: objections.filter(pl.col("target_kind") == kind)
        .select(pl.col("target_id").alias("id"))
        .unique()
        for kind in ("record", "entry")
    }
    records = records.with_columns(
        pl.col("id").is_in(held["record"].get_column("id").implode()).alias("objection_open")
    )
    entries = entries.join(measures, on="scope_id", how="left").with_columns(
        pl.col("id").is_in(held["entry"].get_column("id").implode()).alias("objection_open"),
        pl.col("measures").fill_null(pl.lit([], dtype=pl.List(pl.String))),
    )
    return Facts(subjects, records, entries)


# --------------------------------------------------------------------------- the rule, vectorised


@dataclass(frozen=True)
class MeasureTables:
    """The candidate measures of a scenario as join tables: by subject type, by list, by item."""

    types: pl.DataFrame  # code, subject_type, rank (effect), clean_years
    lists: pl.DataFrame  # code, list_kind
    items: pl.DataFrame  # code, item_code, min_rank


def measure_tables(measures: Sequence[Measure], scenario: Scenario) -> MeasureTables:
    """``rules.candidates`` for every subject type at once."""
    chosen = [m for m in measures if scenario in m.scenarios]
    types = pl.DataFrame(
        [
            (m.code, t.value, EFFECT_RANK[m.effect], m.triggers.clean_years)
            for m in chosen
            for t in m.subject_types
        ],
        schema={"code": pl.String, "subject_type": pl.String, "rank": pl.Int64, "clean_years": pl.Int64},
        orient="row",
    )
    lists = pl.DataFrame(
        [(m.code, k.value) for m in chosen for k in m.triggers.lists],
        schema={"code": pl.String, "list_kind": pl.String},
        orient="row",
    )
    items = pl.DataFrame(
        [
            (m.code, item, m.min_severity.rank)
            for m in chosen
            if m.min_severity is not None
            for item in m.triggers.items
        ],
        schema={"code": pl.String, "item_code": pl.String, "min_rank": pl.Int64},
        orient="row",
    )
    return MeasureTables(types, lists, items)


_PAIR: Final = {"subject_id": pl.Int64, "code": pl.String}
_HELD: Final = {**_PAIR, "held": pl.String}


def _held(frame: pl.DataFrame, reason: str, kind: str) -> pl.DataFrame:
    """Suspended measures as ``CODE|reason|kind|id`` (sortable, comparable with rules.Suspended)."""
    return frame.select(
        "subject_id",
        "code",
        pl.concat_str(
            [pl.col("code"), pl.lit(reason), pl.lit(kind), pl.col("id").cast(pl.String)], separator="|"
        ).alias("held"),
    )


def _by_entries(facts: Facts, tables: MeasureTables, today: dt.date) -> tuple[pl.DataFrame, pl.DataFrame]:
    hits = (
        facts.entries.explode("measures")
        .rename({"measures": "code"})
        .join(facts.subjects, on="subject_id")
        .join(tables.types.select("code", "subject_type"), on=["code", "subject_type"])
        .join(tables.lists, on=["code", "list_kind"])
        .filter(
            (pl.col("state") == EntryState.published.value)
            & (pl.col("period_end").is_null() | (pl.col("period_end") >= today))
        )
    )
    applied = hits.filter(~pl.col("objection_open")).select("subject_id", "code")
    return applied, _held(hits.filter(pl.col("objection_open")), "objection", "entry")


def _by_records(facts: Facts, tables: MeasureTables, today: dt.date) -> tuple[pl.DataFrame, pl.DataFrame]:
    hits = (
        facts.records.join(facts.subjects, on="subject_id")
        .join(tables.items, on="item_code")
        .join(tables.types.select("code", "subject_type"), on=["code", "subject_type"])
        .filter(pl.col("severity").replace_strict(SEVERITY_RANK, return_dtype=pl.Int64) >= pl.col("min_rank"))
    )
    revoked = pl.col("status") == RecordStatus.revoked.value
    in_force = (
        (pl.col("status") == RecordStatus.active.value)
        & (pl.col("decision_date") <= today)
        & (pl.col("ends_on").is_null() | (pl.col("ends_on") > today))
    )
    live = hits.filter(~revoked & in_force)
    applied = live.filter(~pl.col("objection_open")).select("subject_id", "code")
    held = pl.concat(
        [
            _held(hits.filter(revoked), "revoked", "record"),
            _held(live.filter(pl.col("objection_open")), "objection", "record"),
        ]
    )
    return applied, held


def _unclean(facts: Facts, years: int, today: dt.date) -> pl.Series:
    """Subjects with an adverse record (not revoked or repaired) decided in the last ``years``, or a
    black-list entry decided or published (``rules.is_clean``, negated)."""
    since = add_months(today, -12 * years)
    by_records = facts.records.filter(
        ~pl.col("status").is_in([RecordStatus.revoked.value, RecordStatus.repaired.value])
        & (pl.col("decision_date") > since)
        & (pl.col("decision_date") <= today)
    ).get_column("subject_id")
    by_entries = facts.entries.filter(
        (pl.col("list_kind") == ListKind.black.value)
        & pl.col("state").is_in([EntryState.decided.value, EntryState.published.value])
    ).get_column("subject_id")
    return pl.concat([by_records, by_entries]).unique()


def _by_clean(facts: Facts, tables: MeasureTables, today: dt.date) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Applied clean-record incentives, and per subject the clean flag ``rules.screen`` reports: that of
    the last clean measure (by code) among the subject type's candidates."""
    clean_measures = tables.types.filter(pl.col("clean_years").is_not_null())
    flags: list[pl.DataFrame] = []
    for years in sorted({int(y) for y in clean_measures.get_column("clean_years").to_list()}):
        flags.append(
            facts.subjects.select(
                "subject_id",
                pl.lit(years, dtype=pl.Int64).alias("clean_years"),
                (~pl.col("subject_id").is_in(_unclean(facts, years, today).implode())).alias("clean"),
            )
        )
    flag_schema = {"subject_id": pl.Int64, "clean_years": pl.Int64, "clean": pl.Boolean}
    flag = pl.concat(flags) if flags else pl.DataFrame(schema=flag_schema)
    per_measure = facts.subjects.join(clean_measures, on="subject_type").join(
        flag, on=["subject_id", "clean_years"]
    )
    applied = per_measure.filter(pl.col("clean")).select("subject_id", "code")
    last = per_measure.sort("code").group_by("subject_id").agg(pl.col("clean").last())
    return applied, last


def screen_frame(
    facts: Facts, measures: Sequence[Measure], scenario: Scenario, today: dt.date
) -> pl.DataFrame:
    """Per found subject: ``decision``, ``applied`` (sorted measure codes), ``suspended`` (sorted
    ``CODE|reason|kind|id``) and ``clean`` (null when no clean-record incentive is a candidate)."""
    tables = measure_tables(measures, scenario)
    applied_e, held_e = _by_entries(facts, tables, today)
    applied_r, held_r = _by_records(facts, tables, today)
    applied_c, clean = _by_clean(facts, tables, today)
    applied = (
        pl.concat([applied_e, applied_r, applied_c])
        .unique()
        .join(tables.types.select("code", "rank").unique(), on="code")
        .group_by("subject_id")
        .agg(pl.col("code").sort().alias("applied"), pl.col("rank").max().alias("rank"))
    )
    held = pl.concat([held_e, held_r]).group_by("subject_id").agg(pl.col("held").sort().alias("suspended"))
    out = (
        facts.subjects.select("subject_id")
        .join(applied, on="subject_id", how="left")
        .join(held, on="subject_id", how="left")
        .join(clean, on="subject_id", how="left")
    )
    return out.with_columns(
        pl.col("rank")
        .fill_null(0)
        .replace_strict(DECISION_BY_RANK, return_dtype=pl.String)
        .alias("decision"),
        pl.col("applied").fill_null(pl.lit([], dtype=pl.List(pl.String))),
        pl.col("suspended").fill_null(pl.lit([], dtype=pl.List(pl.String))),
    ).drop("rank")


def screen_batch(
    session: Session,
    identifiers: Sequence[str],
    *,
    measures: Sequence[Measure],
    scenario: Scenario,
    today: dt.date,
    cipher: PersonalDataCipher | None,
) -> pl.DataFrame:
    """Every row of the input with its subject and, for a found subject, the outcome (module docstring)."""
    resolved = resolve(session, identifiers, cipher)
    facts = load_facts(session, resolved.subjects())
    outcome = screen_frame(facts, measures, scenario, today)
    return resolved.rows.join(outcome, on="subject_id", how="left").sort("row")
