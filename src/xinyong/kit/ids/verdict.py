"""The verdict every identifier checker returns, the stable error and warning codes, and the helpers
the checkers share to write their Chinese messages and to name a region."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final, Literal

from xinyong.kit import regions
from xinyong.kit.errors import InvalidInput

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
    "KIND_LABELS",
    "NATIONAL_REGION",
    "WARNING_CODES",
    "IdIssue",
    "IdKind",
    "IdVerdict",
    "bad",
    "empty",
    "ok",
    "region_label",
    "show_char",
    "width_hint",
]

IdKind = Literal["uscc", "ric", "org_code", "reg_no", "unknown"]

# --- error codes (stable: clients may switch on them) ------------------------------------------------

ID_EMPTY: Final = "ID_EMPTY"
ID_UNKNOWN_KIND: Final = "ID_UNKNOWN_KIND"
ID_USCC_LENGTH: Final = "ID_USCC_LENGTH"
ID_USCC_BAD_CHAR: Final = "ID_USCC_BAD_CHAR"
ID_USCC_CHECK: Final = "ID_USCC_CHECK"
ID_RIC_LENGTH: Final = "ID_RIC_LENGTH"
ID_RIC_BAD_CHAR: Final = "ID_RIC_BAD_CHAR"
ID_RIC_CHECK: Final = "ID_RIC_CHECK"
ID_RIC_BIRTH_DATE: Final = "ID_RIC_BIRTH_DATE"
ID_RIC_REGION: Final = "ID_RIC_REGION"
ID_ORG_LENGTH: Final = "ID_ORG_LENGTH"
ID_ORG_BAD_CHAR: Final = "ID_ORG_BAD_CHAR"
ID_ORG_CHECK: Final = "ID_ORG_CHECK"
ID_REGNO_LENGTH: Final = "ID_REGNO_LENGTH"
ID_REGNO_BAD_CHAR: Final = "ID_REGNO_BAD_CHAR"
ID_REGNO_CHECK: Final = "ID_REGNO_CHECK"

ERROR_CODES: Final[frozenset[str]] = frozenset(
    {
        ID_EMPTY,
        ID_UNKNOWN_KIND,
        ID_USCC_LENGTH,
        ID_USCC_BAD_CHAR,
        ID_USCC_CHECK,
        ID_RIC_LENGTH,
        ID_RIC_BAD_CHAR,
        ID_RIC_CHECK,
        ID_RIC_BIRTH_DATE,
        ID_RIC_REGION,
        ID_ORG_LENGTH,
        ID_ORG_BAD_CHAR,
        ID_ORG_CHECK,
        ID_REGNO_LENGTH,
        ID_REGNO_BAD_CHAR,
        ID_REGNO_CHECK,
    }
)

# --- warning codes (a valid verdict may carry these; they never change validity) ---------------------

ID_USCC_REGION: Final = "ID_USCC_REGION"
ID_USCC_AUTHORITY: Final = "ID_USCC_AUTHORITY"
ID_USCC_ENTITY_TYPE: Final = "ID_USCC_ENTITY_TYPE"
ID_USCC_ORG_CHECK: Final = "ID_USCC_ORG_CHECK"
ID_AMBIGUOUS: Final = "ID_AMBIGUOUS"

WARNING_CODES: Final[frozenset[str]] = frozenset(
    {ID_USCC_REGION, ID_USCC_AUTHORITY, ID_USCC_ENTITY_TYPE, ID_USCC_ORG_CHECK, ID_AMBIGUOUS}
)

#: What each kind is called in messages.
KIND_LABELS: Final[dict[str, str]] = {
    "uscc": "统一社会信用代码",
    "ric": "居民身份证号码",
    "org_code": "组织机构代码",
    "reg_no": "工商注册号",
    "unknown": "证件号码或代码",
}

# --- verdict ------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class IdIssue:
    """A warning attached to a verdict: a stable code and a Chinese message."""

    code: str
    message: str


@dataclass(frozen=True, slots=True)
class IdVerdict:
    """Outcome of checking one identifier.

    ``value`` is the compact form when valid, else ``None``. ``parts`` is filled for valid values
    only. ``warnings`` never affect ``valid``. (Not hashable: ``parts`` is a dict.)
    """

    kind: IdKind
    raw: str
    value: str | None
    valid: bool
    error_code: str | None = None
    message: str | None = None
    parts: dict[str, str] = field(default_factory=dict)
    warnings: tuple[IdIssue, ...] = ()

    def to_error(self) -> InvalidInput:
        """The :class:`InvalidInput` to raise for this (invalid) verdict."""
        return InvalidInput(
            self.message or f"{KIND_LABELS[self.kind]}无效",
            code=self.error_code or "INVALID_INPUT",
            details={"kind": self.kind},
        )

    def require(self) -> str:
        """The compact value, or raise :class:`InvalidInput` with this verdict's code and message."""
        if not self.valid or self.value is None:
            raise self.to_error()
        return self.value


def ok(
    kind: IdKind, raw: str, value: str, parts: dict[str, str], warnings: tuple[IdIssue, ...] = ()
) -> IdVerdict:
    """A valid verdict."""
    return IdVerdict(kind=kind, raw=raw, value=value, valid=True, parts=parts, warnings=warnings)


def bad(kind: IdKind, raw: str, code: str, message: str) -> IdVerdict:
    """An invalid verdict with its error code and message."""
    return IdVerdict(kind=kind, raw=raw, value=None, valid=False, error_code=code, message=message)


def empty(kind: IdKind, raw: str) -> IdVerdict:
    """The verdict for blank input."""
    return bad(kind, raw, ID_EMPTY, f"未填写{KIND_LABELS[kind]}，请填写后再提交")


# --- message and parts helpers ------------------------------------------------------------------------


def show_char(ch: str) -> str:
    """A character as it may safely appear inside a message (control characters escaped)."""
    return ch if ch.isprintable() else repr(ch)[1:-1]


def width_hint(ch: str) -> str:
    """A hint for a rejected character that looks full-width or invisible, else ``""``."""
    if "\uff01" <= ch <= "\uff5e":
        return "（疑似全角字符，请切换到半角输入法后重新录入）"
    if ch.isspace() or not ch.isprintable():
        return "（号码中含有空白或不可见字符，请删除）"
    return ""


#: In a USCC (and an old registration number), ``100000`` in place of an administrative division
#: code marks a national-level registration authority; it is no GB/T 2260 code.
NATIONAL_REGION: Final = "100000"


def region_label(code6: str, year: int | None = None) -> str | None:
    """``"江苏省盐城市亭湖区"`` for a 6-digit administrative division code (names in use in ``year``
    when given, see :func:`xinyong.kit.regions.find_full_name`), ``"国家级"`` for ``100000``,
    ``None`` when unknown."""
    if code6 == NATIONAL_REGION:
        return "国家级"
    return regions.find_full_name(code6, year=year)
