"""The public search index: the same answers as a scan of the names (ranking, true totals, pages), on both
databases, by either way of reading a page; kept right on every registration, verification and rename."""

from __future__ import annotations

import random

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from xinyong.kit import ids
from xinyong.kit.clock import FixedClock
from xinyong.kit.crypto import PersonalDataCipher
from xinyong.kit.names import normalize_name
from xinyong.models import SearchGram, SearchGramCount, Subject, SubjectKind
from xinyong.subjects import search_index, search_query, service


def _uscc(n: int) -> str:
    body = f"MA{n:06d}"
    org = body + ids.calc_org_check(body)
    return "91320902" + org + ids.calc_uscc_check("91320902" + org)


def _register(session: Session, names: list[str], *, start: int = 0, verified: bool = True) -> list[int]:
    codes = {_uscc(start + i): name for i, name in enumerate(names)}
    refs = service.register_organisations(session, codes, verified=verified)
    return [refs[c].id for c in codes]


def _oracle(session: Session, q: str) -> list[str]:
    """The ranked answer by a scan of every subject (what the search did before the index)."""
    norm = normalize_name(q)
    rows = session.execute(
        select(Subject.name_norm, Subject.id, Subject.name).where(
            Subject.kind != SubjectKind.natural_person, Subject.verified.is_(True)
        )
    ).all()
    hits = [r for r in rows if norm and norm in r.name_norm]
    hits.sort(
        key=lambda r: (0 if r.name_norm == norm else 1 if r.name_norm.startswith(norm) else 2, r[0], r[1])
    )
    return [r.name for r in hits]


def _pages(session: Session, q: str, size: int) -> tuple[set[int], list[str]]:
    totals: set[int] = set()
    names: list[str] = []
    offset = 0
    while True:
        total, rows = service.public_search(session, q, limit=size, offset=offset)
        totals.add(total)
        if not rows:
            return totals, names
        names += [s.name for s in rows]
        offset += size


def _snapshot(session: Session) -> tuple[set[tuple[str, int]], dict[str, int]]:
    postings = {(g, s) for g, s in session.execute(select(SearchGram.gram, SearchGram.subject_id))}
    counts = {
        str(g): int(n)
        for g, n in session.execute(
            select(SearchGramCount.gram, func.sum(SearchGramCount.n)).group_by(SearchGramCount.gram)
        )
        if n
    }
    return postings, counts


def _assert_index_exact(session: Session) -> None:
    """What was kept step by step equals what a rebuild from the subjects makes."""
    session.flush()
    kept = _snapshot(session)
    search_index.rebuild(session)
    assert _snapshot(session) == kept


NAMES = [
    "测试贸易",
    "测试贸易有限公司",
    "测试贸易（盐城）有限公司",
    "盐城市测试贸易有限公司",
    "亭湖区测 试贸易商行",
    "東台市測試貿易有限公司",
    "盐城市华美食品有限公司",
    "盐城市恒通建设工程有限公司",
    "恒通建设",
    "建湖县恒通建设工程有限责任公司（城南分公司）",
    "射阳县贸易经营部",
    "ABC测试(盐城)有限公司",
]


@pytest.fixture
def named(session: Session) -> Session:
    _register(session, NAMES)
    session.flush()
    return session


STRATEGIES = ["postings", "walk", "walk-cut-short"]


def _force(monkeypatch: pytest.MonkeyPatch, strategy: str) -> None:
    """Read pages from the postings always, by the walk through the names always, or by a walk that may
    read no name of a filtered tier (so it falls back to the postings whenever such a tier has names)."""
    monkeypatch.setattr(search_query, "FEW", 10**9 if strategy == "postings" else 0)
    monkeypatch.setattr(search_query, "WALK_ROW_COST", 1e-6)
    monkeypatch.setattr(search_query, "WALK_BUDGET", 0.0 if strategy == "walk-cut-short" else 1.0)


@pytest.mark.parametrize("strategy", STRATEGIES)
@pytest.mark.parametrize(
    "q",
    [
        "测试贸易",
        "测试",
        "测",
        "试贸",
        "貿易",
        "恒通建设",
        "有限公司",
        "盐城市",
        "（盐城）",
        "abc测试",
        "公司",
        "贸易有限",
    ],
)
def test_ranked_pages_and_true_totals_match_a_scan(
    named: Session, q: str, strategy: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ranked from the postings (few) or by walking the names in order (many): the same answer."""
    _force(monkeypatch, strategy)
    want = _oracle(named, q)
    for size in (1, 3, 20):
        totals, got = _pages(named, q, size)
        assert totals == {len(want)}
        assert got == want


def test_the_exact_name_comes_first_then_prefixes(named: Session) -> None:
    total, rows = service.public_search(named, "测试贸易")
    assert [s.name for s in rows][:3] == ["测试贸易", "测试贸易（盐城）有限公司", "测试贸易有限公司"]
    assert total == 6  # the spaced, the traditional and the bracketed ones too


def test_traditional_spaced_and_bracketed_queries_fold(named: Session) -> None:
    assert service.public_search(named, "測試 貿易")[0] == 6
    assert [s.name for s in service.public_search(named, "ABC测试（盐城）")[1]] == ["ABC测试(盐城)有限公司"]


def test_no_hit_and_empty_queries(named: Session) -> None:
    assert service.public_search(named, "恒通食品") == (0, [])  # every pair is indexed, the whole is not
    assert service.public_search(named, "魑魅") == (0, [])
    assert service.public_search(named, "   ") == (0, [])


def test_one_and_two_characters_count_from_the_gram(named: Session) -> None:
    for q in ("恒", "通建", "司", "A"):
        total, _ = service.public_search(named, q)
        assert total == len(_oracle(named, q)) > 0


def test_codes_resolve_directly(session: Session, clock: FixedClock) -> None:
    reg_no = "32090200012345" + ids.calc_reg_no_check("32090200012345")
    service.register_organisation(
        session,
        kind=SubjectKind.legal_person,
        name="码测试有限公司",
        uscc=_uscc(900),
        actor="t",
        clock=clock,
        old_reg_no=reg_no,
    )
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in _uscc(900))
    for q in (_uscc(900), full_width, reg_no, _uscc(900)[8:17]):
        total, rows = service.public_search(session, q)
        assert (total, [s.name for s in rows]) == (1, ["码测试有限公司"])
    assert service.public_search(session, _uscc(901)) == (0, [])


def test_persons_and_unverified_are_never_listed_until_verified(
    session: Session, clock: FixedClock, cipher: PersonalDataCipher
) -> None:
    ric = "32090219900307991" + ids.calc_ric_check("32090219900307991")
    service.register_person(session, name="王测试", ric=ric, cipher=cipher, actor="t", clock=clock)
    held = _register(session, ["待核验测试有限公司", "另一待核验测试商行"], start=100, verified=False)
    assert service.public_search(session, "测试") == (0, [])
    service.verify_subject(session, held[0], actor="t", clock=clock)  # one by hand
    assert [s.name for s in service.public_search(session, "测试")[1]] == ["待核验测试有限公司"]
    service.confirm_registered(session, held)  # the rest by the registry's batch
    assert service.public_search(session, "测试")[0] == 2
    _assert_index_exact(session)


def test_a_rename_moves_the_subject_in_the_index(named: Session, clock: FixedClock) -> None:
    subject = service.register_organisation(
        named, kind=SubjectKind.legal_person, name="旧名称有限公司", uscc=_uscc(700), actor="t", clock=clock
    )
    subject.name, subject.name_norm = "新名字贸易有限公司", normalize_name("新名字贸易有限公司")
    named.flush()
    assert service.public_search(named, "旧名称") == (0, [])
    assert [s.id for s in service.public_search(named, "新名字")[1]] == [subject.id]
    assert service.public_search(named, "贸易")[0] == len(_oracle(named, "贸易"))
    subject.verified = False  # taken off the portal
    named.flush()
    assert service.public_search(named, "新名字") == (0, [])
    _assert_index_exact(named)


def test_bulk_registration_keeps_the_index_as_a_rebuild_would(named: Session) -> None:
    _assert_index_exact(named)
    assert search_index.rebuild(named) == len(NAMES)
    assert search_index.compact(named) == 0


def test_random_names_against_a_scan(session: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    """A small alphabet makes every kind of overlap; both page strategies agree with the scan."""
    rng = random.Random(7)
    alphabet = "盐城恒通有限公司贸易（）"
    names = ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 9))) for _ in range(150)]
    _register(session, names, start=2000)
    session.flush()
    _assert_index_exact(session)
    for strategy in STRATEGIES:
        _force(monkeypatch, strategy)
        for _ in range(25):
            q = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 4)))
            want = _oracle(session, q)
            totals, got = _pages(session, q, 7)
            assert (totals, got) == ({len(want)}, want), q
