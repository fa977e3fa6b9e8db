"""未成年人不纳入失信名单 (seed 004 §三(一); the note of SF-003): the check applied at intake.

An item whose catalog entry says ``minors_excluded`` refuses a record that names a person under 18 on
the record's decision date. The age rule is kit.ids.is_minor (18 is reached on the birthday; someone
born on 29 February turns 18 on 1 March), called once per distinct (citizen ID, date).
"""

from __future__ import annotations

from typing import Final

import polars as pl

from xinyong.catalog.schema import CatalogItem
from xinyong.kit import ids

MINOR_EXCLUDED: Final = "INGEST_MINOR_EXCLUDED"
MINOR_REASON: Final = "「{label}」对应的自然人在决定日期未满 18 周岁：未成年人不纳入失信名单，本条不予归集"


def minor_codes(
    item: CatalogItem, subject_ids: pl.Series, kinds: pl.Series, errors: pl.Series, decided: pl.Series
) -> pl.Series:
    """The error codes of the subject's identifier, with :data:`MINOR_EXCLUDED` added for each row that
    names a minor under an item that excludes minors.

    ``subject_ids`` are compact identifiers, ``kinds`` their kind (``ric`` for a citizen ID), ``errors``
    their error codes so far (null where valid) and ``decided`` the typed decision dates."""
    frame = pl.DataFrame({"r": subject_ids, "k": kinds, "e": errors, "d": decided})
    if not item.minors_excluded:
        return errors
    candidates = frame.filter(
        (pl.col("k") == "ric") & pl.col("e").is_null() & pl.col("r").is_not_null() & pl.col("d").is_not_null()
    )
    minors = [(r, d) for r, d in candidates.select("r", "d").unique().iter_rows() if ids.is_minor(r, d)]
    answers = pl.DataFrame(
        {"r": [r for r, _ in minors], "d": [d for _, d in minors], "code": [MINOR_EXCLUDED] * len(minors)},
        schema={"r": pl.String, "d": pl.Date, "code": pl.String},
    )
    joined = frame.join(answers, on=["r", "d"], how="left", maintain_order="left")
    return joined.select(pl.coalesce("e", "code").alias(errors.name)).to_series()
