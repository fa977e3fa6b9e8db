"""The one place that checks identifiers: USCC, resident ID, organisation code, registration number.

Every checker returns an :class:`IdVerdict` (never raises for bad input) with a stable error code
and a Chinese message that says what is wrong and how to fix it. ``verdict.require()`` turns an
invalid verdict into :class:`~xinyong.kit.errors.InvalidInput` for service code.

Validity of 统一社会信用代码 (USCC, GB 32100-2015) and 居民身份证号码 (RIC, GB 11643) is *defined*
by python-stdnum (``stdnum.cn.uscc`` / ``stdnum.cn.ric``), after the same compaction stdnum applies.
This package only adds a diagnosis (which check failed first, in stdnum's order) and the parts.
Where stdnum itself crashes instead of answering, the input is reported invalid:

* ``stdnum.cn.uscc`` raises ``ValueError`` for a newline as 8th character -> ``ID_USCC_BAD_CHAR``;
* ``stdnum.cn.ric`` raises ``KeyError`` when the province is known but the county is not
  -> ``ID_RIC_REGION``.

One deliberate deviation: stdnum's digit regex (``^[0-9]+$``) lets a trailing newline through, so
``stdnum.cn.ric.is_valid`` accepts a number whose 17th character is ``"\\n"``. We reject it
(``ID_RIC_BAD_CHAR``): an identifier with an embedded line break must never be stored.

Region names in the parts come from :mod:`xinyong.kit.regions` (the one reader of the GB/T 2260
table stdnum ships), as do the years in which an address code is valid for the bulk check.

For bulk paths, :func:`uscc_error_expr` and :func:`ric_error_expr` are Polars expressions that give
the same error code as the scalar checkers for every row, without calling Python per row.

Modules: ``verdict`` (verdict, codes, message helpers), ``compaction`` (stdnum's compaction),
``uscc``, ``ric``, ``org_code``, ``reg_no``, ``classification``, ``masking`` (IDs and mobile numbers
in values and free text) and ``bulk`` (the Polars twins). Everything public is re-exported here.
"""

from __future__ import annotations

from xinyong.kit.ids.bulk import ric_compact_expr, ric_error_expr, uscc_compact_expr, uscc_error_expr
from xinyong.kit.ids.classification import classify
from xinyong.kit.ids.masking import (
    PERSONAL_TEXT_PATTERN,
    PersonalSpan,
    contains_personal,
    contains_personal_expr,
    fold_text,
    fold_text_expr,
    mask_digit_runs,
    mask_personal_text,
    mask_phone,
    mask_ric,
    personal_spans,
)
from xinyong.kit.ids.org_code import calc_org_check, check_org_code
from xinyong.kit.ids.reg_no import calc_reg_no_check, check_reg_no
from xinyong.kit.ids.ric import birth_date_of, calc_ric_check, check_ric, is_minor
from xinyong.kit.ids.uscc import USCC_ALPHABET, calc_uscc_check, check_uscc, org_code_of_uscc
from xinyong.kit.ids.verdict import (
    ERROR_CODES,
    ID_AMBIGUOUS,
    ID_EMPTY,
    ID_ORG_BAD_CHAR,
    ID_ORG_CHECK,
    ID_ORG_LENGTH,
    ID_REGNO_BAD_CHAR,
    ID_REGNO_CHECK,
    ID_REGNO_LENGTH,
    ID_RIC_BAD_CHAR,
    ID_RIC_BIRTH_DATE,
    ID_RIC_CHECK,
    ID_RIC_LENGTH,
    ID_RIC_REGION,
    ID_UNKNOWN_KIND,
    ID_USCC_AUTHORITY,
    ID_USCC_BAD_CHAR,
    ID_USCC_CHECK,
    ID_USCC_ENTITY_TYPE,
    ID_USCC_LENGTH,
    ID_USCC_ORG_CHECK,
    ID_USCC_REGION,
    WARNING_CODES,
    IdIssue,
    IdKind,
    IdVerdict,
)

__all__ = [
    "ERROR_CODES",
    "ID_AMBIGUOUS",
    "ID_EMPTY",
    "ID_ORG_BAD_CHAR",
    "ID_ORG_CHECK",
    "ID_ORG_LENGTH",
    "ID_REGNO_BAD_CHAR",
    "ID_REGNO_CHECK",
    "ID_REGNO_LENGTH",
    "ID_RIC_BAD_CHAR",
    "ID_RIC_BIRTH_DATE",
    "ID_RIC_CHECK",
    "ID_RIC_LENGTH",
    "ID_RIC_REGION",
    "ID_UNKNOWN_KIND",
    "ID_USCC_AUTHORITY",
    "ID_USCC_BAD_CHAR",
    "ID_USCC_CHECK",
    "ID_USCC_ENTITY_TYPE",
    "ID_USCC_LENGTH",
    "ID_USCC_ORG_CHECK",
    "ID_USCC_REGION",
    "PERSONAL_TEXT_PATTERN",
    "USCC_ALPHABET",
    "WARNING_CODES",
    "IdIssue",
    "IdKind",
    "IdVerdict",
    "PersonalSpan",
    "birth_date_of",
    "calc_org_check",
    "calc_reg_no_check",
    "calc_ric_check",
    "calc_uscc_check",
    "check_org_code",
    "check_reg_no",
    "check_ric",
    "check_uscc",
    "classify",
    "contains_personal",
    "contains_personal_expr",
    "fold_text",
    "fold_text_expr",
    "is_minor",
    "mask_digit_runs",
    "mask_personal_text",
    "mask_phone",
    "mask_ric",
    "org_code_of_uscc",
    "personal_spans",
    "ric_compact_expr",
    "ric_error_expr",
    "uscc_compact_expr",
    "uscc_error_expr",
]
