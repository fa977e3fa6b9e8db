"""The texts a list entry carries: the notice before listing (告知) and the decision (认定决定), pure.

Both are stored on the entry as JSON (``notice``, ``decision``) with the parts separately (so pages show
them as facts) and one ``text`` to read. Seed 004 §三(五): the subject is told the reason, the basis
and its rights before listing; the decision states the reason, the basis, the measures that follow,
the exit conditions and procedure, and the remedies.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Final

from xinyong.catalog.lists import DocumentKind, ListScope, Measure
from xinyong.models.lists import ListEntry, ListKind

#: Working days the subject has to state its case or object after the notice (告知后提出陈述、申辩和异议的
#:期限). The seeds name no number for a listing notice; 5 working days is the usual local practice (and
#: the credit office's deadline to pass on a corrected error, seed 000 §二(十)).
OBJECTION_WORKDAYS: Final = 5
LIST_ZH: Final = {ListKind.black: "严重失信主体名单（黑名单）", ListKind.red: "诚信典型名单（红名单）"}
RIGHTS: Final = ("陈述", "申辩", "提出异议")
REMEDIES: Final = (
    {
        "name": "行政复议",
        "time_limit": "自知道该决定之日起六十日内",
        "basis": "《中华人民共和国行政复议法》第二十条",
    },
    {
        "name": "行政诉讼",
        "time_limit": "自知道该决定之日起六个月内",
        "basis": "《中华人民共和国行政诉讼法》第四十六条",
    },
)
EXIT_PROCEDURE: Final = (
    "列入期限届满的，由本平台自动移出，不再公示、共享和适用相关措施；符合提前移出条件的，"
    "可向认定部门申请信用修复，认定部门自受理之日起十个工作日内作出决定；"
    "认定决定被依法撤销的，由认定部门撤销列入并通知本平台。"
)


def document_of(entry: ListEntry) -> dict[str, str]:
    """The legal document the entry rests on, with its kind's Chinese name."""
    return {
        "kind": entry.doc_kind,
        "kind_zh": DocumentKind(entry.doc_kind).label_zh,
        "number": entry.doc_no,
        "date": entry.doc_date.isoformat(),
        "issuer": entry.doc_issuer,
    }


def _document_phrase(document: dict[str, str]) -> str:
    return f"{document['issuer']}{document['date']}作出的{document['kind_zh']}（{document['number']}）"


def notice(
    entry: ListEntry, scope: ListScope, subject_name: str, dept_name: str, due: dt.date
) -> dict[str, Any]:
    """告知书: reason, basis (the scope item's legal basis and the document), rights, the deadline."""
    document = document_of(entry)
    list_zh = LIST_ZH[entry.list_kind]
    text = (
        f"{subject_name}：本机关（{dept_name}）拟依据{scope.legal_basis}，将你（单位）列入{list_zh}"
        f"（{scope.code} {scope.name}）。事由：{entry.reason}。依据：{_document_phrase(document)}。"
        f"你（单位）有权进行{'、'.join(RIGHTS)}，请于 {due.isoformat()}（含当日）前向本机关或信用平台提出；"
        "逾期未提出的，视为放弃上述权利。异议处理期间，不作出认定决定。"
    )
    return {
        "subject": subject_name,
        "department": dept_name,
        "list_kind": entry.list_kind.value,
        "list_zh": list_zh,
        "scope": {"code": scope.code, "name": scope.name, "conduct": scope.conduct},
        "reason": entry.reason,
        "basis": {"legal_basis": scope.legal_basis, "document": document},
        "rights": list(RIGHTS),
        "objection_workdays": OBJECTION_WORKDAYS,
        "objection_due": due.isoformat(),
        "text": text,
    }


def measure_out(measure: Measure) -> dict[str, str]:
    return {
        "code": measure.code,
        "name": measure.name,
        "content": measure.content,
        "legal_basis": measure.legal_basis,
    }


def decision(
    entry: ListEntry,
    scope: ListScope,
    measures: list[Measure],
    subject_name: str,
    dept_name: str,
    period: tuple[dt.date, dt.date],
) -> dict[str, Any]:
    """认定决定书: reason, basis, the measures that follow, exit conditions and procedure, remedies."""
    document = document_of(entry)
    list_zh = LIST_ZH[entry.list_kind]
    start, end = period
    names = "、".join(m.name for m in measures) or "无"
    remedies = "；".join(f"{r['time_limit']}依法申请{r['name']}" for r in REMEDIES)
    text = (
        f"{subject_name}：经本机关（{dept_name}）认定，依据{scope.legal_basis}，将你（单位）列入{list_zh}"
        f"（{scope.code} {scope.name}），列入期限自 {start.isoformat()} 至 {end.isoformat()}。"
        f"事由：{entry.reason}。依据：{_document_phrase(document)}。"
        f"列入后依法适用的措施：{names}。移出条件：{scope.exit_conditions}。移出程序：{EXIT_PROCEDURE}"
        f"如不服本决定，可{remedies}。"
    )
    return {
        "subject": subject_name,
        "department": dept_name,
        "list_kind": entry.list_kind.value,
        "list_zh": list_zh,
        "scope": {"code": scope.code, "name": scope.name},
        "reason": entry.reason,
        "basis": {"legal_basis": scope.legal_basis, "document": document},
        "measures": [measure_out(m) for m in measures],
        "period": {"start": start.isoformat(), "end": end.isoformat(), "months": scope.period_months},
        "exit_conditions": scope.exit_conditions,
        "exit_procedure": EXIT_PROCEDURE,
        "remedies": [dict(r) for r in REMEDIES],
        "review_note": entry.review_note,
        "text": text,
    }
