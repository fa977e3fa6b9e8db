"""The public search index (公示检索索引): what makes the public name search an index look-up at a
million organisations on SQLite and PostgreSQL alike.

Tables (``xinyong.models.search``): ``search_names`` holds the normalised name of every subject the
public may see (a verified organisation) with an index on (name, id); ``search_grams`` holds postings
— every run of 1, 2 and 3 adjacent characters of that name, and each generic
organisation-form word of :data:`PHRASES` it contains — keyed (gram, subject id); and
``search_gram_counts`` how many listed subjects contain each gram (append-only deltas, summed).

A query of 1 to 3 characters (or one of :data:`PHRASES`) is then a gram: its total is one sum, and a page
comes from the postings (few matches) or from walking the names in order (many matches). A longer query
takes the rarest of its 3-character runs as candidates and checks each against the name, which gives a
true total at a cost that grows with that run's frequency (see docs/architecture.md, "Public search
index").

The index is kept in the same transaction as the subjects: :func:`reindex` after a set-based write
(bulk registration, bulk verification), and an ORM flush hook for subjects added, renamed, verified or
deleted one at a time. :func:`rebuild` builds it all again, set-based.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable
from typing import Any, Final, cast

from sqlalchemy import (
    ARRAY,
    ColumnElement,
    CompoundSelect,
    Integer,
    Select,
    Table,
    any_,
    bindparam,
    delete,
    event,
    func,
    insert,
    literal,
    select,
    text,
    union_all,
)
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import InstrumentedAttribute, Session, UOWTransaction

from xinyong.db import is_postgres, pieces
from xinyong.models.search import GramKey, SearchGram, SearchGramCount, SearchName, SearchPosition
from xinyong.models.subjects import Subject, SubjectKind

#: Generic organisation-form words (组织形式) indexed as grams of their own: the commonest 3+ character
#: queries, whose runs (有限公, 限公司 …) are in most names, so a true total could not come from candidates.
PHRASES: Final = (
    "有限公司",
    "有限责任公司",
    "股份有限公司",
    "分公司",
    "集团",
    "合作社",
    "专业合作社",
    "经营部",
    "门市部",
    "工作室",
    "事务所",
    "个体工商户",
    "委员会",
)

#: The longest name kept (subjects.name_norm is 300 characters).
MAX_LENGTH: Final = 300
#: The gram under which every listed subject is counted.
ALL: Final = ""
#: Rows a walk through the names in order costs against one candidate checked from the postings.
WALK_ROW_COST: Final = 0.25

_names = cast(Table, SearchName.__table__)
_grams_t = cast(Table, SearchGram.__table__)
_counts_t = cast(Table, SearchGramCount.__table__)
_pos = cast(Table, SearchPosition.__table__)


# --------------------------------------------------------------------------- building


def _id_pieces(session: Session, ids: list[int]) -> list[list[int]]:
    """Ids in as few statements as possible: one array on PostgreSQL, pieces of parameters on SQLite."""
    if not ids:
        return []
    return [ids] if is_postgres(session) else pieces(ids)


def _among(
    session: Session, column: ColumnElement[int] | InstrumentedAttribute[int], ids: list[int]
) -> ColumnElement[bool]:
    if is_postgres(session):
        return column == any_(bindparam("ids", ids, type_=ARRAY(Integer), unique=True))
    return column.in_(ids)


def _gram_rows(where: Iterable[ColumnElement[bool]]) -> CompoundSelect[Any]:
    """(gram, subject_id) of the listed names matching ``where``: runs of 1, 2 and 3 characters, phrases (a
    gram twice in one name comes twice: callers group)."""
    conditions = list(where)
    length = func.length(_names.c.name_norm)
    singles = (
        select(func.substr(_names.c.name_norm, _pos.c.n, 1).label("gram"), _names.c.subject_id)
        .join_from(_names, _pos, _pos.c.n <= length)
        .where(*conditions)
    )
    pairs = (
        select(func.substr(_names.c.name_norm, _pos.c.n, 2).label("gram"), _names.c.subject_id)
        .join_from(_names, _pos, _pos.c.n < length)
        .where(*conditions)
    )
    triples = (
        select(func.substr(_names.c.name_norm, _pos.c.n, 3).label("gram"), _names.c.subject_id)
        .join_from(_names, _pos, _pos.c.n + 2 <= length)
        .where(*conditions)
    )
    phrases = [
        select(literal(p, GramKey).label("gram"), _names.c.subject_id).where(
            _names.c.name_norm.contains(p), *conditions
        )
        for p in PHRASES
    ]
    return union_all(singles, pairs, triples, *phrases)


def _distinct_grams(where: Iterable[ColumnElement[bool]]) -> Select[Any]:
    """(gram, subject_id) of the listed names matching ``where``, once each, in key order (a sort, not a
    hash: on SQLite the sorter merges runs where a temporary B-tree would be written at random)."""
    rows = _gram_rows(where).subquery()
    key = (rows.c.gram, rows.c.subject_id)
    return select(*key).group_by(*key).order_by(*key)


def _listed(where: Iterable[ColumnElement[bool]]) -> Select[int, str]:
    """(id, name_norm) of the subjects the public may see, among those matching ``where``."""
    return select(Subject.id, Subject.name_norm).where(
        Subject.kind != SubjectKind.natural_person, Subject.verified.is_(True), *where
    )


def _ensure_positions(session: Session) -> None:
    if session.scalar(select(func.count()).select_from(_pos)) != MAX_LENGTH:
        session.execute(delete(_pos))
        session.execute(insert(_pos), [{"n": n} for n in range(1, MAX_LENGTH + 1)])


#: SQLite page cache while rebuilding (KiB, as PRAGMA cache_size takes it negative): the sort of tens of
#: millions of postings and the appends to their B-tree stay in memory instead of thrashing 2 MB.
REBUILD_CACHE_KIB: Final = 262_144


def rebuild(session: Session) -> int:
    """Build the whole index again from ``subjects``, set-based (INSERT … SELECT), in the caller's
    transaction; how many subjects it lists. For a bulk load, and the migration's backfill."""
    _ensure_positions(session)
    if is_postgres(session):
        session.execute(text("TRUNCATE search_gram_counts, search_grams, search_names"))
        # One index build after the load is far cheaper than millions of insertions into it.
        session.execute(text("ALTER TABLE search_grams DROP CONSTRAINT pk_search_grams"))
        listed = _fill(session)
        session.execute(text("ANALYZE search_names, search_grams, search_gram_counts"))
        return listed
    previous = session.execute(text("PRAGMA cache_size")).scalar()
    session.execute(text(f"PRAGMA cache_size = -{REBUILD_CACHE_KIB}"))
    try:
        for table in (_counts_t, _grams_t, _names):
            session.execute(delete(table))
        return _fill(session)
    finally:
        session.execute(text(f"PRAGMA cache_size = {int(previous or -2000)}"))


def _fill(session: Session) -> int:
    session.execute(insert(_names).from_select(["subject_id", "name_norm"], _listed([])))
    session.execute(insert(_grams_t).from_select(["gram", "subject_id"], _distinct_grams([])))
    if is_postgres(session):
        session.execute(
            text("ALTER TABLE search_grams ADD CONSTRAINT pk_search_grams PRIMARY KEY (gram, subject_id)")
        )
    counts = select(_grams_t.c.gram, func.count()).group_by(_grams_t.c.gram)
    session.execute(insert(_counts_t).from_select(["gram", "n"], counts))
    listed = int(session.scalar(select(func.count()).select_from(_names)) or 0)
    session.execute(insert(_counts_t), [{"gram": ALL, "n": listed}])
    return listed


def _unindex(session: Session, ids: list[int]) -> None:
    """Take these subjects out of the index (their postings are cut from the name the index holds)."""
    for piece in _id_pieces(session, ids):
        condition = _among(session, _names.c.subject_id, piece)
        rows = session.execute(_distinct_grams([condition])).all()
        if not rows:
            continue
        deltas = Counter(str(gram) for gram, _ in rows)
        session.execute(
            delete(_grams_t).where(
                _grams_t.c.gram == bindparam("g"), _grams_t.c.subject_id == bindparam("s")
            ),
            [{"g": gram, "s": sid} for gram, sid in rows],
        )
        session.execute(delete(_names).where(condition))
        gone = len({sid for _, sid in rows})  # every listed name has a gram
        payload = [{"gram": g, "n": -k} for g, k in deltas.items()] + [{"gram": ALL, "n": -gone}]
        session.execute(insert(_counts_t), payload)


def _index(session: Session, ids: list[int]) -> None:
    """Add these subjects to the index if the public may see them (set-based, INSERT … SELECT)."""
    for piece in _id_pieces(session, ids):
        listed = _listed([_among(session, Subject.id, piece)])
        session.execute(insert(_names).from_select(["subject_id", "name_norm"], listed))
        mine = [_among(session, _names.c.subject_id, piece)]
        added = int(session.scalar(select(func.count()).select_from(_names).where(*mine)) or 0)
        if not added:  # (the rowcount of INSERT … SELECT is -1 on psycopg)
            continue
        session.execute(insert(_grams_t).from_select(["gram", "subject_id"], _distinct_grams(mine)))
        grams = _distinct_grams(mine).subquery()
        session.execute(
            insert(_counts_t).from_select(
                ["gram", "n"], select(grams.c.gram, func.count()).group_by(grams.c.gram)
            )
        )
        session.execute(insert(_counts_t), [{"gram": ALL, "n": added}])


def reindex(session: Session, subject_ids: Collection[int]) -> None:
    """Bring the index up to date for these subjects after they were added, renamed, verified, deleted
    or changed kind: out with what it held for them, in with what they are now."""
    ids = sorted(set(subject_ids))
    if ids:
        _unindex(session, ids)
        _index(session, ids)


def compact(session: Session) -> int:
    """Fold each gram's count rows into one (deletes what it sums, so it is safe beside writers)."""
    crowded = select(_counts_t.c.gram).group_by(_counts_t.c.gram).having(func.count() > 1)
    removed = session.execute(
        delete(_counts_t).where(_counts_t.c.gram.in_(crowded)).returning(_counts_t.c.gram, _counts_t.c.n)
    ).all()
    sums: Counter[str] = Counter()
    for gram, n in removed:
        sums[str(gram)] += int(n)
    if sums:
        session.execute(insert(_counts_t), [{"gram": g, "n": n} for g, n in sums.items()])
    return len(sums)


_WATCHED: Final = ("name_norm", "verified", "kind")


def _after_flush(session: Session, _context: UOWTransaction) -> None:
    changed = [obj.id for obj in session.new if isinstance(obj, Subject)]
    for obj in session.dirty:
        if isinstance(obj, Subject):
            state = sa_inspect(obj)
            if any(state.attrs[a].history.has_changes() for a in _WATCHED):
                changed.append(obj.id)
    if changed:
        reindex(session, changed)


def _before_flush(session: Session, _context: UOWTransaction, _instances: object) -> None:
    deleted = [obj.id for obj in session.deleted if isinstance(obj, Subject) and obj.id is not None]
    if deleted:
        _unindex(session, sorted(deleted))


event.listen(Session, "after_flush", _after_flush)
event.listen(Session, "before_flush", _before_flush)
