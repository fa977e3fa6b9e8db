"""A subject's credit file (信用档案) as each kind of reader may see it.

Who sees which records (domain.md 5.12):

- the public: records of items whose openness is 公开, inside their publication window;
- a credit service agency with a live grant: that, plus active records of 授权查询 items;
- staff with ``subjects:read``: every record whose source department lies in their data range;
- the subject itself: its whole file.

Personal data is masked in every view: citizen IDs as 3201**********123X, phone numbers as 138****5678;
encrypted values in record data (``enc:...``) are decrypted only to be masked.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong.catalog.schema import FieldType, Openness
from xinyong.kit import ids
from xinyong.kit.crypto import ENC_PREFIX, CryptoError, PersonalDataCipher, mask_field_value, unseal
from xinyong.models import CatalogItemRow, CreditRecord, Department, Subject
from xinyong.models.records import RecordStatus
from xinyong.models.subjects import SUBJECT_KIND_ZH, SubjectKind
from xinyong.records.service import is_visible


class View(enum.StrEnum):
    public = "public"
    agency = "agency"
    staff = "staff"
    own = "own"


class SubjectOut(BaseModel):
    id: int
    kind: str
    kind_zh: str
    name: str
    uscc: str | None
    #: Masked citizen ID (natural persons only).
    ric_masked: str | None
    phone_masked: str | None
    region_code: str | None
    legal_representative: str | None


class RecordOut(BaseModel):
    id: int
    item_code: str
    item_name: str
    category: str
    openness: str
    source_department: str
    status: str
    severity: str | None
    decision_no: str | None
    decision_date: dt.date
    publish_from: dt.date | None
    publish_max_end: dt.date | None
    version: int
    data: dict[str, Any]


class FileOut(BaseModel):
    subject: SubjectOut
    view: View
    records: list[RecordOut]


def _decrypt_masked(cipher: PersonalDataCipher | None, blob: bytes | None, mask: Any) -> str | None:
    if blob is None or cipher is None:
        return None
    try:
        result: str = mask(cipher.decrypt(blob))
        return result
    except CryptoError:
        return "（无法解密）"


def subject_out(subject: Subject, cipher: PersonalDataCipher | None) -> SubjectOut:
    return SubjectOut(
        id=subject.id,
        kind=subject.kind.value,
        kind_zh=SUBJECT_KIND_ZH[subject.kind],
        name=subject.name,
        uscc=subject.uscc,
        ric_masked=_decrypt_masked(cipher, subject.ric_encrypted, ids.mask_ric),
        phone_masked=_decrypt_masked(cipher, subject.phone_encrypted, ids.mask_phone),
        region_code=subject.region_code,
        legal_representative=subject.legal_representative,
    )


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
        openness=item.openness,
        source_department=dept_name,
        status=record.status.value,
        severity=record.severity.value if record.severity else None,
        decision_no=ids.mask_personal_text(record.decision_no) if record.decision_no else None,
        decision_date=record.decision_date,
        publish_from=record.publish_from,
        publish_max_end=record.publish_max_end,
        version=record.version,
        data=masked_data(item, record.data, cipher),
    )


def shown_to(
    view: View, record: CreditRecord, item: CatalogItemRow, dept: Department, today: dt.date, in_range: bool
) -> bool:
    """The one rule of which record each view shows (see the module docstring)."""
    public_now = item.openness == Openness.PUBLIC.value and is_visible(record, today)
    if view is View.public:
        return public_now
    if view is View.agency:
        return public_now or (
            item.openness == Openness.AUTHORISED.value and record.status is RecordStatus.active
        )
    if view is View.staff:
        return in_range or public_now
    return True


def credit_file(
    session: Session,
    subject: Subject,
    view: View,
    *,
    today: dt.date,
    cipher: PersonalDataCipher | None,
    in_range: Callable[[Department], bool] | None = None,
) -> FileOut:
    """The subject's file as ``view`` sees it. ``in_range(source_department) -> bool`` is the staff
    caller's data range (``Principal.in_range``); other views ignore it."""
    rows = session.execute(
        select(CreditRecord, CatalogItemRow, Department)
        .join(CatalogItemRow, CatalogItemRow.id == CreditRecord.catalog_item_id)
        .join(Department, Department.id == CreditRecord.source_dept_id)
        .where(CreditRecord.subject_id == subject.id)
        .order_by(CreditRecord.decision_date.desc(), CreditRecord.id.desc())
    )
    records = [
        record_out(record, item, dept.name, cipher)
        for record, item, dept in rows
        if shown_to(view, record, item, dept, today, in_range is not None and in_range(dept))
    ]
    return FileOut(subject=subject_out(subject, cipher), view=view, records=records)


def public_subject(subject: Subject) -> bool:
    """Natural persons are never listed on the public portal (privacy); organisations are."""
    return subject.kind is not SubjectKind.natural_person
