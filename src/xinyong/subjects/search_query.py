"""The public name search over the index of ``search_index``: which listed subjects' normalised names
contain a normalised query, how many in all (a true total), and one page of them ranked the exact name
first, then names starting with the query, then the rest, each tier in name order (the normalised name,
then the id).

How a query is answered:

* its index grams: the query itself when it is 1 to 3 characters or one of ``PHRASES`` (the total is
  then the gram's count, one sum); else its runs of 3 characters (and the phrases inside it);
* no gram indexed: nothing matches (no hit costs one read);
* a longer query's total counts the candidates of its rarest gram whose name contains the query;
* a page comes either from those candidates, ranked in SQL (when they are few), or from walking the
  listed names in order, tier by tier (when matches are common, the walk finds a page in few rows).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final, cast

from sqlalchemy import ColumnElement, Table, case, func, select
from sqlalchemy.orm import Session

from xinyong.db import is_postgres
from xinyong.models.search import SearchGram, SearchGramCount, SearchName
from xinyong.subjects.search_index import ALL, PHRASES, WALK_ROW_COST

_names = cast(Table, SearchName.__table__)
_grams = cast(Table, SearchGram.__table__)
_counts = cast(Table, SearchGramCount.__table__)

#: Candidates below which a page is always ranked from the postings (a walk has a fixed cost too).
FEW: Final = 2_000
#: How many names the walk may read, as a share of what ranking the candidates would cost.
WALK_BUDGET: Final = 1.0
#: Pages ending further than this are ranked from the postings (the walk reads the skipped rows too).
MAX_WALK_PAGE: Final = 500


def query_grams(norm: str) -> list[str]:
    """The index grams a normalised query is looked up by (every one must occur in a match)."""
    if len(norm) <= 3 or norm in PHRASES:
        return [norm]
    triples = {norm[i : i + 3] for i in range(len(norm) - 2)}
    return sorted(triples | {p for p in PHRASES if p in norm})


def _frequencies(session: Session, grams: list[str]) -> dict[str, int]:
    wanted = [*grams, ALL]
    rows = session.execute(
        select(_counts.c.gram, func.sum(_counts.c.n))
        .where(_counts.c.gram.in_(wanted))
        .group_by(_counts.c.gram)
    )
    return {str(gram): int(n or 0) for gram, n in rows}


def _after(norm: str) -> str | None:
    """The least string above every string starting with ``norm`` (None: there is none)."""
    last = ord(norm[-1])
    return norm[:-1] + chr(last + 1) if last < 0x10FFFF else None


@dataclass(frozen=True)
class _Query:
    norm: str
    #: The gram whose postings hold every match (the rarest), and whether they are exactly the matches.
    gram: str
    exact_gram: bool
    postgres: bool
    #: How many postings the gram has (its count rows).
    frequency: int

    def contains(self, column: ColumnElement[str] = _names.c.name_norm) -> ColumnElement[bool]:
        """``norm`` occurs in ``column``: a position function rather than ``LIKE '%…%'``, whose pattern
        PostgreSQL would estimate as so selective that it scans every name rather than the postings."""
        found = func.strpos(column, self.norm) if self.postgres else func.instr(column, self.norm)
        return found > 0

    def prefix(self) -> ColumnElement[bool]:
        upper = _after(self.norm)
        if upper is None:
            return _names.c.name_norm.startswith(self.norm, autoescape=True)
        return (_names.c.name_norm >= self.norm) & (_names.c.name_norm < upper)


def _candidates(q: _Query) -> tuple[Any, list[ColumnElement[bool]]]:
    """The candidates joined to their names, and the check of each. The postings are read in a subquery
    capped by (twice) their known count: a cap the planner can read, so PostgreSQL, which cannot know
    how rare a gram is, joins the few candidates to their names by key instead of scanning every name."""
    postings = (
        select(_grams.c.subject_id).where(_grams.c.gram == q.gram).limit(2 * q.frequency + 100).subquery()
    )
    joined = postings.join(_names, _names.c.subject_id == postings.c.subject_id)
    return joined, [] if q.exact_gram else [q.contains()]


def _count_candidates(session: Session, q: _Query) -> int:
    joined, where = _candidates(q)
    return int(session.scalar(select(func.count()).select_from(joined).where(*where)) or 0)


def _page_from_postings(session: Session, q: _Query, limit: int, offset: int) -> tuple[int | None, list[int]]:
    """A page ranked from the candidates, with how many match in all (counted in the same statement;
    None when the page is past the end, which then tells nothing)."""
    rank = case((_names.c.name_norm == q.norm, 0), (q.prefix(), 1), else_=2)
    joined, where = _candidates(q)
    stmt = (
        select(_names.c.subject_id, func.count().over())
        .select_from(joined)
        .where(*where)
        .order_by(rank, _names.c.name_norm, _names.c.subject_id)
        .limit(limit)
        .offset(offset)
    )
    rows = session.execute(stmt).all()
    if not rows:
        return (0 if offset == 0 else None), []
    return int(rows[0][1]), [int(r[0]) for r in rows]


class _WalkTooLong(Exception):
    """A tier's matches lie further into the names than the walk may read (names cluster: every
    company of one county starts with its name): read the page from the postings instead."""


@dataclass(frozen=True)
class _Tier:
    range: list[ColumnElement[bool]]
    filtered: bool  # False: every name in the range matches


def _tiers(q: _Query) -> list[_Tier]:
    """The ranked tiers, each an index range of names read in order: the exact name and the names starting
    with the query (the exact name is the least of them: one range), then the names before and after
    that range that contain the query."""
    tiers = [_Tier([q.prefix()], False), _Tier([_names.c.name_norm < q.norm], True)]
    upper = _after(q.norm)
    if upper is not None:
        tiers.append(_Tier([_names.c.name_norm >= upper], True))
    return tiers


def _read_tier(session: Session, q: _Query, tier: _Tier, wanted: int, budget: int) -> list[int]:
    """Up to ``wanted`` matches of a tier in order, reading at most ``budget`` names of a filtered one."""
    order = (_names.c.name_norm, _names.c.subject_id)
    if not tier.filtered:
        return list(
            session.scalars(select(_names.c.subject_id).where(*tier.range).order_by(*order).limit(wanted))
        )
    # No ORDER BY outside: the window streams in index order (a co-routine on SQLite, a scan on
    # PostgreSQL) and the outer LIMIT stops it; ordering again would read all of it first.
    window = select(*order).where(*tier.range).order_by(*order).limit(budget).subquery()
    stmt = select(window.c.subject_id).where(q.contains(window.c.name_norm)).limit(wanted)
    found = list(session.scalars(stmt))
    if len(found) < wanted:
        beyond = select(_names.c.subject_id).where(*tier.range).order_by(*order).offset(budget).limit(1)
        if session.scalar(beyond) is not None:
            raise _WalkTooLong
    return found


def _page_by_walk(session: Session, q: _Query, limit: int, offset: int, budget: int) -> list[int]:
    """A page read tier by tier from the index on (name, id); raises _WalkTooLong past ``budget``."""
    out: list[int] = []
    skip = offset
    for tier in _tiers(q):
        found = _read_tier(session, q, tier, skip + limit - len(out), budget)
        out += found[skip:]
        skip = max(0, skip - len(found))
        if len(out) >= limit:
            break
    return out[:limit]


def search(session: Session, norm: str, *, limit: int, offset: int) -> tuple[int, list[int]]:
    """The ids of one page of listed subjects whose normalised name contains ``norm`` (ranked), and how
    many there are in all. An empty query matches nothing."""
    if not norm:
        return 0, []
    grams = query_grams(norm)
    freq = _frequencies(session, grams)
    if any(freq.get(g, 0) <= 0 for g in grams):
        return 0, []
    rarest = min(grams, key=lambda g: (freq[g], g))
    q = _Query(norm, rarest, grams == [norm], is_postgres(session), freq[rarest])
    if freq[rarest] <= FEW:  # few candidates: rank them, and count them in the same statement
        counted, page = _page_from_postings(session, q, limit, offset)
        return (_count_candidates(session, q) if counted is None else counted), page
    total = freq[rarest] if q.exact_gram else _count_candidates(session, q)
    if total == 0 or offset >= total:
        return total, []
    # The walk reads about (offset + limit) / share names, if the matches were spread evenly; it may
    # read names worth what ranking the candidates would cost, then falls back to that.
    walk_rows = (offset + limit) * max(freq.get(ALL, 0), 1) / total
    if offset + limit <= MAX_WALK_PAGE and freq[rarest] > walk_rows * WALK_ROW_COST:
        try:
            budget = int(freq[rarest] / WALK_ROW_COST * WALK_BUDGET)
            return total, _page_by_walk(session, q, limit, offset, budget)
        except _WalkTooLong:
            pass
    return total, _page_from_postings(session, q, limit, offset)[1]
