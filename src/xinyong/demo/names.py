"""Demo subjects by the hundred thousand: organisations and persons generated column-wise (Polars), for the
bulk demo (:mod:`xinyong.demo_bulk`).

Names follow the pattern of real registrations — place + 字号 + industry + organisation form
(盐城市华润宏达机械制造有限公司, 阜宁瑞祥食品有限公司, 东台市恒通五金店), about one in ten in traditional
characters, some branches (……有限公司阜宁分公司) and partnerships with full-width brackets; a name is
drawn again while it repeats one already made. Every code is valid: the organisation code inside each
USCC has its check character, and so has the USCC; the organisation codes of one run are distinct by
construction (an affine permutation of a shuffled sequence, not a random draw that may repeat). About
half of the companies and shops registered before 2015 also carry their 15-digit 工商注册号 (ISO 7064
MOD 11,10). Persons are fictional as in :mod:`xinyong.demo`: 「姓 + 某 + 名」, citizen IDs whose
sequence part starts with 99, phone numbers starting with 1000.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from typing import Final

import opencc
import polars as pl

from xinyong.kit import regions
from xinyong.kit.ids import USCC_ALPHABET
from xinyong.kit.ids.bulk import ric_error_expr
from xinyong.kit.ids.org_code import ORG_BODY_CHARS
from xinyong.kit.ids.uscc import USCC_WEIGHTS
from xinyong.models import SubjectKind

#: Characters a 字号 is made of (two of them, or two such pairs).
TRADE_CHARS: Final = (
    "宏达华润泰恒通盛鑫源瑞丰远金帆海韵永德新裕隆天成博嘉禾弘业锦程东方晨光汇立信同心安聚福康九洲启航"
    "沃正和明辉长青中兴佳美宇星亿荣昌旭阳祥凯鼎峰卓越振高科诚铭顺利银河景怡万家百富贵乐华邦创力联合"
)
CLASSIC_TRADE_NAMES: Final = [
    "恒通",
    "华美",
    "鑫源",
    "瑞丰",
    "远大",
    "金帆",
    "海韵",
    "盛世",
    "永泰",
    "宏达",
    "德润",
    "新华",
    "丰华",
    "裕隆",
    "润泽",
    "天成",
    "博远",
    "嘉禾",
    "弘业",
    "锦程",
    "东方",
    "晨光",
    "汇通",
    "立信",
    "同心",
    "安泰",
    "聚福",
    "康达",
    "九洲",
    "启航",
    "沃德",
    "正和",
    "华信",
    "明辉",
    "长青",
]
INDUSTRIES: Final = [
    "建设工程",
    "食品",
    "机械制造",
    "纺织",
    "物流",
    "商贸",
    "环保科技",
    "餐饮管理",
    "化工",
    "农业发展",
    "电子科技",
    "新能源",
    "医药",
    "汽车销售",
    "装饰工程",
    "印务",
    "水产",
    "酒店管理",
    "劳务派遣",
    "再生资源",
    "建材",
    "服饰",
    "家具",
    "包装材料",
    "机电设备",
    "信息技术",
    "网络科技",
    "文化传媒",
    "广告",
    "房地产开发",
    "物业管理",
    "园林绿化",
    "市政工程",
    "交通设施",
    "钢结构",
    "电气",
    "五金",
    "塑料制品",
    "汽车零部件",
    "精密机械",
    "光电科技",
    "生物科技",
    "农产品",
    "粮油",
    "种业",
    "渔业",
    "旅游开发",
    "教育咨询",
    "人力资源",
    "企业管理咨询",
    "供应链管理",
    "国际贸易",
    "实业",
    "船舶",
    "风电设备",
    "纸业",
    "石化",
    "金属制品",
    "电子商务",
]
#: Organisation forms of companies, with their weights.
FORMS: Final = (("有限公司", 70), ("有限责任公司", 12), ("股份有限公司", 8), ("集团有限公司", 2))
SHOPS: Final = [
    "餐馆",
    "超市",
    "五金店",
    "理发店",
    "水果店",
    "便利店",
    "烟酒店",
    "服装店",
    "建材经营部",
    "农资店",
    "小吃店",
    "面馆",
    "汽车修理部",
    "家电维修部",
    "茶叶店",
    "粮油店",
    "百货商店",
    "美容院",
    "电动车行",
    "图文广告部",
    "手机店",
    "早餐店",
    "烧烤店",
    "副食品店",
]
PARTNERSHIPS: Final = ("投资合伙企业（有限合伙）", "企业管理咨询中心（有限合伙）", "创业投资中心（有限合伙）")
GOVERNMENT_BODIES: Final = [
    "交通运输局",
    "水利局",
    "城市管理局",
    "农业农村局",
    "教育局",
    "民政局",
    "司法局",
    "商务局",
    "文化广电和旅游局",
    "卫生健康委员会",
    "应急管理局",
    "审计局",
    "统计局",
    "医疗保障局",
    "自然资源和规划局",
]
PUBLIC_INSTITUTIONS: Final = [
    "第一人民医院",
    "中医院",
    "妇幼保健院",
    "疾病预防控制中心",
    "实验小学",
    "实验初级中学",
    "第一中学",
    "第二中学",
    "公共资源交易中心",
    "检验检测中心",
    "图书馆",
    "文化馆",
    "档案馆",
    "社会福利院",
    "职业教育中心",
]
SURNAMES: Final = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘")
GIVEN: Final = list("明华强伟芳娜敏静丽军杰磊洋勇艳超平刚桂英红霞建国文斌")
#: USCC entity-type prefixes.
PREFIX: Final = {
    SubjectKind.legal_person: "91",
    SubjectKind.unincorporated_org: "91",
    SubjectKind.individual_business: "92",
    SubjectKind.public_institution: "12",
    SubjectKind.government_body: "11",
}
_SPACE: Final = 31**8  # organisation code bodies of the USCC alphabet
_STEP: Final = 2_654_435_761  # coprime with 31: i -> (i * _STEP + offset) mod 31^8 is a permutation
_ORG_WEIGHTS: Final = (3, 7, 9, 10, 5, 8, 4, 2)
_USCC_VALUE: Final = {ch: i for i, ch in enumerate(USCC_ALPHABET)}
_START: Final = dt.date(2000, 1, 1)
_MOD_FOR_REG_NO: Final = 10**7


def official_place(region: regions.Region, city: regions.Region) -> str:
    """盐城市 / 盐城市亭湖区 / 阜宁县 (see :func:`xinyong.demo.official_place`)."""
    if region.level == "county" and region.name.endswith("区"):
        return city.name + region.name
    return region.name


def short_place(region: regions.Region, city: regions.Region) -> str:
    """盐城 (the city and its districts) / 阜宁 / 东台."""
    name = city.name if region.level == "county" and region.name.endswith("区") else region.name
    return name[:-1] if len(name) > 2 and name[-1] in "市县区" else name


def _seed(rng: random.Random) -> int:
    return rng.randrange(2**32)


def _pick(rng: random.Random, pool: Sequence[str], n: int, weights: Sequence[int] | None = None) -> pl.Series:
    """``n`` values drawn from ``pool`` (each repeated by its weight), in Polars."""
    values = [v for v, w in zip(pool, weights or [1] * len(pool), strict=True) for _ in range(w)]
    return pl.Series(values, dtype=pl.String).sample(n, with_replacement=True, seed=_seed(rng))


def _ints(rng: random.Random, n: int, below: int) -> pl.Series:
    """``n`` integers in ``range(below)``, uniform enough for demo data (hashes of a seeded sequence)."""
    hashed = pl.int_range(0, n, eager=True, dtype=pl.UInt64).hash(seed=_seed(rng))
    return (hashed % below).cast(pl.Int64)


def _chance(rng: random.Random, n: int) -> pl.Series:
    """``n`` numbers in [0, 1) (to the ten-thousandth)."""
    return _ints(rng, n, 10_000) / 10_000


def _pairs(rng: random.Random, n: int) -> pl.Series:
    """Two different characters of :data:`TRADE_CHARS`."""
    chars = pl.Series(list(TRADE_CHARS))
    first = _ints(rng, n, len(TRADE_CHARS))
    second = (first + 1 + _ints(rng, n, len(TRADE_CHARS) - 1)) % len(TRADE_CHARS)
    return chars.gather(first) + chars.gather(second)


def _trade_names(rng: random.Random, n: int) -> pl.Series:
    """字号: a classic one (3 in 10), two characters (55 in 100), or two pairs (15 in 100)."""
    roll = _chance(rng, n)
    classic = _pick(rng, CLASSIC_TRADE_NAMES, n)
    one, two = _pairs(rng, n), _pairs(rng, n)
    return pl.select(
        pl.when(pl.lit(roll) < 0.30).then(classic).when(pl.lit(roll) < 0.85).then(one).otherwise(one + two)
    ).to_series()


def _bodies(region_codes: list[str], city: regions.Region) -> list[tuple[SubjectKind, str, str]]:
    """Every government body and public institution of the demo's places: (kind, name, region)."""
    out = []
    for code in region_codes:
        region = regions.get_region(code)
        if region is None:
            continue
        place = official_place(region, city)
        out += [(SubjectKind.government_body, place + b, code) for b in GOVERNMENT_BODIES]
        out += [(SubjectKind.public_institution, place + b, code) for b in PUBLIC_INSTITUTIONS]
    return out


def _company_names(rng: random.Random, frame: pl.DataFrame, n: int) -> pl.Series:
    """Names of companies, shops and partnerships for the rows of ``frame`` (kind, short, official)."""
    trade = _trade_names(rng, n)
    industry = _pick(rng, INDUSTRIES, n)
    form = _pick(rng, [f for f, _ in FORMS], n, [w for _, w in FORMS])
    shop = _pick(rng, SHOPS, n)
    partnership = _pick(rng, PARTNERSHIPS, n)
    place_roll = pl.lit(_chance(rng, n))
    branch_roll = pl.lit(_chance(rng, n))
    branch_place = _pick(rng, frame["short"].unique().sort().to_list(), n)
    place = (
        pl.when(place_roll < 0.55)
        .then(pl.col("short"))
        .when(place_roll < 0.97)
        .then(pl.col("official"))
        .otherwise(pl.lit("江苏"))
    )
    company = pl.concat_str([place, trade, industry, form])
    company = (
        pl.when(branch_roll < 0.04)
        .then(pl.concat_str([company, branch_place, pl.lit("分公司")]))
        .when(branch_roll < 0.06)
        .then(pl.concat_str([company, pl.lit("（"), branch_place, pl.lit("分公司）")]))
        .otherwise(company)
    )
    kind = pl.col("kind")
    return frame.select(
        pl.when(kind == SubjectKind.individual_business.value)
        .then(pl.concat_str([pl.col("official"), trade, shop]))
        .when(kind == SubjectKind.unincorporated_org.value)
        .then(pl.concat_str([place, trade, partnership]))
        .otherwise(company)
        .alias("name")
    ).to_series()


def _unique_names(rng: random.Random, frame: pl.DataFrame) -> pl.DataFrame:
    """Draw names, and again for each name that repeats an earlier one (a few rounds)."""
    frame = frame.with_columns(_company_names(rng, frame, frame.height))
    for _ in range(4):
        again = frame.select(~pl.col("name").is_first_distinct()).to_series()
        count = int(again.sum())
        if count == 0:
            break
        redo = frame.filter(again)
        fresh = _company_names(rng, redo, count)
        frame = frame.with_columns(
            pl.when(again).then(pl.lit(None, dtype=pl.String)).otherwise(pl.col("name")).alias("name")
        )
        idx = again.arg_true()
        names = frame["name"].scatter(idx, fresh)
        frame = frame.with_columns(names.alias("name"))
    return frame


def _org_bodies(rng: random.Random, n: int) -> pl.DataFrame:
    """Distinct 8-character organisation code bodies (indices into the USCC alphabet), one per row."""
    offset = rng.randrange(_SPACE)
    seq = pl.int_range(0, n, eager=True, dtype=pl.Int64).shuffle(seed=_seed(rng))
    value = (seq * _STEP + offset) % _SPACE
    return pl.DataFrame({f"b{k}": (value // 31 ** (7 - k)) % 31 for k in range(8)})


def _codes(frame: pl.DataFrame, bodies: pl.DataFrame) -> pl.Series:
    """USCCs for ``frame`` (prefix, region) from the bodies: organisation code check, then USCC check,
    computed on the characters' values (the bodies are indices into the USCC alphabet)."""
    alphabet = pl.Series(list(USCC_ALPHABET))
    org_value = [ORG_BODY_CHARS.index(ch) for ch in USCC_ALPHABET]
    heads = frame.select(pl.concat_str("prefix", "region_code").alias("h"))["h"]
    head_sum = {
        h: sum(_USCC_VALUE[c] * w for c, w in zip(h, USCC_WEIGHTS, strict=False)) for h in heads.unique()
    }
    parts = pl.concat([heads.to_frame(), bodies], how="horizontal")
    total = pl.sum_horizontal(
        [pl.col(f"b{k}").replace_strict(dict(enumerate(org_value))) * w for k, w in enumerate(_ORG_WEIGHTS)]
    )
    check = 11 - total % 11  # 1..11: 10 is X, 11 is 0
    check_value = pl.when(check == 10).then(_USCC_VALUE["X"]).when(check == 11).then(0).otherwise(check)
    uscc_sum = (
        pl.col("h").replace_strict(head_sum, return_dtype=pl.Int64)
        + pl.sum_horizontal([pl.col(f"b{k}") * USCC_WEIGHTS[8 + k] for k in range(8)])
        + pl.col("v") * USCC_WEIGHTS[16]
    )
    values = parts.with_columns(check_value.alias("v")).select(
        "h", *[f"b{k}" for k in range(8)], "v", ((31 - uscc_sum % 31) % 31).alias("c")
    )
    columns = [values["h"]] + [
        alphabet.gather(values[name]) for name in [f"b{k}" for k in range(8)] + ["v", "c"]
    ]
    return pl.select(pl.concat_str(columns).alias("uscc")).to_series()


def reg_no_checks(first14: pl.Series) -> pl.Series:
    """ISO 7064 MOD 11,10 check digits of 14-digit strings (the 工商注册号's 15th digit)."""
    frame = pl.DataFrame({"f": first14, "c": pl.repeat(5, first14.len(), dtype=pl.Int64, eager=True)})
    for i in range(14):
        doubled = (pl.when(pl.col("c") == 0).then(10).otherwise(pl.col("c")) * 2) % 11
        frame = frame.with_columns(((doubled + pl.col("f").str.slice(i, 1).cast(pl.Int64)) % 10).alias("c"))
    last = (pl.when(pl.col("c") == 0).then(10).otherwise(pl.col("c")) * 2) % 11
    return frame.select(((1 - last) % 10).cast(pl.String).alias("check")).to_series()


def _reg_nos(rng: random.Random, frame: pl.DataFrame) -> pl.Series:
    """A 工商注册号 for companies and shops registered before 2015, about one in two; else null."""
    n = frame.height
    order = pl.int_range(0, n, eager=True, dtype=pl.Int64).shuffle(seed=_seed(rng))
    seq = ((order * 7_919 + rng.randrange(_MOD_FOR_REG_NO)) % _MOD_FOR_REG_NO).cast(pl.String)
    kind_digit = _pick(rng, list("0123"), n)
    keep = _chance(rng, n) < 0.5
    first14 = frame.select(
        pl.concat_str(
            [
                pl.col("region_code"),
                pl.when(pl.col("kind") == SubjectKind.individual_business.value)
                .then(pl.lit("6"))
                .otherwise(kind_digit),
                seq.str.zfill(7),
            ]
        ).alias("f")
    ).to_series()
    full = first14 + reg_no_checks(first14)
    eligible = frame.select(
        pl.col("kind").is_in([SubjectKind.legal_person.value, SubjectKind.individual_business.value])
        & (pl.col("registered_on") < dt.date(2015, 1, 1))
    ).to_series()
    return pl.select(pl.when(eligible & keep).then(full).otherwise(None).alias("old_reg_no")).to_series()


def _traditional(rng: random.Random, names: pl.Series) -> pl.Series:
    """About one name in ten in traditional characters (鹽城……), as some departments still send them."""
    s2t = opencc.OpenCC("s2t")
    flags = _chance(rng, names.len()) < 0.10
    converted = pl.Series([s2t.convert(v) for v in names.filter(flags).to_list()], dtype=pl.String)
    return names.scatter(flags.arg_true(), converted).alias("name")


def _people(rng: random.Random, n: int) -> pl.Series:
    return _pick(rng, SURNAMES, n) + "某" + _pick(rng, GIVEN, n)


def organisations(n: int, seed: int, region_codes: list[str], city_code: str) -> pl.DataFrame:
    """``n`` organisations: kind, name, uscc, region_code, legal_representative, registered_on, old_reg_no.
    Government bodies and public institutions come first, each once (there are a few hundred)."""
    rng = random.Random(seed)
    city = regions.get_region(city_code)
    if city is None:
        raise ValueError(f"unknown region {city_code}")
    bodies = _bodies(region_codes, city)[: n // 20]
    rest = n - len(bodies)
    kinds = _pick(
        rng,
        [
            SubjectKind.legal_person.value,
            SubjectKind.individual_business.value,
            SubjectKind.unincorporated_org.value,
        ],
        rest,
        [80, 16, 4],
    )
    places = {code: regions.get_region(code) for code in region_codes}
    short = {c: short_place(r, city) for c, r in places.items() if r is not None}
    official = {c: official_place(r, city) for c, r in places.items() if r is not None}
    frame = pl.DataFrame({"kind": kinds, "region_code": _pick(rng, region_codes, rest)}).with_columns(
        pl.col("region_code").replace_strict(short).alias("short"),
        pl.col("region_code").replace_strict(official).alias("official"),
    )
    frame = _unique_names(rng, frame).select("kind", "region_code", "name")
    frame = pl.concat(
        [
            pl.DataFrame(
                {
                    "kind": [k.value for k, _, _ in bodies],
                    "region_code": [c for _, _, c in bodies],
                    "name": [b for _, b, _ in bodies],
                },
                schema=frame.schema,
            ),
            frame.with_columns(_traditional(rng, frame["name"])),
        ]
    )
    days = _ints(rng, n, 9000)
    frame = frame.with_columns(
        pl.col("kind").replace_strict({k.value: p for k, p in PREFIX.items()}).alias("prefix"),
        (pl.lit(_START) + pl.duration(days=pl.lit(days))).alias("registered_on"),
        pl.when(pl.col("kind") == SubjectKind.government_body.value)
        .then(None)
        .otherwise(_people(rng, n))
        .alias("legal_representative"),
    )
    frame = frame.with_columns(_codes(frame, _org_bodies(rng, n)), _reg_nos(rng, frame))
    return frame.drop("prefix")


def persons(n: int, seed: int, region_codes: list[str]) -> pl.DataFrame:
    """``n`` fictional persons (name, ric, phone, birth), all born between 1958 and 2002, distinct IDs."""
    rng = random.Random(seed + 1)
    out = pl.DataFrame(schema={"name": pl.String, "ric": pl.String, "phone": pl.String, "birth": pl.Date})
    weights = [pow(2, 17 - i, 11) for i in range(17)]
    while out.height < n:
        want = (n - out.height) * 2 + 10
        births = pl.select(
            pl.lit(dt.date(1958, 1, 1)) + pl.duration(days=pl.lit(_ints(rng, want, 365 * 45)))
        ).to_series()
        first17 = pl.concat_str(
            [_pick(rng, region_codes, want), births.dt.strftime("%Y%m%d"), pl.lit("99"), _ints(rng, want, 10)]
        )
        frame = pl.select(first17.alias("f"), births.alias("birth"))
        total = pl.sum_horizontal(
            [pl.col("f").str.slice(i, 1).cast(pl.Int64) * w for i, w in enumerate(weights)]
        )
        check = (total % 11).replace_strict(dict(enumerate("10X98765432")), return_dtype=pl.String)
        batch = frame.select(
            _people(rng, want).alias("name"),
            (pl.col("f") + check).alias("ric"),
            ("1000" + _ints(rng, want, 10**7).cast(pl.String).str.zfill(7)).alias("phone"),
            "birth",
        ).filter(ric_error_expr(pl.col("ric")).is_null())
        out = pl.concat([out, batch]).unique("ric", keep="first", maintain_order=True)
    return out.head(n)
