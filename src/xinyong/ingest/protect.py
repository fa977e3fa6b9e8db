"""Personal data never sits in record data in clear: the rule for one record and its vectorised twin.

A natural person's ``subject_id`` is stored masked (the subject row keeps the ID encrypted); citizen ID
fields and phone fields, and any string quoting a citizen ID or a mobile number in whatever format
(separators, widths: the one detector, ``kit.ids.personal_spans``), are encrypted whole (``enc:`` +
base64; the rule itself is ``kit.crypto.seal_values`` and its twin ``kit.crypto.seal_frame``).
``subject_id`` is never sealed: it is a masked ID or a validated USCC (public), and the key records are
matched by.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from xinyong.catalog.schema import CatalogItem, FieldType
from xinyong.kit import ids
from xinyong.kit.crypto import PersonalDataCipher, is_phone_field, seal_frame, seal_values


def always_sealed(item: CatalogItem) -> set[str]:
    """Fields sealed whatever their value: citizen ID fields and phone fields (never ``subject_id``)."""
    return {
        f.name
        for f in item.fields
        if f.name != "subject_id" and (f.type is FieldType.RIC or is_phone_field(f.name))
    }


def protect_values(
    item: CatalogItem, data: dict[str, Any], *, natural_person: bool, cipher: PersonalDataCipher | None
) -> dict[str, Any]:
    """One record's values as they are stored."""
    out = dict(data)
    if natural_person and out.get("subject_id"):
        out["subject_id"] = ids.mask_ric(str(out["subject_id"]))
    return seal_values(out, cipher, always=always_sealed(item), skip={"subject_id"})


def protect_frame(
    item: CatalogItem, frame: pl.DataFrame, *, person_rows: pl.Series, cipher: PersonalDataCipher | None
) -> pl.DataFrame:
    """A chunk's values as they are stored; ``person_rows`` is True where the subject is a natural person."""
    fields = [f.name for f in item.fields if f.name != "subject_id"]
    out = seal_frame(frame, fields, cipher, always=always_sealed(item))
    if "subject_id" in out.columns and person_rows.any():
        masked = [
            ids.mask_ric(v) if person and v is not None else v
            for v, person in zip(out["subject_id"].to_list(), person_rows.to_list(), strict=True)
        ]
        out = out.with_columns(pl.Series("subject_id", masked, dtype=pl.String))
    return out
