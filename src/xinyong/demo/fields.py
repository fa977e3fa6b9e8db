"""Field values of the bulk demo's credit records, column-wise: what a department's system would send for
each catalog field, as text (the form every submission reaches the pipeline in).

Known fields get plausible values — the authority's own name and code, the subject's legal
representative, violations with their legal basis, licences, court case numbers, addresses — and any
other field its label and 「（演示）」. Dates keep to the rules a submission is held to: the decision no
later than its receipt, ends of validity after it, other dates between the decision and the demo's today.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from typing import Any, Final

import polars as pl

from xinyong.ingest.validation import FUTURE_DATE_FIELDS

VIOLATIONS: Final = (
    ("未按规定公示年度报告", "《企业信息公示暂行条例》第十八条"),
    ("销售不符合食品安全标准的食品", "《中华人民共和国食品安全法》第一百二十四条"),
    ("未取得许可从事经营活动", "《无证无照经营查处办法》第十三条"),
    ("发布虚假广告", "《中华人民共和国广告法》第五十五条"),
    ("未按规定使用计量器具", "《中华人民共和国计量法》第二十六条"),
    ("超标排放大气污染物", "《中华人民共和国大气污染防治法》第九十九条"),
    ("未按规定进行建设工程竣工验收", "《建设工程质量管理条例》第五十八条"),
    ("未按期办理纳税申报", "《中华人民共和国税收征收管理法》第六十二条"),
)
LICENCES: Final = (
    ("食品经营许可证", "食品销售经营者（含网络经营）"),
    ("建筑施工企业安全生产许可证", "建筑施工"),
    ("排污许可证", "大气污染物、水污染物排放"),
    ("道路运输经营许可证", "道路普通货物运输"),
    ("药品经营许可证", "药品零售"),
    ("建设工程规划许可证", "新建厂房及配套设施"),
    ("特种设备使用登记证", "电梯、锅炉"),
)
CASE_CAUSES: Final = (
    "买卖合同纠纷",
    "借款合同纠纷",
    "建设工程施工合同纠纷",
    "劳动争议",
    "租赁合同纠纷",
    "服务合同纠纷",
)
ROADS: Final = (
    "人民路",
    "解放路",
    "开放大道",
    "建军路",
    "青年路",
    "世纪大道",
    "迎宾大道",
    "黄海路",
    "新都路",
    "范公路",
)
SCOPES: Final = (
    "一般项目：技术服务、技术开发、技术咨询；机械设备销售；五金产品批发（除依法须经批准的项目外，凭营业执照依法自主开展经营活动）",
    "许可项目：食品销售；一般项目：日用百货销售；农副产品销售",
    "许可项目：建设工程施工；一般项目：园林绿化工程施工；建筑材料销售",
    "一般项目：普通货物仓储服务；国内货物运输代理；供应链管理服务",
)
AMOUNTS: Final = (500, 1000, 2000, 3000, 5000, 10000, 20000, 50000, 100000, 300000)
#: Fields named after the authority that decided (its department's name).
AUTHORITY_FIELDS: Final = frozenset(
    {
        "authority_name",
        "court_name",
        "registration_authority",
        "issuing_authority",
        "tax_authority",
        "accepting_authority",
        "awarding_body",
        "evaluator",
        "basis_issuer",
    }
)
PERSON_FIELDS: Final = frozenset({"legal_representative", "principal_name", "operator_name"})


def _seed(rng: random.Random) -> int:
    return rng.randrange(2**32)


def pick(rng: random.Random, pool: Sequence[Any], n: int) -> pl.Series:
    """``n`` values drawn from ``pool``."""
    return pl.Series(list(pool)).sample(n, with_replacement=True, seed=_seed(rng))


def ints(rng: random.Random, n: int, below: int) -> pl.Series:
    """``n`` integers in ``range(below)``, uniform enough for demo data (hashes of a seeded sequence)."""
    hashed = pl.int_range(0, n, eager=True, dtype=pl.UInt64).hash(seed=_seed(rng))
    return (hashed % max(below, 1)).cast(pl.Int64)


def _days_after(base: pl.Series, days: pl.Series) -> pl.Series:
    return pl.select((pl.lit(base) + pl.duration(days=pl.lit(days))).dt.strftime("%Y-%m-%d")).to_series()


def _text_pool(name: str, rows: pl.DataFrame, rng: random.Random) -> pl.Series | None:
    """Plausible text for the fields that commonly carry one; None for the rest."""
    n = rows.height
    violation = pick(rng, [v for v, _ in VIOLATIONS], n)
    basis = pick(rng, [b for _, b in VIOLATIONS], n)
    licence = pick(rng, [licence for licence, _ in LICENCES], n)
    pools: dict[str, pl.Series] = {
        "violation": violation,
        "reason": violation,
        "listing_reason": violation,
        "violation_facts": "经查，当事人" + violation + "，违法事实清楚，证据确凿。",
        "legal_basis_text": basis,
        "penalty_content": pick(
            rng, ["警告", "罚款人民币2000元", "罚款人民币5000元", "没收违法所得并处罚款"], n
        ),
        "licence_doc_name": licence.str.replace("证$", "") + "准予许可决定书",
        "licence_cert_name": licence,
        "licence_content": pick(rng, [c for _, c in LICENCES], n),
        "licence_no": "JY" + ints(rng, n, 10**9).cast(pl.String).str.zfill(9),
        "business_scope": pick(rng, SCOPES, n),
        "address": rows["place"] + pick(rng, ROADS, n) + (ints(rng, n, 300) + 1).cast(pl.String) + "号",
        "premises": rows["place"] + pick(rng, ROADS, n) + (ints(rng, n, 300) + 1).cast(pl.String) + "号",
        "case_cause": pick(rng, CASE_CAUSES, n),
        "obligation": "支付货款及利息" + ((ints(rng, n, 50) + 1) * 10000).cast(pl.String) + "元",
        "judgment_summary": pick(
            rng, ["驳回原告诉讼请求", "被告于判决生效之日起十日内支付货款", "准许原告撤诉"], n
        ),
        "basis_document_no": "（" + rows["year"] + "）苏09民初" + ints(rng, n, 9000).cast(pl.String) + "号",
        "counterparty_name": rows["dept_name"],
        "contract_name": rows["dept_name"]
        + pick(rng, ["办公设备采购", "物业服务", "道路维修工程"], n)
        + "合同",
        "grade": pick(rng, ["A", "AA", "AAA", "B", "良好"], n),
        "matter": pick(rng, ["双随机抽查", "年度检验", "专项检查"], n),
        "result": pick(rng, ["未发现问题", "发现问题已责令整改", "检查合格"], n),
    }
    return pools.get(name)


def _from_rows(name: str, rows: pl.DataFrame) -> pl.Series | None:
    """Fields that repeat what the record is about: its subject, its authority, another company."""
    if name in PERSON_FIELDS:
        return rows["legal_rep"]
    if name in AUTHORITY_FIELDS:
        return rows["dept_name"]
    by_name = {"authority_id": "dept_uscc", "creditor_id": "other_uscc", "creditor_name": "other_name"}
    if name in by_name:
        return rows[by_name[name]]
    decision = rows["decision"]
    if name == "establishment_date":
        return pl.select(
            pl.min_horizontal(rows["registered_on"], decision).dt.strftime("%Y-%m-%d")
        ).to_series()
    if name == "evaluation_year":
        return (decision.dt.year() - 1).cast(pl.String)
    return None


def _by_type(spec: dict[str, Any], rows: pl.DataFrame, rng: random.Random, today: dt.date) -> pl.Series:
    """A value of the field's type (enums, amounts, dates …), or plausible text."""
    name, kind, n = spec["name"], spec["type"], rows.height
    decision = rows["decision"]
    if kind == "enum":
        return pick(rng, spec["enum"], n)
    if kind == "money":
        return pick(rng, AMOUNTS, n).cast(pl.String)
    if kind == "integer":
        return (ints(rng, n, 99) + 1).cast(pl.String)
    if kind == "boolean":
        return pick(rng, ["是", "否"], n)
    if kind == "date" and name in FUTURE_DATE_FIELDS:
        return _days_after(decision, ints(rng, n, 1470) + 30)
    if kind == "date":
        span = pl.select((pl.lit(today) - decision).dt.total_days()).to_series()
        return _days_after(decision, (ints(rng, n, 10**6) % (span + 1)).cast(pl.Int64))
    pooled = _text_pool(name, rows, rng)
    return pooled if pooled is not None else pl.repeat(f"{spec.get('label', name)}（演示）", n, eager=True)


def field_column(spec: dict[str, Any], rows: pl.DataFrame, rng: random.Random, today: dt.date) -> pl.Series:
    """The text of one catalog field for every row of ``rows`` (null where the record leaves it out).

    ``rows`` has subject_name, subject_code, legal_rep, registered_on, place, dept_name, dept_uscc,
    decision (Date), received (Date), year and two other organisations (other_name, other_uscc)."""
    name, kind, n = spec["name"], spec["type"], rows.height
    value = _from_rows(name, rows)
    if value is None:
        value = _by_type(spec, rows, rng, today)
    if spec.get("required") or name in ("authority_id", "creditor_id"):
        return value.cast(pl.String).alias(name)
    keep = ints(rng, n, 10) < (2 if kind == "date" and name not in FUTURE_DATE_FIELDS else 6)
    return pl.select(pl.when(keep).then(value.cast(pl.String))).to_series().alias(name)
