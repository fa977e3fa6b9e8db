"""The Chinese labels of a credit file's record values (the catalog's field labels), for the pages."""

from __future__ import annotations

from typing import Final

from sqlalchemy.orm import Session

from xinyong.catalog.terms import Openness
from xinyong.files.schemas import RecordOut
from xinyong.space import repository


def field_labels(session: Session, records: list[RecordOut]) -> dict[str, dict[str, str]]:
    """The Chinese label of each field of the records' catalog items (item code -> name -> label)."""
    return repository.field_labels(session, {r.item_code for r in records})


#: 公开, 授权查询, 政务共享, 不公开 (a record's openness, from its catalog item).
OPENNESS_ZH: Final = {o.value: o.label_zh for o in Openness}
