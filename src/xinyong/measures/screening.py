"""联合奖惩核查 (自动比对、自动拦截), the single check: one subject, one scenario, one purpose.

``screen_subject`` resolves the identifier (USCC, old code through 新旧码转换, citizen ID through its keyed
hash, or the exact normalised name), checks that the caller's department implements a measure of the
scenario (the credit office may screen any), checks the purpose (query log), applies ``rules.screen``
to the subject's facts and the current lists, and stores the answer with its number and proof code
(``audit.proofs``); the query log gets the read with target ``screening:<number>``.

``screen_facts`` is the same rule without storing or logging, for many subjects at once: the loop
baseline and the agreement test of the batch check call it.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable
from typing import Final

from sqlalchemy.orm import Session

from xinyong.audit import proofs
from xinyong.catalog.lists import DocumentKind, Measure, Scenario
from xinyong.catalog.lists_service import Lists, current_lists
from xinyong.catalog.service import current_version
from xinyong.departments import repository as departments
from xinyong.departments.service import department_ids_in_region
from xinyong.kit import ids
from xinyong.kit.clock import Clock
from xinyong.kit.crypto import PersonalDataCipher
from xinyong.kit.errors import Conflict, InvalidInput, NotFound
from xinyong.kit.ids.masking import fold_text, mask_digit_runs, mask_personal_text, mask_ric
from xinyong.measures import repository
from xinyong.measures.repository import EntryDetail, RecordDetail, SubjectFacts
from xinyong.measures.rules import SUSPEND_REASON_ZH, Outcome, Suspended, screen
from xinyong.measures.schemas import (
    DECISION_ZH,
    AppliedOut,
    DataVersion,
    ScreeningIn,
    ScreeningOut,
    ScreeningResult,
    ScreeningRow,
    ScreeningsPage,
    SubjectBrief,
    SuspendedOut,
    TriggerEntry,
    TriggerRecord,
    Verification,
    stored_content,
)
from xinyong.measures.version import data_version
from xinyong.models import Department, Severity, Subject
from xinyong.models.measures import Screening
from xinyong.models.subjects import SUBJECT_KIND_ZH
from xinyong.security import querylog
from xinyong.security.auth import Principal
from xinyong.security.roles import Purpose, Role
from xinyong.subjects.service import InvalidIdentifier, find_by_name, resolve

PROOF_KIND: Final = "screening"
#: The department kind of the credit office (信用办): it may screen in any scenario.
CREDIT_OFFICE_KIND: Final = "信用办"
#: The purpose a screening is logged with when the caller states none.
DEFAULT_PURPOSE: Final[dict[Scenario, Purpose]] = {
    Scenario.ADMINISTRATIVE_LICENSING: Purpose.administrative_approval,
    Scenario.GOVERNMENT_PROCUREMENT: Purpose.government_procurement,
    Scenario.TENDERING: Purpose.tendering,
    Scenario.PUBLIC_FUNDS: Purpose.public_funds,
    Scenario.AWARDS: Purpose.awards,
    Scenario.PUBLIC_RESOURCE_TRADING: Purpose.tendering,
    Scenario.RECRUITMENT: Purpose.recruitment,
    Scenario.MARKET_ACCESS: Purpose.administrative_approval,
    Scenario.FINANCING: Purpose.supervision,
    Scenario.BOND_ISSUANCE: Purpose.administrative_approval,
    Scenario.SUPERVISION: Purpose.supervision,
}
#: Characters an identifier typed as a code may hold (anything else is read as a name).
_CODE_CHARS: Final = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-")
TARGET: Final = "screening"


class ScenarioUnknown(InvalidInput):
    code = "SCREENING_SCENARIO_UNKNOWN"
    message = "应用场景不在规定范围内"


class SubjectNotFound(NotFound):
    code = "SCREENING_SUBJECT_NOT_FOUND"
    message = "未找到该信用主体：请核对统一社会信用代码、旧代码、身份证号码或主体全称"
    keep_changes = True


class NameAmbiguous(Conflict):
    code = "SCREENING_NAME_AMBIGUOUS"
    message = "该名称对应多个信用主体，请改用统一社会信用代码等代码核查"
    keep_changes = True


class ScreeningNotFound(NotFound):
    code = "SCREENING_NOT_FOUND"
    message = "未找到该核查记录（只能查看本部门的核查记录）"


#: The lists of each catalog version read so far, by (version id, digest): a version's scope items and
#: measures are written once, when it is imported, and its digest names its content.
_LISTS: dict[tuple[int, str], Lists] = {}
_LISTS_KEPT: Final = 16


def lists_in_force(session: Session) -> Lists:
    """``catalog.lists_service.current_lists``, read once per catalog version (one query after that)."""
    version = current_version(session)
    key = (version.id, version.digest)
    found = _LISTS.get(key)
    if found is None:
        found = current_lists(session)
        if found.version == version.version:
            if len(_LISTS) >= _LISTS_KEPT:
                _LISTS.clear()
            _LISTS[key] = found
    return found


def parse_scenario(text: str) -> Scenario:
    """A scenario by its stable value or its Chinese label (``government_procurement`` / ``政府采购``)."""
    try:
        return Scenario.from_text(text)
    except ValueError:
        labels = [s.label_zh for s in Scenario]
        raise ScenarioUnknown(
            f"应用场景“{text[:60]}”不在规定范围内；可选场景：{'、'.join(labels)}",
            details={"scenarios": [s.value for s in Scenario]},
        ) from None


def is_credit_office(principal: Principal) -> bool:
    return Role.platform_admin in principal.roles or principal.department_kind == CREDIT_OFFICE_KIND


def scenario_kinds(lists: Lists, scenario: Scenario) -> set[str]:
    """The department kinds that implement at least one measure of ``scenario``."""
    return {
        kind
        for measure in lists.measures.values()
        if scenario in measure.scenarios
        for kind in measure.implementing_department_kinds
    }


def may_screen(principal: Principal, lists: Lists, scenario: Scenario) -> bool:
    """The object check: the caller's department implements a measure of the scenario (or is the
    credit office)."""
    return is_credit_office(principal) or principal.department_kind in scenario_kinds(lists, scenario)


# --------------------------------------------------------------------------- the rule for many subjects


def outcome_of(facts: SubjectFacts, lists: Lists, scenario: Scenario, today: dt.date) -> Outcome:
    return screen(
        measures=list(lists.measures.values()),
        scenario=scenario,
        subject_type=facts.subject_type,
        records=facts.records,
        entries=facts.entries,
        today=today,
    )


def screen_facts(
    session: Session,
    subject_ids: Iterable[int],
    scenario: Scenario,
    today: dt.date,
    *,
    lists: Lists | None = None,
) -> dict[int, Outcome]:
    """``rules.screen`` for each subject of ``subject_ids`` (unknown ids left out), nothing stored or
    logged: the single check's rule, for the loop baseline and the batch agreement test."""
    lists = lists or lists_in_force(session)
    facts = repository.facts_of(session, subject_ids)
    return {sid: outcome_of(f, lists, scenario, today) for sid, f in facts.items()}


# --------------------------------------------------------------------------- finding the subject


def _looks_like_code(text: str) -> bool:
    folded = fold_text(text).replace(" ", "")
    return len(folded) in (9, 10, 15, 18) and set(folded) <= _CODE_CHARS and any(c.isdigit() for c in folded)


def masked_identifier(text: str) -> str:
    """The identifier as the stored request keeps it: a citizen ID masked, other codes and names as
    typed (with any ID or mobile number quoted in them masked)."""
    verdict = ids.classify(text)
    if verdict.kind == "ric":
        return mask_ric(verdict.value) if verdict.valid and verdict.value else mask_digit_runs(text)
    return mask_personal_text(text)


def _refuse(
    session: Session, principal: Principal, clock: Clock, *, subject_id: int | None, reason: str
) -> None:
    querylog.log_read(
        session, principal, subject_id=subject_id, target=TARGET, purpose=None,
        legal_basis=None, allowed=False, clock=clock, reason=reason,
    )  # fmt: skip


def find_subject(
    session: Session,
    principal: Principal,
    identifier: str,
    *,
    clock: Clock,
    cipher: PersonalDataCipher | None,
) -> Subject:
    """The subject an identifier names; a refusal (not found, ambiguous name) is logged."""
    text = identifier.strip()
    verdict = ids.classify(text)
    if verdict.valid:
        try:
            return resolve(session, text, cipher=cipher).subject
        except NotFound:
            _refuse(session, principal, clock, subject_id=None, reason="未找到该代码对应的信用主体")
            raise SubjectNotFound(details={"identifier": masked_identifier(text)}) from None
    found = find_by_name(session, text, limit=2)
    if not found and _looks_like_code(text):
        raise InvalidIdentifier(verdict)  # a code that fails its check, and no subject of that name
    if not found:
        _refuse(session, principal, clock, subject_id=None, reason="未找到该名称的信用主体")
        raise SubjectNotFound(details={"identifier": masked_identifier(text)})
    if len(found) > 1:
        _refuse(session, principal, clock, subject_id=None, reason="名称对应多个信用主体")
        raise NameAmbiguous(details={"identifier": masked_identifier(text)})
    return found[0]


# --------------------------------------------------------------------------- the answer


def measure_info(measure: Measure) -> dict[str, object]:
    return {
        "code": measure.code,
        "name": measure.name,
        "content": measure.content,
        "legal_basis": measure.legal_basis,
        "effect": measure.effect.value,
        "effect_label": measure.effect.label_zh,
        "nature": measure.nature.value,
        "nature_label": measure.nature.label_zh,
        "implementing_department_kinds": list(measure.implementing_department_kinds),
    }


def _doc_label(kind: str) -> str:
    try:
        return DocumentKind(kind).label_zh
    except ValueError:
        return kind


def entry_out(d: EntryDetail) -> TriggerEntry:
    return TriggerEntry(
        id=d.id, number=d.number, list_kind=d.list_kind, scope_code=d.scope_code, scope_name=d.scope_name,
        doc_kind=d.doc_kind, doc_kind_label=_doc_label(d.doc_kind), doc_no=d.doc_no, doc_date=d.doc_date,
        doc_issuer=d.doc_issuer, period_end=d.period_end,
    )  # fmt: skip


def record_out(d: RecordDetail) -> TriggerRecord:
    return TriggerRecord(
        id=d.id, item_code=d.item_code, item_name=d.item_name, severity=d.severity,
        severity_label=Severity(d.severity).label_zh, decision_no=d.decision_no,
        decision_date=d.decision_date,
    )  # fmt: skip


def _suspended_out(s: Suspended, facts: SubjectFacts) -> SuspendedOut:
    entry = facts.entry_details.get(s.source.id or 0) if s.source.kind == "entry" else None
    record = facts.record_details.get(s.source.id or 0) if s.source.kind == "record" else None
    return SuspendedOut.model_validate(
        {
            **measure_info(s.measure),
            "reason": s.reason,
            "reason_label": SUSPEND_REASON_ZH[s.reason],
            "entry": entry_out(entry) if entry else None,
            "record": record_out(record) if record else None,
        }
    )


def answer_parts(outcome: Outcome, facts: SubjectFacts) -> tuple[list[AppliedOut], list[SuspendedOut]]:
    """The applied measures with what triggered them, and the suspended ones with why."""
    applied = []
    for a in outcome.applied:
        entries = [facts.entry_details[s.id] for s in a.sources if s.kind == "entry" and s.id is not None]
        records = [facts.record_details[s.id] for s in a.sources if s.kind == "record" and s.id is not None]
        applied.append(
            AppliedOut.model_validate(
                {
                    **measure_info(a.measure),
                    "entries": [entry_out(e) for e in entries],
                    "records": [record_out(r) for r in records],
                    "clean": any(s.kind == "clean" for s in a.sources),
                }
            )
        )
    return applied, [_suspended_out(s, facts) for s in outcome.suspended]


def subject_brief(subject: Subject) -> SubjectBrief:
    return SubjectBrief(
        id=subject.id,
        name=subject.name,
        kind=subject.kind.value,
        kind_label=SUBJECT_KIND_ZH.get(subject.kind, subject.kind.value),
        uscc=subject.uscc,
    )


# --------------------------------------------------------------------------- the single check


def _purpose(
    session: Session, principal: Principal, body: ScreeningIn, scenario: Scenario, lists: Lists, *,
    subject_id: int, clock: Clock,
) -> tuple[Purpose, str]:  # fmt: skip
    """The checked purpose and legal basis; the scenario's object check first (both refusals logged)."""
    stated = (body.purpose or "").strip() or DEFAULT_PURPOSE[scenario].value
    basis = (body.legal_basis or "").strip() or f"{scenario.label_zh}联合奖惩核查（措施清单 {lists.version}）"
    if body.case_ref:
        basis = f"{basis}；办理事项：{body.case_ref.strip()}"
    if not may_screen(principal, lists, scenario):
        raise querylog.refuse(
            session, principal, subject_id=subject_id, target=TARGET, purpose=None, legal_basis=basis,
            clock=clock, code="SCREENING_SCENARIO_NOT_YOURS",
            message=f"本部门不是“{scenario.label_zh}”场景任何措施的实施部门，不能在该场景核查",
        )  # fmt: skip
    why = querylog.require_purpose(
        session, principal, stated, subject_id=subject_id, target=TARGET, legal_basis=basis, clock=clock
    )
    return why, basis


def _department_name(session: Session, department_id: int | None) -> str | None:
    dept = departments.by_id(session, department_id) if department_id is not None else None
    return dept.name if dept else None


def _pending_row(
    principal: Principal, subject: Subject, scenario: Scenario, purpose: Purpose, clock: Clock
) -> Screening:
    placeholder = f"pending-{secrets.token_hex(12)}"
    return Screening(
        number=placeholder, code=placeholder, at=clock.now(), user_id=principal.user_id,
        username=principal.username, department_id=principal.department_id, subject_id=subject.id,
        scenario=scenario.value, purpose=purpose.value, decision="pass", request={}, result={},
        data_version={},
    )  # fmt: skip


def screen_subject(
    session: Session,
    principal: Principal,
    *,
    identifier: str,
    scenario: str,
    purpose: str | None,
    clock: Clock,
    cipher: PersonalDataCipher | None = None,
    legal_basis: str | None = None,
    case_ref: str | None = None,
) -> ScreeningOut:
    """One check (module docstring): stored, signed and logged; the answer with its number and code."""
    body = ScreeningIn(
        identifier=identifier, scenario=scenario, purpose=purpose, legal_basis=legal_basis, case_ref=case_ref
    )
    return run(session, principal, body, clock=clock, cipher=cipher)


def run(
    session: Session,
    principal: Principal,
    body: ScreeningIn,
    *,
    clock: Clock,
    cipher: PersonalDataCipher | None,
) -> ScreeningOut:
    """``screen_subject`` with the request as the API received it."""
    scenario = parse_scenario(body.scenario)
    lists = lists_in_force(session)
    subject = find_subject(session, principal, body.identifier, clock=clock, cipher=cipher)
    purpose, basis = _purpose(session, principal, body, scenario, lists, subject_id=subject.id, clock=clock)
    version = data_version(session)
    facts = repository.facts_of(session, [subject.id])[subject.id]
    outcome = outcome_of(facts, lists, scenario, clock.today())
    applied, suspended = answer_parts(outcome, facts)
    row = repository.add_screening(session, _pending_row(principal, subject, scenario, purpose, clock))
    row.number = f"SC-{clock.today():%Y%m%d}-{row.id:06d}"
    result = ScreeningResult(
        number=row.number, at=clock.now().isoformat(),
        department=_department_name(session, row.department_id),
        subject=subject_brief(subject), scenario=scenario.value, scenario_label=scenario.label_zh,
        purpose=purpose.value, case_ref=body.case_ref, decision=outcome.decision.value,
        decision_label=DECISION_ZH[outcome.decision.value], measures=applied, suspended=suspended,
        clean=outcome.clean, data_version=DataVersion.model_validate(version),
    )  # fmt: skip
    request = body.model_dump(mode="json") | {"identifier": masked_identifier(body.identifier)}
    row.request, row.result, row.data_version = request, result.model_dump(mode="json"), version
    row.decision = outcome.decision.value
    session.flush()
    row.code = proofs.sign(PROOF_KIND, row.number, stored_content(row))
    session.flush()
    querylog.log_read(
        session, principal, subject_id=subject.id, target=f"{TARGET}:{row.number}", purpose=purpose,
        legal_basis=basis, allowed=True, clock=clock,
    )  # fmt: skip
    return as_out(row)


# --------------------------------------------------------------------------- stored checks


def as_out(row: Screening) -> ScreeningOut:
    return ScreeningOut.model_validate(
        {**row.result, "id": row.id, "code": row.code, "username": row.username}
    )


def _readable(session: Session, principal: Principal, row: Screening | None) -> Screening:
    """A stored single check the caller may see: its own department's, or, for the credit office, one of
    a department in its region."""
    if row is None or row.batch_id is not None:
        raise ScreeningNotFound()
    if is_credit_office(principal):
        dept = session.get(Department, row.department_id) if row.department_id is not None else None
        if dept is None or not principal.in_region(dept.region_code):
            raise ScreeningNotFound()
        return row
    if principal.department_id is None or row.department_id != principal.department_id:
        raise ScreeningNotFound()
    return row


def stored_screening(
    session: Session, principal: Principal, screening_id: int, *, clock: Clock
) -> ScreeningOut:
    """A stored check as it was answered; reading it again is logged (it names the subject's records)."""
    row = _readable(session, principal, repository.screening(session, screening_id))
    querylog.log_read(
        session, principal, subject_id=row.subject_id, target=f"{TARGET}:{row.number}",
        purpose=Purpose(row.purpose), legal_basis=f"查看已存核查结果 {row.number}", allowed=True, clock=clock,
    )  # fmt: skip
    return as_out(row)


def is_intact(row: Screening) -> bool:
    """Whether the stored content still gives the stored code."""
    content = stored_content(row)
    return proofs.verify(PROOF_KIND, row.number, content, row.code)


def verification(session: Session, principal: Principal, screening_id: int) -> Verification:
    """The code recomputed over the stored content: ``valid``, or ``altered`` when anything changed."""
    row = _readable(session, principal, repository.screening(session, screening_id))
    ok = is_intact(row)
    message = (
        "核验通过：存储的核查内容与验证码一致，自核查时起未被改动"
        if ok
        else "核验未通过：存储的核查内容与验证码不一致，内容已被改动"
    )
    return Verification(
        id=row.id,
        number=row.number,
        code=row.code,
        status="valid" if ok else "altered",
        valid=ok,
        message=message,
    )


def screenings(session: Session, principal: Principal, *, limit: int, offset: int) -> ScreeningsPage:
    """The department's single checks, newest first (the credit office: those of its region's
    departments)."""
    if is_credit_office(principal):
        depts = department_ids_in_region(session, principal.region_prefix)
    else:
        depts = [principal.department_id] if principal.department_id is not None else []
    total, rows = repository.screenings_of(session, depts, limit=limit, offset=offset)
    items = [
        ScreeningRow(
            id=r.id,
            number=r.number,
            at=r.at,
            username=r.username,
            subject_name=str(r.result.get("subject", {}).get("name", "")),
            scenario=r.scenario,
            scenario_label=_scenario_label(r.scenario),
            purpose=r.purpose,
            decision=r.decision,
            decision_label=DECISION_ZH.get(r.decision, r.decision),
        )
        for r in rows
    ]
    return ScreeningsPage(total=total, items=items)


def _scenario_label(value: str) -> str:
    try:
        return Scenario(value).label_zh
    except ValueError:
        return value
