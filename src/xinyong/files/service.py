"""A subject's credit file (信用档案) as each kind of reader may see it.

Who sees which records (domain.md 5.12):

- the public: records of items whose openness is 公开, inside their publication window;
- a credit service agency with a live grant: that, plus active records of 授权查询 items;
- staff with ``subjects:read``: every record whose source department lies in their data range, and
  an organisation's published records; a natural person's file and records only inside the range (a
  person is never public, so a person without a record from the caller's range is answered exactly as
  a subject that does not exist: 404, and the refused read is logged);
- the subject itself: its whole file.

Every read beyond the public view passes ``security.querylog.guarded_read``: it is logged with its
purpose, and refused (and logged) without one, outside the data range or without a live grant.

Personal data is masked in every view: citizen IDs as 3201**********123X, phone numbers as 138****5678;
encrypted values in record data (``enc:...``) are decrypted only to be masked.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection
from typing import Any

from sqlalchemy.orm import Session

from xinyong.catalog.schema import Category, FieldType, Openness
from xinyong.files import repository
from xinyong.files.schemas import (
    MAX_LIMIT,
    FieldOut,
    FileOut,
    FilePage,
    LatestOut,
    PublicRecordOut,
    RecordOut,
    TabOut,
    View,
)
from xinyong.files.tabs import CLAIMED, TABS, Tab, tab_by_key
from xinyong.kit import ids
from xinyong.kit.clock import Clock
from xinyong.kit.crypto import ENC_PREFIX, CryptoError, PersonalDataCipher, mask_field_value, unseal
from xinyong.kit.errors import InvalidInput, NotFound, RecordedRefusal
from xinyong.models import Authorisation, CatalogItemRow, CreditRecord, Department, Subject
from xinyong.models.records import RecordStatus, Severity
from xinyong.records.rules import is_visible
from xinyong.security import grants, querylog
from xinyong.security.auth import Principal
from xinyong.security.roles import Purpose
from xinyong.security.service import own_subject_id
from xinyong.subjects.schemas import public_subject, subject_out

#: What a read of a whole file is logged as (``target`` in the query log).
FILE_TARGET = "subject_file"
#: A record's status as the pages name it.
STATUS_ZH = {
    RecordStatus.active: "有效",
    RecordStatus.revoked: "已撤销",
    RecordStatus.repaired: "已修复",
    RecordStatus.expired: "公示期满",
}


def _field_types(item: CatalogItemRow) -> dict[str, str]:
    return {f["name"]: f.get("type", "string") for f in item.spec.get("fields", [])}


def masked_data(
    item: CatalogItemRow, data: dict[str, Any], cipher: PersonalDataCipher | None
) -> dict[str, Any]:
    """Record data fit to show: ID and phone fields masked, encrypted values (``enc:``: ID and phone
    fields, and any text quoting an ID or a mobile number) decrypted only to be masked, and any citizen ID
    or mobile number in free text masked."""
    types = _field_types(item)
    out: dict[str, Any] = {}
    for name, value in data.items():
        if isinstance(value, str) and value.startswith(ENC_PREFIX):
            plain: str | None = None
            if cipher is not None:
                try:
                    plain = unseal(cipher, value)
                except CryptoError:
                    plain = None
            out[name] = "（已加密）" if plain is None else _masked_value(types.get(name), name, plain)
        elif isinstance(value, str):
            out[name] = _masked_value(types.get(name), name, value)
        else:
            out[name] = value
    return out


def _masked_value(field_type: str | None, name: str, value: str) -> str:
    return mask_field_value(name, value, is_ric=field_type == FieldType.RIC.value)


def record_out(
    record: CreditRecord, item: CatalogItemRow, dept_name: str, cipher: PersonalDataCipher | None
) -> RecordOut:
    return RecordOut(
        id=record.id,
        item_code=item.code,
        item_name=item.name,
        category=item.category,
        category_zh=_category_zh(item.category),
        openness=item.openness,
        source_department=dept_name,
        status=record.status.value,
        status_zh=STATUS_ZH[record.status],
        severity=record.severity.value if record.severity else None,
        severity_zh=Severity(record.severity).label_zh if record.severity else None,
        decision_no=ids.mask_personal_text(record.decision_no) if record.decision_no else None,
        decision_date=record.decision_date,
        publish_from=record.publish_from,
        publish_max_end=record.publish_max_end,
        version=record.version,
        data=masked_data(item, record.data, cipher),
    )


def _category_zh(category: str) -> str:
    try:
        return Category(category).label_zh
    except ValueError:
        return category


def shown_to(
    view: View,
    record: CreditRecord,
    item: CatalogItemRow,
    dept: Department,
    today: dt.date,
    in_range: bool,
    *,
    person: bool = False,
) -> bool:
    """The one rule of which record each view shows (see the module docstring). ``person``: the record
    is about a natural person, whose records staff see only inside their range."""
    public_now = item.openness == Openness.PUBLIC.value and is_visible(record, today)
    if view is View.public:
        return public_now and not person
    if view is View.agency:
        return public_now or (
            item.openness == Openness.AUTHORISED.value and record.status is RecordStatus.active
        )
    if view is View.staff:
        return in_range or (public_now and not person)
    return True


class Hidden(NotFound):
    """A subject or record outside the reader's range, answered exactly as one that does not exist; the
    refused read stays in the query log."""

    keep_changes = True


#: The answers to a subject or record that does not exist or that the reader may not know of.
SUBJECT_NOT_FOUND_MESSAGE = "信用主体不存在"
RECORD_NOT_FOUND_MESSAGE = "信用记录不存在"
OUT_OF_RANGE = "OUT_OF_DATA_RANGE"


def _read_or_hidden(
    session: Session,
    principal: Principal,
    *,
    subject_id: int,
    target: str,
    why: querylog.Stated,
    clock: Clock,
    check: querylog.AccessCheck,
    not_found: tuple[str, str],
) -> None:
    """A guarded read whose out-of-range refusal reaches the caller as not found (``not_found``: message,
    code); other refusals (no purpose) as they are. Logged either way."""
    try:
        querylog.guarded_read(
            session, principal, subject_id=subject_id, target=target, why=why, clock=clock, check=check
        )
    except RecordedRefusal as exc:
        if exc.code == OUT_OF_RANGE:
            raise Hidden(not_found[0], code=not_found[1]) from None
        raise


class PageInvalid(InvalidInput):
    code = "FILE_PAGE_INVALID"


def checked_tab(page: FilePage) -> Tab | None:
    """The tab ``page`` asks for (None: every tab); a tab that does not exist, or a limit or offset out
    of range, is refused (422) before anything is read."""
    if not 1 <= page.limit <= MAX_LIMIT or page.offset < 0:
        raise PageInvalid(f"每页条数应为 1 至 {MAX_LIMIT}，起始位置不能为负数")
    return tab_by_key(page.tab) if page.tab is not None else None


def credit_file(
    session: Session,
    subject: Subject,
    view: View,
    *,
    today: dt.date,
    cipher: PersonalDataCipher | None,
    in_range: Callable[[Department], bool] | None = None,
    page: FilePage = FilePage(),
) -> FileOut:
    """One page of the subject's file as ``view`` sees it: ``page.limit`` records of ``page.tab`` from
    ``page.offset``, with every tab's count. ``in_range(source_department) -> bool`` is the staff
    caller's data range (``Principal.in_range``); other views ignore it. Logs nothing: the reader
    functions below do."""
    tab = checked_tab(page)
    person = not public_subject(subject)
    in_range_ids = (
        [d.id for d in repository.source_departments(session, subject.id) if in_range(d)]
        if view is View.staff and in_range is not None
        else []
    )
    items = repository.catalog_items(session)
    shown = repository.shown_clause(view, items, today=today, person=person, in_range_dept_ids=in_range_ids)
    counts = repository.counts_by_category(session, subject.id, items, shown)
    tabs = [TabOut(key=t.key, label=t.label, total=_tab_total(t, counts)) for t in TABS]
    total = sum(counts.values()) if tab is None else _tab_total(tab, counts)
    rows = repository.records_page(
        session, subject.id, items, shown, tab, limit=page.limit, offset=page.offset
    )
    return FileOut(
        subject=subject_out(subject, cipher),
        view=view,
        tab=tab.key if tab else None,
        tabs=tabs,
        total=total,
        limit=page.limit,
        offset=page.offset,
        records=[record_out(record, item, dept.name, cipher) for record, item, dept in rows],
    )


def _tab_total(tab: Tab, counts: dict[str, int]) -> int:
    if tab.categories is None:
        return sum(n for category, n in counts.items() if category not in CLAIMED)
    return sum(n for category, n in counts.items() if category in tab.categories)


def _subject(session: Session, subject_id: int) -> Subject:
    subject = repository.subject_by_id(session, subject_id)
    if subject is None:
        raise NotFound(SUBJECT_NOT_FOUND_MESSAGE, code="SUBJECT_NOT_FOUND")
    return subject


def _person_in_range(session: Session, principal: Principal, subject: Subject) -> bool:
    """Whether a natural person has a record from a department in the caller's data range."""
    return any(principal.in_range(dept) for dept in repository.source_departments(session, subject.id))


def public_file(
    session: Session,
    subject_id: int,
    *,
    today: dt.date,
    cipher: PersonalDataCipher,
    page: FilePage = FilePage(),
) -> FileOut:
    """What anyone may see of an organisation: its published records. Natural persons are not shown.

    Published text that quotes an ID or a phone is stored sealed; it is decrypted here only to be shown
    masked (``masked_data``), never in full."""
    subject = repository.subject_by_id(session, subject_id)
    if subject is None or not public_subject(subject):
        raise NotFound("信用主体不存在或不予公示", code="SUBJECT_NOT_FOUND")
    return credit_file(session, subject, View.public, today=today, cipher=cipher, page=page)


def public_record(
    session: Session, record_id: int, *, today: dt.date, cipher: PersonalDataCipher
) -> PublicRecordOut:
    """One record as anyone may see it: a published record of an organisation, its values labelled; any
    other record (unpublished, out of its window, a natural person's) is not found."""
    found = repository.record_by_id(session, record_id)
    subject = repository.subject_by_id(session, found[0].subject_id) if found is not None else None
    if found is None or subject is None or not public_subject(subject):
        raise NotFound(RECORD_NOT_FOUND_MESSAGE, code="RECORD_NOT_FOUND")
    record, item, dept = found
    if not shown_to(View.public, record, item, dept, today, False):
        raise NotFound(RECORD_NOT_FOUND_MESSAGE, code="RECORD_NOT_FOUND")
    out = record_out(record, item, dept.name, cipher)
    labels = {f["name"]: f.get("label", f["name"]) for f in item.spec.get("fields", [])}
    fields = [
        FieldOut(name=name, label=labels.get(name, name), value=value) for name, value in out.data.items()
    ]
    return PublicRecordOut(subject=subject_out(subject, cipher), record=out, fields=fields)


def staff_file(
    session: Session,
    principal: Principal,
    subject_id: int,
    why: querylog.Stated,
    *,
    clock: Clock,
    cipher: PersonalDataCipher,
    page: FilePage = FilePage(),
) -> FileOut:
    """A department's read of a page of a subject's file: every record from its data range, plus what is
    public; with a stated purpose and legal basis, logged. A natural person without a record from the
    caller's range is not found (the refusal is logged)."""
    checked_tab(page)
    subject = _subject(session, subject_id)

    def person_in_range(access: querylog.Access) -> querylog.Access | querylog.Denied:
        if public_subject(subject) or _person_in_range(session, principal, subject):
            return access
        return querylog.Denied(OUT_OF_RANGE, "该自然人不在本账户的数据范围内")

    _read_or_hidden(
        session,
        principal,
        subject_id=subject.id,
        target=FILE_TARGET,
        why=why,
        clock=clock,
        check=person_in_range,
        not_found=(SUBJECT_NOT_FOUND_MESSAGE, "SUBJECT_NOT_FOUND"),
    )
    return credit_file(
        session,
        subject,
        View.staff,
        today=clock.today(),
        cipher=cipher,
        in_range=principal.in_range,
        page=page,
    )


def staff_record(
    session: Session,
    principal: Principal,
    record_id: int,
    why: querylog.Stated,
    *,
    clock: Clock,
    cipher: PersonalDataCipher,
) -> RecordOut:
    """A department's read of one record: when the record is neither in the caller's data range nor
    public now (a natural person's never is), the caller is told it does not exist; the refusal is
    logged."""
    found = repository.record_by_id(session, record_id)
    if found is None:
        raise NotFound(RECORD_NOT_FOUND_MESSAGE, code="RECORD_NOT_FOUND")
    record, item, dept = found
    today = clock.today()
    person = not public_subject(_subject(session, record.subject_id))

    def in_range_or_public(access: querylog.Access) -> querylog.Access | querylog.Denied:
        if shown_to(View.staff, record, item, dept, today, principal.in_range(dept), person=person):
            return access
        return querylog.Denied(OUT_OF_RANGE, "该记录不在本账户的数据范围内，且未公开")

    _read_or_hidden(
        session,
        principal,
        subject_id=record.subject_id,
        target=f"credit_record:{record.id}",
        why=why,
        clock=clock,
        check=in_range_or_public,
        not_found=(RECORD_NOT_FOUND_MESSAGE, "RECORD_NOT_FOUND"),
    )
    return record_out(record, item, dept.name, cipher)


def own_file(
    session: Session,
    principal: Principal,
    *,
    clock: Clock,
    cipher: PersonalDataCipher,
    page: FilePage = FilePage(),
) -> FileOut:
    """A page of a subject account's own file, every record (本人查询, logged)."""
    checked_tab(page)
    subject = _subject(session, own_subject_id(session, principal))
    querylog.guarded_read(
        session,
        principal,
        subject_id=subject.id,
        target=FILE_TARGET,
        why=querylog.Access(Purpose.self_query),
        clock=clock,
    )
    return credit_file(session, subject, View.own, today=clock.today(), cipher=cipher, page=page)


def _grant_access(grant: Authorisation | None) -> querylog.Access | querylog.Denied:
    """An agency's read is allowed by a live grant, and logged with the grant's own purpose."""
    if grant is None:
        return querylog.Denied(
            "AUTHORISATION_REQUIRED", "没有该信用主体的有效授权（未授权、已过期或已撤回），不能查询"
        )
    basis = f"信用主体授权（授权编号 {grant.id}，有效期至 {grant.valid_until.isoformat()}）"
    return querylog.Access(Purpose(grant.purpose), basis)


def agency_file(
    session: Session,
    principal: Principal,
    subject_id: int,
    *,
    clock: Clock,
    cipher: PersonalDataCipher,
    page: FilePage = FilePage(),
) -> FileOut:
    """A credit service agency's read of a page of a file with the subject's live grant (授权查询),
    logged; without one, refused and logged. A subject that does not exist gets the same logged refusal:
    an agency learns nothing by probing."""
    checked_tab(page)
    today = clock.today()
    subject = repository.subject_by_id(session, subject_id)
    grant = (
        grants.live_grant(session, subject_id=subject.id, agency_user_id=principal.account_id(), today=today)
        if subject is not None
        else None
    )
    querylog.guarded_read(
        session,
        principal,
        subject_id=subject.id if subject is not None else None,
        target=FILE_TARGET if subject is not None else f"{FILE_TARGET}:{subject_id}（主体不存在）",
        why=querylog.Access(Purpose.authorised_query),
        clock=clock,
        check=lambda _access: _grant_access(grant),
    )
    return credit_file(
        session, _subject(session, subject_id), View.agency, today=today, cipher=cipher, page=page
    )


def latest_public(
    session: Session, categories: Collection[str], *, today: dt.date, days: int, limit: int
) -> list[LatestOut]:
    """The newest records of ``categories`` decided in the last ``days`` days that the public may see
    today, newest first (organisations only)."""
    since = today - dt.timedelta(days=days)
    rows = repository.latest_public(session, categories, since=since, today=today, limit=limit * 3)
    shown = [
        LatestOut(
            record_id=record.id,
            subject_id=subject.id,
            subject_name=subject.name,
            item_name=item.name,
            source_department=dept.name,
            decision_date=record.decision_date,
        )
        for record, item, dept, subject in rows
        if public_subject(subject)
    ]
    return shown[:limit]
