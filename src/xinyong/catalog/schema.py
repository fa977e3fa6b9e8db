"""The public credit information catalog (公共信用信息目录): the file format, and its public names.

The catalog is data. It is the only thing that says what the platform may hold: every credit
record references one catalog item (``CatalogItem.code``) and carries exactly the fields that item
declares. A catalog file is YAML; :func:`parse_catalog` / :func:`load_catalog_file` turn it into a
validated :class:`CatalogFile` and :func:`dump_catalog` writes it back (export → import round-trips).

This module describes the format and re-exports the names the rest of the platform uses; the code
lives in :mod:`~xinyong.catalog.terms` (enumerations, constants), :mod:`~xinyong.catalog.fields`
(``FieldSpec``), :mod:`~xinyong.catalog.rules` (severity and publication rules),
:mod:`~xinyong.catalog.model` (``CatalogItem``, ``CatalogFile``), :mod:`~xinyong.catalog.errors`
(``CatalogInvalid``) and :mod:`~xinyong.catalog.io` (reading and writing YAML).

Item codes
    Two upper-case letters, a hyphen and three digits, e.g. ``CF-001``. The letters are the pinyin
    initials of the category (:data:`CODE_PREFIXES`): DJ 登记, SF 司法, XK 许可, CF 处罚, QZ/QT 强制/其他
    行政行为, ZG 资格, YC 异常, YZ 严重失信, HT 合同, CN 承诺, PJ 评价, RY 荣誉, ZS 知识产权. Local
    supplementary items keep the prefix and use their own serial range (e.g. ``CF-101``).

Core fields (every item declares them, with these types, all required)
    ``subject_name``      string — the subject's name as on the deciding document (主体名称)
    ``subject_id``        the subject's identifier (主体标识): ``uscc`` when no subject type is a natural
                          person, ``ric`` when the only subject type is natural person, ``string`` for
                          items covering both (the record layer then accepts either form)
    ``source_record_id``  string — the source department's own id for the record (一数一源: the key
                          for de-duplication, corrections and revocations)
    ``decision_date``     date — date of the deciding document (决定/认定/登记/授予日期); publication
                          windows run from here unless ``publication_rule.from_field`` says otherwise
    ``decision_no``       string — number of the deciding document (文书号/案号); present and required
                          for categories in :data:`DOCUMENT_CATEGORIES` (licence, penalty, judicial,
                          abnormal operation, serious dishonesty), optional elsewhere.

Severity (section 6 of the domain brief, 《信用修复管理办法》)
    ``severity_rule`` is ``none`` (not dishonesty information: registration, licences, honours …),
    ``{fixed: serious}``, or ``{by_field: penalty_kind, map: {警告: minor, …}, default: general}``;
    map values and ``default`` may also be ``none`` (e.g. a contract performed normally).
    Registration, licence and honour items must be ``none``; serious-dishonesty lists ``fixed: serious``.

Publication (``publication_rule``)
    ``by_severity`` windows for dishonesty information must lie within the national bounds
    (:data:`NATIONAL_WINDOW_BOUNDS`: 轻微 ≤ 3 months and not published in principle, 一般 3–12,
    严重 12–36); ``fixed`` is the window for records without severity, or for every record where
    another law sets the period (then ``note`` must name it). ``max_months: null`` means no automatic
    end; ``until_field`` names a date field that ends publication earlier, and ``until_kind`` (required
    with it) says what that date means: ``validity`` (有效期至 of a licence, honour or qualification: the
    record is current through that day inclusive) or ``removal`` (移出日期, 删除日期, 付清日期: no longer
    current from that day). 轻微 is not published in principle: a 轻微 record takes the item's own
    ``by_severity.minor`` window or else the platform's rule (:data:`MINOR_WINDOW`: not published, at
    most 3 months), never the general ``fixed`` window; a ``by_severity.minor`` window that publishes
    must name the law that allows it in ``legal_exception`` and stay within 3 months.
    Items whose openness is not 公开 may not publish.
"""

from __future__ import annotations

from xinyong.catalog.errors import CatalogInvalid
from xinyong.catalog.fields import FieldSpec
from xinyong.catalog.io import (
    default_catalog_path,
    dump_catalog,
    load_catalog_file,
    load_default_catalog,
    parse_catalog,
)
from xinyong.catalog.model import CatalogFile, CatalogItem
from xinyong.catalog.rules import (
    MINOR_WINDOW,
    FixedSeverity,
    PublicationRule,
    PublicationWindow,
    SeverityByField,
    SeverityRule,
)
from xinyong.catalog.terms import (
    CODE_PREFIXES,
    CORE_FIELD_NAMES,
    DOCUMENT_CATEGORIES,
    NATIONAL_WINDOW_BOUNDS,
    NO_SEVERITY,
    Category,
    FieldType,
    Openness,
    Severity,
    SeverityOutcome,
    SubjectType,
    UntilKind,
    outcome_label_zh,
)

__all__ = [
    "CODE_PREFIXES",
    "CORE_FIELD_NAMES",
    "DOCUMENT_CATEGORIES",
    "MINOR_WINDOW",
    "NATIONAL_WINDOW_BOUNDS",
    "NO_SEVERITY",
    "CatalogFile",
    "CatalogInvalid",
    "CatalogItem",
    "Category",
    "FieldSpec",
    "FieldType",
    "FixedSeverity",
    "Openness",
    "PublicationRule",
    "PublicationWindow",
    "Severity",
    "SeverityByField",
    "SeverityOutcome",
    "SeverityRule",
    "SubjectType",
    "UntilKind",
    "default_catalog_path",
    "dump_catalog",
    "load_catalog_file",
    "load_default_catalog",
    "outcome_label_zh",
    "parse_catalog",
]
