"""Demo data that looks real: a city and its counties, departments, companies, persons, records.

The generators are plain functions of a seed and a size, so benchmarks reuse them to make big files.
Every code is valid (check characters computed with kit.ids); every citizen ID is fictional: the
sequence part starts with 99, and the names are of the form 「姓 + 某 + 名」. Phone numbers are fictional
too: 11 digits starting with 1000 (:data:`DEMO_PHONE_PREFIX`); the 10 block of China's numbering plan
holds only carriers' service numbers, so no subscriber can have one. Places are the real divisions of
the platform's region with their real names (盐城市亭湖区, 阜宁县, 东台市), and departments are named
as they are officially (盐城市亭湖区市场监督管理局, 东台市税务局).

Two ways of loading, the same data model: up to :data:`BULK_FROM` subjects (what ``scripts/start.sh``
and the browser tests load) one by one, as a clerk and the departments' systems would; from there on set-based
(:mod:`xinyong.demo.bulk`: :mod:`~xinyong.demo.names` generates, :mod:`~xinyong.demo.registry`
registers, :mod:`~xinyong.demo.records` submits through the ingest pipeline), a million subjects with
their records in minutes.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import opencc
from rich.progress import Progress
from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong.catalog import service as catalog_service
from xinyong.catalog.schema import default_catalog_path
from xinyong.config import cipher_from_settings, get_settings
from xinyong.demo.bulk import BulkWorld, load_bulk
from xinyong.demo.lists import load_list_entries
from xinyong.demo.names import CLASSIC_TRADE_NAMES
from xinyong.demo.names import INDUSTRIES as ALL_INDUSTRIES
from xinyong.demo.records import dept_uscc
from xinyong.departments.service import create_department
from xinyong.ingest.service import submit_records
from xinyong.ingest.validation import FUTURE_DATE_FIELDS
from xinyong.kit import ids, regions
from xinyong.kit.clock import Clock, FixedClock
from xinyong.kit.crypto import PersonalDataCipher
from xinyong.kit.errors import Conflict
from xinyong.models import CatalogItemRow, Department, Subject, SubjectKind
from xinyong.subjects import service as subjects_service

#: The demo runs "as of" this day, so the same seed always gives the same data.
DEMO_TODAY = dt.date(2026, 11, 20)
#: Demo phone numbers are this prefix + 7 digits: never a real subscriber (see the module docstring).
DEMO_PHONE_PREFIX = "1000"
#: From this many subjects on, the demo is loaded set-based (xinyong.demo.bulk); below, one by one.
BULK_FROM = 2_000

CITY_DEPARTMENTS = [
    ("XYB", "社会信用体系建设领导小组办公室", "信用办"),
    ("SCJG", "市场监督管理局", "市场监管"),
    ("SW", "税务局", "税务"),
    ("FY", "中级人民法院", "法院"),
    ("HB", "生态环境局", "生态环境"),
    ("ZJ", "住房和城乡建设局", "住房城乡建设"),
    ("RS", "人力资源和社会保障局", "人力资源社会保障"),
    ("CZ", "财政局", "财政"),
    ("ZSCQ", "知识产权局", "知识产权"),
    ("FGW", "发展和改革委员会", "发展改革"),
    ("GGZY", "公共资源交易中心", "公共资源交易"),
]
COUNTY_DEPARTMENTS = [
    ("SCJG", "市场监督管理局", "市场监管"),
    ("SW", "税务局", "税务"),
    ("FY", "人民法院", "法院"),
    ("HB", "生态环境局", "生态环境"),
    ("ZJ", "住房和城乡建设局", "住房城乡建设"),
]

#: The small demo's 字号: the classic ones the bulk generator also draws from.
TRADE_NAMES = CLASSIC_TRADE_NAMES
#: The small demo's industries: the first of the bulk generator's (their order keeps its random draws).
INDUSTRIES = list(ALL_INDUSTRIES[:20])
FORMS = ["有限公司", "有限公司", "有限公司", "股份有限公司", "有限责任公司"]
SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗")
GIVEN = list("明华强伟芳娜敏静丽军杰磊洋勇艳超")


@dataclass(frozen=True)
class DemoOrg:
    kind: SubjectKind
    name: str
    uscc: str
    region_code: str
    legal_representative: str | None
    registered_on: dt.date
    old_reg_no: str | None


@dataclass(frozen=True)
class DemoPerson:
    name: str
    ric: str
    phone: str


def demo_regions(city_code: str) -> list[regions.Region]:
    """The city and its current counties/districts (skipping the 市辖区 placeholder)."""
    city = regions.get_region(city_code)
    if city is None:
        raise ValueError(f"unknown region {city_code}")
    counties = [r for r in regions.children(city_code, current_only=True) if r.name != "市辖区"]
    return [city, *counties]


def official_place(region_code: str) -> str:
    """The place name a body of the region carries officially: 盐城市 for the city, 盐城市亭湖区 for a
    district (区 take their city's name), 阜宁县 / 东台市 for counties and county-level cities."""
    region = regions.get_region(region_code)
    if region is None:
        raise ValueError(f"unknown region {region_code}")
    city = regions.city_of(region_code)
    if region.level == "county" and region.name.endswith("区") and city is not None:
        return city.name + region.name
    return region.name


def short_place(region_code: str) -> str:
    """The short place name companies use: 盐城 (for the city and its districts), 阜宁, 东台."""
    region = regions.get_region(region_code)
    if region is None:
        raise ValueError(f"unknown region {region_code}")
    city = regions.city_of(region_code)
    if region.level == "county" and region.name.endswith("区") and city is not None:
        region = city
    name = region.name
    return name[:-1] if len(name) > 2 and name[-1] in "市县区" else name


def demo_phone(rng: random.Random) -> str:
    """A fictional 11-digit phone number (:data:`DEMO_PHONE_PREFIX` + 7 digits)."""
    return DEMO_PHONE_PREFIX + "".join(rng.choice("0123456789") for _ in range(7))


def _org_code(rng: random.Random) -> str:
    body = "".join(rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(8))
    return body + ids.calc_org_check(body)


def make_uscc(rng: random.Random, prefix: str, region_code: str) -> str:
    first17 = prefix + region_code + _org_code(rng)
    return first17 + ids.calc_uscc_check(first17)


def make_reg_no(rng: random.Random, region_code: str) -> str:
    first14 = region_code + "".join(rng.choice("0123456789") for _ in range(8))
    return first14 + ids.calc_reg_no_check(first14)


def make_ric(rng: random.Random, region_code: str, birth: dt.date) -> str:
    first17 = f"{region_code}{birth:%Y%m%d}99{rng.randrange(10)}"
    return first17 + ids.calc_ric_check(first17)


def _person_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "某" + rng.choice(GIVEN)


def generate_orgs(
    n: int, seed: int, region_codes: list[str], *, traditional: Any = None
) -> Iterator[DemoOrg]:
    """``n`` organisations with valid codes and plausible names; about one in ten in traditional characters,
    one in eight with full-width brackets, one in four with a pre-2015 registration number."""
    rng = random.Random(seed)
    bodies: set[str] = set()  # a government body or public institution exists once
    for _ in range(n):
        region = rng.choice(region_codes)
        place, official = short_place(region), official_place(region)
        roll = rng.random()
        body = ""
        if roll >= 0.95:
            body = f"{official}{rng.choice(['交通运输局', '水利局', '城市管理局', '农业农村局'])}"
        elif roll >= 0.90:
            body = f"{official}{rng.choice(['第一人民医院', '实验小学', '公共资源交易中心', '检验检测中心'])}"
        if body in bodies:
            roll = 0.0  # taken: a company instead
        if roll < 0.70:
            kind, prefix = SubjectKind.legal_person, "91"
            name = f"{place}{rng.choice(TRADE_NAMES)}{rng.choice(INDUSTRIES)}{rng.choice(FORMS)}"
            if rng.random() < 0.12:
                name += f"（{rng.choice(['第一', '城东', '城南', '开发区'])}分公司）"
        elif roll < 0.85:
            kind, prefix = SubjectKind.individual_business, "92"
            shop = rng.choice(["餐馆", "超市", "五金店", "理发店", "水果店"])
            name = f"{official}{rng.choice(TRADE_NAMES)}{shop}"
        elif roll < 0.90:
            kind, prefix = SubjectKind.unincorporated_org, "91"
            name = f"{place}{rng.choice(TRADE_NAMES)}投资合伙企业（有限合伙）"
        else:
            kind = SubjectKind.public_institution if roll < 0.95 else SubjectKind.government_body
            prefix, name = ("12" if roll < 0.95 else "11"), body
            bodies.add(body)
        if traditional is not None and rng.random() < 0.10:
            name = traditional(name)
        registered = dt.date(2000, 1, 1) + dt.timedelta(days=rng.randrange(9000))
        old = (
            make_reg_no(rng, region) if kind is SubjectKind.legal_person and registered.year < 2015 else None
        )
        yield DemoOrg(
            kind=kind,
            name=name,
            uscc=make_uscc(rng, prefix, region),
            region_code=region,
            legal_representative=_person_name(rng) if kind is not SubjectKind.government_body else None,
            registered_on=registered,
            old_reg_no=old if rng.random() < 0.5 else None,
        )


def generate_persons(n: int, seed: int, region_codes: list[str]) -> Iterator[DemoPerson]:
    """Fictional persons: valid IDs whose sequence part starts with 99; some are minors on DEMO_TODAY."""
    rng = random.Random(seed + 1)
    made = 0
    while made < n:
        birth = dt.date(1960, 1, 1) + dt.timedelta(days=rng.randrange(365 * 48))
        number = make_ric(rng, rng.choice(region_codes), birth)
        if not ids.check_ric(number).valid:  # the region code did not exist yet in that birth year
            continue
        made += 1
        yield DemoPerson(
            name=_person_name(rng),
            ric=number,
            phone=demo_phone(rng),
        )


def field_value(spec: dict[str, Any], rng: random.Random, decision: dt.date) -> Any:
    """A plausible value for one catalog field (used for the non-core fields of demo records)."""
    kind = spec["type"]
    if kind == "enum":
        return rng.choice(spec["enum"])
    if kind in ("money", "decimal"):
        return round(rng.choice([500, 2000, 5000, 20000, 100000]) * rng.uniform(0.5, 2), 2)
    if kind == "integer":
        return rng.randrange(1, 100)
    if kind == "date" and spec["name"] in FUTURE_DATE_FIELDS:  # ends of validity, due dates
        return (decision + dt.timedelta(days=rng.randrange(30, 1500))).isoformat()
    if kind == "date":  # a day between the decision and the demo's today (collection refuses the future)
        return (
            decision + dt.timedelta(days=rng.randrange(0, max((DEMO_TODAY - decision).days, 0) + 1))
        ).isoformat()
    if kind == "datetime":
        return dt.datetime.combine(decision, dt.time(10, 0)).isoformat()
    if kind == "boolean":
        return rng.random() < 0.5
    label = spec.get("label", spec["name"])
    return f"{label}（演示）"


@dataclass
class DemoSummary:
    departments: int = 0
    subjects: int = 0
    persons: int = 0
    records: int = 0
    by_item: dict[str, int] = field(default_factory=dict)
    #: Seconds by stage of a bulk load (generate, register, records, search_index); empty otherwise.
    seconds: dict[str, float] = field(default_factory=dict)

    def describe(self) -> str:
        text = (
            f"演示数据已载入：部门 {self.departments} 个，"
            f"信用主体 {self.subjects} 个（其中自然人 {self.persons} 个），"
            f"信用记录 {self.records} 条，覆盖目录事项 {len(self.by_item)} 个"
        )
        if self.seconds:
            stages = {
                "generate": "生成",
                "register": "登记主体",
                "records": "归集记录",
                "search_index": "检索索引",
            }
            text += "\n用时（秒）：" + "，".join(f"{stages.get(k, k)} {v}" for k, v in self.seconds.items())
        return text


def _departments(session: Session, city_code: str, actor: str, clock: Clock) -> list[Department]:
    """The city's and its counties' departments, created through departments.service (as the CLI does)."""
    depts: list[Department] = []
    for region in demo_regions(city_code):
        table = CITY_DEPARTMENTS if region.code == city_code else COUNTY_DEPARTMENTS
        for suffix, name, kind in table:
            code = f"{region.code}-{suffix}"
            existing = session.scalar(select(Department).where(Department.code == code))
            if existing is not None:
                depts.append(existing)
                continue
            depts.append(
                create_department(
                    session,
                    code=code,
                    name=official_place(region.code) + name,
                    kind=kind,
                    region_code=region.code,
                    level=region.level,
                    actor=actor,
                    clock=clock,
                )
            )
    return depts


def demo_split(subjects: int) -> tuple[int, int]:
    """(organisations, persons) for ``subjects`` subjects: about one in fifty a person, at least one
    organisation whenever ``subjects >= 1`` and at least one person from two subjects on."""
    if subjects <= 1:
        return max(subjects, 0), 0
    persons = min(max(1, subjects // 50), subjects - 1)
    return subjects - persons, persons


Batches = dict[tuple[str, str, dt.date], list[dict[str, Any]]]


def _generate_records(
    created: list[Subject],
    items: list[CatalogItemRow],
    depts: list[Department],
    rng: random.Random,
    platform_region: str,
    ric_of: dict[int, str],
) -> Batches:
    """Records for the subjects across the catalog, grouped as their departments would submit them:
    by department, catalog item and day of receipt."""
    batches: Batches = {}
    sources = {
        item.code: [d for d in depts if catalog_service.item_spec(item).provided_by(d.kind)] for item in items
    }
    for subject in created:
        fitting = [it for it in items if subject.kind.value in it.spec["subject_types"] and sources[it.code]]
        for item in rng.sample(fitting, k=min(len(fitting), rng.randrange(0, 5))):
            # a source department of the item (谁产生、谁提供): the subject's county's, else the city's
            local = [d for d in sources[item.code] if d.region_code == subject.region_code]
            city = [d for d in sources[item.code] if d.region_code == platform_region]
            dept = (local or city or sources[item.code])[0]
            decision = DEMO_TODAY - dt.timedelta(days=rng.randrange(10, 900))
            received = decision + dt.timedelta(days=rng.choice([1, 2, 3, 5, 7, 9, 15]))
            data = {
                f["name"]: field_value(f, rng, decision)
                for f in item.spec["fields"]
                if f["required"] or rng.random() < 0.6
            }
            fill_core_fields(
                data, subject, item, dept, decision, rng.randrange(10**8), ric_of.get(subject.id)
            )
            batches.setdefault((dept.code, item.code, received), []).append(data)
    return batches


def fill_core_fields(
    data: dict[str, Any],
    subject: Subject,
    item: CatalogItemRow,
    dept: Department,
    decided: dt.date,
    serial: int,
    ric: str | None,
) -> None:
    """Set the core fields a record needs from its subject and source."""
    data["subject_name"] = subject.name
    data["subject_id"] = subject.uscc or ric
    data["source_record_id"] = f"{dept.code}-{item.code}-{serial:08d}"
    data["decision_date"] = decided.isoformat()
    if any(f["name"] == "decision_no" for f in item.spec["fields"]):
        data["decision_no"] = f"{dept.name[:2]}{item.code}〔{decided.year}〕{serial % 10000}号"
    for spec in item.spec["fields"]:  # the deciding authority's (or another party's) code: a valid one
        if spec["type"] == "uscc" and spec["name"] != "subject_id" and spec["name"] in data:
            data[spec["name"]] = dept_uscc(dept)


def _register_subjects(
    session: Session,
    subjects: int,
    seed: int,
    region_codes: list[str],
    cipher: PersonalDataCipher,
    actor: str,
    clock: Clock,
    advance: Callable[[], None],
) -> tuple[list[Subject], dict[int, str]]:
    """Register the demo's organisations and persons one by one, as a clerk would; the subjects created
    and the citizen ID of each person (by subject id), which their records carry."""
    s2t = opencc.OpenCC("s2t")
    n_orgs, n_persons = demo_split(subjects)
    created: list[Subject] = []
    ric_of: dict[int, str] = {}
    for org in generate_orgs(n_orgs, seed, region_codes, traditional=s2t.convert):
        if session.scalar(select(Subject.id).where(Subject.uscc == org.uscc)) is not None:
            continue
        created.append(
            subjects_service.register_organisation(
                session,
                kind=org.kind,
                name=org.name,
                uscc=org.uscc,
                actor=actor,
                clock=clock,
                region_code=org.region_code,
                legal_representative=org.legal_representative,
                registered_on=org.registered_on,
                old_reg_no=org.old_reg_no,
            )
        )
        advance()
    for person in generate_persons(n_persons, seed, region_codes):
        try:
            subject = subjects_service.register_person(
                session,
                name=person.name,
                ric=person.ric,
                phone=person.phone,
                cipher=cipher,
                actor=actor,
                clock=clock,
            )
        except Conflict:
            continue
        created.append(subject)
        ric_of[subject.id] = person.ric
        advance()
    return created, ric_of


def load_demo(
    session: Session,
    *,
    subjects: int = 300,
    seed: int = 20261122,
    actor: str = "demo",
    clock: Clock | None = None,
    progress: bool = False,
    bulk: bool | None = None,
) -> DemoSummary:
    """Load the default catalog (if none), departments, subjects and records across the catalog. Records
    go through collection (the ingest pipeline), the one path every record is written by.

    Up to :data:`BULK_FROM` subjects (unless ``bulk``) they are registered one by one as a clerk would
    and their records sent as the JSON batch API's requests (ingest.service.submit_records); from
    there on (or with ``bulk``) subjects are registered set-based and their records sent as monthly
    department batches (xinyong.demo.bulk)."""
    clock = clock or FixedClock(DEMO_TODAY)
    settings = get_settings()
    cipher = cipher_from_settings()
    summary = DemoSummary()
    if session.scalar(select(CatalogItemRow.id).limit(1)) is None:
        catalog_service.import_catalog(
            session,
            default_catalog_path().read_text(encoding="utf-8"),
            actor=actor,
            clock=clock,
            source="default.yaml",
        )
    items = catalog_service.current_items(session)
    depts = _departments(session, settings.platform_region, actor, clock)
    summary.departments = len(depts)
    region_codes = [r.code for r in demo_regions(settings.platform_region)]
    if bulk or (bulk is None and subjects >= BULK_FROM):
        world = BulkWorld(
            settings.platform_region, region_codes, {c: official_place(c) for c in region_codes}, depts, items
        )
        return _load_bulk(session, summary, world, subjects, seed, actor, clock, cipher, progress)
    rng = random.Random(seed)
    with Progress(disable=not progress, transient=True) as bar:
        task = bar.add_task("生成信用主体", total=subjects)
        created, ric_of = _register_subjects(
            session, subjects, seed, region_codes, cipher, actor, clock, lambda: bar.advance(task)
        )
        summary.subjects, summary.persons = len(created), len(ric_of)
        task = bar.add_task("生成信用记录", total=len(created))
        batches = _generate_records(created, items, depts, rng, settings.platform_region, ric_of)
        for (dept_code, item_code, received), rows in sorted(batches.items()):
            outcome = submit_records(
                session,
                rows,
                item_code=item_code,
                dept_code=dept_code,
                actor=actor,
                clock=clock,
                cipher=cipher,
                received_on=received,
            )
            summary.records += outcome.accepted
            summary.by_item[item_code] = summary.by_item.get(item_code, 0) + outcome.accepted
        bar.advance(task, len(created))
    load_list_entries(session, settings.platform_region)
    return summary


def _load_bulk(
    session: Session,
    summary: DemoSummary,
    world: BulkWorld,
    subjects: int,
    seed: int,
    actor: str,
    clock: Clock,
    cipher: PersonalDataCipher,
    progress: bool,
) -> DemoSummary:
    n_orgs, n_persons = demo_split(subjects)
    with Progress(disable=not progress, transient=True) as bar:
        tasks = {
            "subjects": bar.add_task("登记信用主体", total=subjects),
            "records": bar.add_task("归集信用记录", total=None),
        }
        loaded = load_bulk(
            session,
            world,
            orgs=n_orgs,
            persons=n_persons,
            seed=seed,
            actor=actor,
            clock=clock,
            cipher=cipher,
            advance=lambda stage, n: bar.advance(tasks[stage], n),
        )
    summary.subjects, summary.persons = loaded.subjects, loaded.persons
    summary.records, summary.by_item = loaded.records, loaded.by_item
    summary.seconds = loaded.seconds
    return summary
