"""Benchmark of the public search (GET /api/v1/public/subjects) at scale, with its baseline in the same run.

    python bench/search.py --subjects 1000000 --db both --requests 200

For each database (SQLite file, PostgreSQL in a throw-away schema) it loads ``--subjects`` organisations
set-based (COPY on PostgreSQL, executemany on SQLite; ids given, identifiers for the USCC, the
organisation code inside it and, for one in four, an old registration number), builds the search index
with ``search_index.rebuild`` (timed), then times ``subjects.service.public_search`` — the rule the route
serves — one new session per request, for each query class at concurrency 1 and 16. The baseline is the
same number of requests, each a new session fetching the same subjects by primary key.

Names: a place of the demo city, a trade name (字号) of two or three characters from a pool of 400, an
industry (60), an organisation form; one in ten in traditional characters, one in eight with a branch in
full-width brackets, 2 % held as unverified (not listed). The generated organisations are cached in the
temporary directory (xy-search-orgs-N-SEED.pickle) so that a second run measures the same data.
"""

from __future__ import annotations

import argparse
import io
import pickle
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import quote

import opencc
from sqlalchemy import Engine, func, insert, select, text
from sqlalchemy.orm import Session, sessionmaker

from xinyong import demo, schema
from xinyong.db import is_postgres, make_engine, session_factory, transaction
from xinyong.kit.names import normalize_names
from xinyong.models import IdScheme, Subject, SubjectIdentifier, SubjectKind
from xinyong.subjects import search_index, service

CITY = "320900"
TRADE_CHARS = (
    "恒通华美鑫源瑞丰远大金帆海韵盛世永泰宏达万隆天成博远东方新华利民富康安顺兴旺昌盛德信荣达嘉禾"
    "锦绣明辉正阳合力同创汇丰佳和晨光光明振兴宇航凯旋腾飞龙腾凤翔祥和云海星辰春雨秋实绿源蓝天碧水"
    "银河金桥银桥长江黄河泰山华山中天九州四海五洲八方百川千帆万家和美惠民亿达通达顺达广源聚源润泽"
    "雅居乐居宜家新星新宇新锐新潮新城新港新湖新丰新业新材新能创新创业创意创辉创佳创联联创联合联华"
    "立信立德厚德厚朴精诚精工精艺匠心匠人优品优选优创优佳尚品尚美尚德尚华志远志诚志成志高卓越卓远"
    "伟业伟达伟华伟成国泰国安国华国信海天海通海华海丰江南江北江海江淮淮海苏北苏中苏盐盐阜滨海湖滨"
)
INDUSTRIES = [
    "建设工程",
    "食品",
    "机械制造",
    "纺织",
    "物流",
    "科技",
    "贸易",
    "电子",
    "服装",
    "餐饮管理",
    "农业发展",
    "文化传媒",
    "教育咨询",
    "房地产开发",
    "汽车销售",
    "医疗器械",
    "环保科技",
    "信息技术",
    "新能源",
    "化工",
    "建材",
    "家具",
    "装饰工程",
    "劳务派遣",
    "物业管理",
    "广告",
    "印刷",
    "包装",
    "水产养殖",
    "酒店管理",
    "电气",
    "五金",
    "塑料制品",
    "纸业",
    "钢结构",
    "照明",
    "光电",
    "生物科技",
    "网络科技",
    "软件",
    "商贸",
    "实业",
    "投资管理",
    "企业管理咨询",
    "人力资源",
    "旅游",
    "园林绿化",
    "市政工程",
    "水利工程",
    "交通设施",
    "安防",
    "消防设备",
    "仪器仪表",
    "汽车配件",
    "农机",
    "粮油",
    "茶叶",
    "家政服务",
]
FORMS = ("有限公司",) * 6 + ("有限责任公司", "股份有限公司")
SHOPS = ("经营部", "商行", "门市部", "超市", "店")
CONCURRENCY = (1, 16)


class Org:
    __slots__ = ("industry", "kind", "name", "old", "place", "trade", "uscc", "verified")

    def __init__(self, *, kind: SubjectKind, name: str, place: str, trade: str, industry: str) -> None:
        self.kind, self.name, self.place, self.trade, self.industry = kind, name, place, trade, industry
        self.uscc = ""
        self.old: str | None = None
        self.verified = True


def _trade(rng: random.Random) -> str:
    pool = TRADE_CHARS
    return "".join(rng.choice(pool) for _ in range(2 if rng.random() < 0.8 else 3))


def make_orgs(n: int, seed: int) -> list[Org]:
    rng = random.Random(seed)
    regions = [r.code for r in demo.demo_regions(CITY)]
    s2t = opencc.OpenCC("s2t")
    usccs: set[str] = set()
    out: list[Org] = []
    while len(out) < n:
        region = rng.choice(regions)
        place, trade, industry = demo.short_place(region), _trade(rng), rng.choice(INDUSTRIES)
        if rng.random() < 0.85:
            kind, prefix = SubjectKind.legal_person, "91"
            name = f"{place}{trade}{industry}{rng.choice(FORMS)}"
            if rng.random() < 0.12:
                name += f"（{rng.choice(['第一', '城东', '城南', '开发区'])}分公司）"
        else:
            kind, prefix = SubjectKind.individual_business, "92"
            name = f"{demo.official_place(region)}{trade}{industry}{rng.choice(SHOPS)}"
        org = Org(kind=kind, name=name, place=place, trade=trade, industry=industry)
        org.uscc = demo.make_uscc(rng, prefix, region)
        if org.uscc in usccs:
            continue
        usccs.add(org.uscc)
        if rng.random() < 0.25:
            org.old = demo.make_reg_no(rng, region)
        org.verified = rng.random() >= 0.02
        out.append(org)
    traditional = [i for i in range(n) if i % 10 == 7]
    converted = s2t.convert("\n".join(out[i].name for i in traditional)).split("\n")
    for i, name in zip(traditional, converted, strict=True):
        out[i].name = name
    return out


def _identifier_rows(orgs: list[Org]) -> list[tuple[int, str, str]]:
    rows: list[tuple[int, str, str]] = []
    org_codes: set[str] = set()
    reg_nos: set[str] = set()
    for sid, org in enumerate(orgs, start=1):
        rows.append((sid, IdScheme.uscc.value, org.uscc))
        if org.uscc[8:17] not in org_codes:
            org_codes.add(org.uscc[8:17])
            rows.append((sid, IdScheme.org_code.value, org.uscc[8:17]))
        if org.old and org.old not in reg_nos:
            reg_nos.add(org.old)
            rows.append((sid, IdScheme.reg_no.value, org.old))
    return rows


def _copy(session: Session, table: str, columns: str, rows: Sequence[tuple[object, ...]]) -> None:
    raw = session.connection().connection.dbapi_connection
    assert raw is not None
    with raw.cursor() as cur, cur.copy(f"COPY {table} ({columns}) FROM STDIN") as cp:  # type: ignore[attr-defined]
        for row in rows:
            cp.write_row(row)


def load(engine: Engine, orgs: list[Org]) -> tuple[float, float]:
    """Subjects and identifiers set-based, then the index; seconds for each."""
    started = time.perf_counter()
    norms = normalize_names([o.name for o in orgs])
    subject_rows = [
        (sid, o.kind.value, o.name, norm, o.uscc, o.uscc[2:8], o.verified)
        for sid, (o, norm) in enumerate(zip(orgs, norms, strict=True), start=1)
    ]
    identifier_rows = _identifier_rows(orgs)
    with transaction(session_factory(engine)) as session:
        if is_postgres(session):
            _copy(session, "subjects", "id, kind, name, name_norm, uscc, region_code, verified", subject_rows)
            _copy(session, "subject_identifiers", "subject_id, scheme, value", identifier_rows)
            session.execute(text("SELECT setval('subjects_id_seq', (SELECT max(id) FROM subjects))"))
        else:
            keys = ("id", "kind", "name", "name_norm", "uscc", "region_code", "verified")
            session.execute(insert(Subject), [dict(zip(keys, r, strict=True)) for r in subject_rows])
            session.execute(
                insert(SubjectIdentifier),
                [{"subject_id": s, "scheme": k, "value": v} for s, k, v in identifier_rows],
            )
    loaded = time.perf_counter() - started
    started = time.perf_counter()
    with transaction(session_factory(engine)) as session:
        listed = search_index.rebuild(session)
    indexed = time.perf_counter() - started
    print(f"  loaded {len(orgs):,} subjects in {loaded:.1f} s; index of {listed:,} built in {indexed:.1f} s")
    return loaded, indexed


# --------------------------------------------------------------------------- query classes


def _window(rng: random.Random, text_: str, lo: int, hi: int) -> str:
    size = min(len(text_), rng.randint(lo, hi))
    start = rng.randrange(len(text_) - size + 1)
    return text_[start : start + size]


def query_classes(orgs: list[Org], n: int, seed: int) -> dict[str, list[str]]:
    """``n`` queries per class, drawn from the loaded organisations."""
    rng = random.Random(seed)
    s2t = opencc.OpenCC("s2t")
    listed = [o for o in orgs if o.verified]
    simplified = [o for i, o in enumerate(orgs) if o.verified and i % 10 != 7]
    with_old = [o for o in listed if o.old]

    def pick() -> Org:
        return rng.choice(listed)

    def old_code() -> str:
        if rng.random() < 0.5 and with_old:
            return str(rng.choice(with_old).old)
        code = pick().uscc[8:17]
        return f"{code[:8]}-{code[8]}" if rng.random() < 0.5 else code

    def no_hit() -> str:
        org = pick()
        return (
            f"{org.trade}{org.industry}研究院"
            if rng.random() < 0.5
            else f"{rng.choice('甲乙丙丁')}{uuid.uuid4().hex[:6]}所"
        )

    makers: dict[str, Callable[[], str]] = {
        "全称": lambda: pick().name,
        "1 字": lambda: _window(rng, pick().name, 1, 1),
        "2 字": lambda: _window(rng, pick().name, 2, 2),
        "3+ 字号行业": lambda: (lambda o: o.trade + o.industry[: rng.randint(1, len(o.industry))])(pick()),
        "3+ 任意片段": lambda: _window(rng, pick().name, 3, 6),
        "统一代码": lambda: pick().uscc,
        "旧代码": old_code,
        "繁体": lambda: s2t.convert(
            (lambda o: o.trade + o.industry if rng.random() < 0.5 else o.name)(rng.choice(simplified))
        ),
        "无结果": no_hit,
    }
    return {name: [make() for _ in range(n)] for name, make in makers.items()}


# --------------------------------------------------------------------------- measuring


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def _search(factory: sessionmaker[Session], q: str) -> tuple[float, int, list[int]]:
    started = time.perf_counter()
    with factory() as session:
        total, rows = service.public_search(session, q, limit=20, offset=0)
        found = [s.id for s in rows]
    return time.perf_counter() - started, total, found


def _baseline(factory: sessionmaker[Session], ids_: list[int]) -> float:
    started = time.perf_counter()
    with factory() as session:
        list(session.scalars(select(Subject).where(Subject.id.in_(ids_))))
    return time.perf_counter() - started


def measure(
    factory: sessionmaker[Session], queries: list[str], workers: int
) -> tuple[list[float], list[float], list[int]]:
    with ThreadPoolExecutor(workers) as pool:
        results = list(pool.map(lambda q: _search(factory, q), queries))
    pages = [found or [1 + (hash(q) % 1000)] for q, (_, _, found) in zip(queries, results, strict=True)]
    with ThreadPoolExecutor(workers) as pool:
        base = list(pool.map(lambda ids_: _baseline(factory, ids_), pages))
    return [r[0] for r in results], base, [r[1] for r in results]


def check_totals(factory: sessionmaker[Session], orgs: list[Org], classes: dict[str, list[str]]) -> None:
    """A few queries per name class against a brute-force count over the loaded names (true totals)."""
    listed = [n for o, n in zip(orgs, normalize_names([o.name for o in orgs]), strict=True) if o.verified]
    for name, queries in classes.items():
        if name in {"统一代码", "旧代码"}:
            continue
        for q in queries[:3]:
            norm = normalize_names([q])[0]
            want = sum(norm in n for n in listed) if norm else 0
            got = _search(factory, q)[1]
            assert got == want, f"{name} {q!r}: total {got}, brute force {want}"
    print("  totals checked against a brute-force count: equal")


def bench_db(
    kind: str, engine: Engine, orgs: list[Org], requests: int, seed: int, *, load_only: bool = False
) -> list[list[str]]:
    schema.upgrade(engine)
    with engine.connect() as conn:
        present = conn.scalar(select(func.count()).select_from(Subject))
    loaded = indexed = 0.0
    if present != len(orgs):  # else: the same data, loaded by an earlier run (--sqlite-path, --pg-schema)
        loaded, indexed = load(engine, orgs)
        if kind == "postgresql":
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("VACUUM ANALYZE"))
    if load_only:
        return []
    factory = session_factory(engine)
    classes = query_classes(orgs, requests, seed)
    check_totals(factory, orgs, classes)
    table: list[list[str]] = []
    for name, queries in classes.items():
        measure(factory, queries[:20], 4)  # warm the caches and the pool
        for workers in CONCURRENCY:
            lat, base, totals = measure(factory, queries, workers)
            p95, b95 = _percentile(lat, 95), _percentile(base, 95)
            row = [
                kind,
                name,
                str(workers),
                *(f"{_percentile(lat, p) * 1000:.1f}" for p in (50, 95, 99)),
                f"{b95 * 1000:.1f}",
                f"{p95 / b95:.1f}",
                f"{statistics.median(totals):.0f}",
                f"{max(totals)}",
            ]
            print("  " + " | ".join(row), flush=True)
            table.append(row)
    print(f"  ({kind}: load {loaded:.0f} s, index {indexed:.0f} s)")
    return table


def _engine(kind: str, args: argparse.Namespace, workdir: Path) -> tuple[Engine, Callable[[], None]]:
    if kind == "sqlite":
        path = (
            Path(args.sqlite_path) if args.sqlite_path else workdir / f"search-{uuid.uuid4().hex[:8]}.sqlite3"
        )
        engine = make_engine(f"sqlite:///{path}", pool_size=32)
        return engine, engine.dispose
    pg_url = args.pg_url
    name = args.pg_schema or f"xy_bench_search_{uuid.uuid4().hex[:8]}"
    admin = make_engine(pg_url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{name}"'))
    sep = "&" if "?" in pg_url else "?"
    engine = make_engine(f"{pg_url}{sep}options={quote(f'-csearch_path={name}')}", pool_size=32)

    def drop() -> None:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))
        admin.dispose()

    return engine, drop


HEADER = [
    "db",
    "class",
    "conc",
    "p50 ms",
    "p95 ms",
    "p99 ms",
    "PK p95 ms",
    "p95/PK",
    "median total",
    "max total",
]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--subjects", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=200, help="requests per query class and concurrency")
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--pg-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL schema")
    parser.add_argument("--sqlite-path", help="SQLite file to use (and keep); loaded only if it is not yet")
    parser.add_argument("--pg-schema", help="PostgreSQL schema to use; loaded only if it is not yet")
    parser.add_argument("--load-only", action="store_true", help="load and index, measure nothing")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    cache = Path(tempfile.gettempdir()) / f"xy-search-orgs-{args.subjects}-{args.seed}.pickle"
    if cache.exists():
        orgs = pickle.loads(cache.read_bytes())
    else:
        orgs = make_orgs(args.subjects, args.seed)
        cache.write_bytes(pickle.dumps(orgs))
    print(f"generated {len(orgs):,} organisations in {time.perf_counter() - started:.1f} s", flush=True)
    kinds = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    table: list[list[str]] = []
    with tempfile.TemporaryDirectory(prefix="xy-search-") as tmp:
        for kind in kinds:
            print(f"{kind}:", flush=True)
            engine, cleanup = _engine(kind, args, Path(tmp))
            try:
                table += bench_db(kind, engine, orgs, args.requests, args.seed, load_only=args.load_only)
            finally:
                if not args.keep:
                    cleanup()
    out = io.StringIO()
    out.write("| " + " | ".join(HEADER) + " |\n|" + "---|" * len(HEADER) + "\n")
    for row in table:
        out.write("| " + " | ".join(row) + " |\n")
    print(out.getvalue())
    return 0


if __name__ == "__main__":
    sys.exit(main())
