"""GB/T 2260 administrative division codes (行政区划代码), read from python-stdnum's data.

Source: the file ``stdnum/cn/loc.dat`` shipped with python-stdnum (version recorded at run time
in :data:`SOURCE_VERSION`; written against python-stdnum 2.2, whose data files were regenerated
on 2026-01-04). Its header says it was compiled from the Chinese Wikipedia lists
"中华人民共和国行政区划代码 (1区)" … "(8区)"; the newest change it records is from 2025 and the
oldest from 1980. Upgrading python-stdnum therefore upgrades this table; nothing is copied
into this repository.

File format (one province per unindented line, its divisions indented below)::

    32 province="江苏省"
      0900 county="[1983-]盐城市"
      0902 county="[1983-2002]城区,[2003-]亭湖区"
      2326 county="[-1983]盐城县"

``[start-end]`` is the range of years a name was in use (either side may be empty: open);
several comma separated names record renames under the same code.

Model used here:

* ``level`` comes from the shape of the code: ``xx0000`` province, ``xxyy00`` city
  (prefecture level, including the ``xx0100 市辖区`` / ``xx0200 县`` entries of the
  province-level municipalities and the ``xx9000 省直辖县级行政单位`` groups), anything else county.
* ``parent_code``: a city's parent is its province; a county's parent is ``xxyy00`` when that
  code is listed (in any period), otherwise the province. (For the county-level cities and
  counties listed as ``4600yy`` under 海南省, ``xxyy00`` is ``460000``, the province itself: their
  full name is ``海南省五指山市``, the province named once.)
* ``name`` is the current name: the one with no end year, else the most recently ended one.
* ``valid_from`` / ``valid_to`` describe the *code*: the earliest start and the latest end over
  all its names (``None`` = open: before the records start / still in use). Per-name periods
  are available from :func:`name_history`.
* For provinces the ``xx0000`` entry wins over the ``xx province=`` header line (the header of
  香港/澳门 is in traditional characters and lacks the years; the ``0000`` entries do not).
* A year question (:func:`name_at`, :func:`years_in_use`, ``full_name(code, year=...)``) is
  answered the way ``stdnum.cn.ric`` answers it for a birth year: the first listed name whose
  years include the year (a name without years covers every year). This module is the only
  reader of the table; :mod:`xinyong.kit.ids` asks it for region names and for the years in
  which an address code is valid.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from importlib import resources
from typing import Literal, NamedTuple

import stdnum

from xinyong.kit.errors import NotFound

__all__ = [
    "SOURCE",
    "SOURCE_DATE",
    "SOURCE_VERSION",
    "Level",
    "Region",
    "RegionName",
    "all_regions",
    "children",
    "city_of",
    "find_full_name",
    "full_name",
    "get_region",
    "in_use",
    "is_current",
    "name_at",
    "name_history",
    "province_of",
    "region_name",
    "years_in_use",
]

#: Where the division table comes from, and as of when (shown in docs and reports that cite it).
SOURCE = (
    "python-stdnum 2.2 的 stdnum/cn/loc.dat（据中文维基百科《中华人民共和国行政区划代码》1区–8区整理，"
    "数据文件生成于 2026-01-04，所记最近一次变更为 2025 年）"
)
#: The date python-stdnum 2.2 regenerated its data files (pyproject requires python-stdnum>=2.2).
SOURCE_DATE = "2026-01-04"
#: The python-stdnum actually installed (an upgrade upgrades the table).
SOURCE_VERSION: str = str(stdnum.__version__)

Level = Literal["province", "city", "county"]

# City-level entries that are grouping placeholders rather than places; full_name() skips them.
_PLACEHOLDER_CITY_NAMES = frozenset({"市辖区", "县"})

_CODE_RE = re.compile(r"\d{6}")
_PROVINCE_RE = re.compile(r'^(\d{2}) province="([^"]*)"\s*$')
_COUNTY_RE = re.compile(r'^\s+(\d{4}) county="([^"]*)"\s*$')
_NAME_RE = re.compile(r"^(?:\[(\d{4})?-(\d{4})?\])?(.+)$")


class RegionName(NamedTuple):
    """One name a code carried, with the years it was in use (``None`` = open)."""

    name: str
    valid_from: int | None
    valid_to: int | None


@dataclass(frozen=True, slots=True)
class Region:
    code: str
    name: str
    level: Level
    parent_code: str | None
    valid_from: int | None
    valid_to: int | None

    @property
    def is_current(self) -> bool:
        return self.valid_to is None


class _Table(NamedTuple):
    regions: dict[str, Region]
    history: dict[str, tuple[RegionName, ...]]
    children: dict[str, tuple[Region, ...]]


_lock = threading.Lock()
_table: _Table | None = None


def _parse_names(raw: str) -> tuple[RegionName, ...]:
    names: list[RegionName] = []
    for part in raw.split(","):
        part = part.strip()
        if not part:
            continue
        m = _NAME_RE.match(part)
        if m is None:  # pragma: no cover - the regex matches any non-empty string
            continue
        start, end, name = m.groups()
        names.append(RegionName(name.strip(), int(start) if start else None, int(end) if end else None))
    return tuple(names)


def _level(code: str) -> Level:
    if code.endswith("0000"):
        return "province"
    if code.endswith("00"):
        return "city"
    return "county"


def _current(names: tuple[RegionName, ...]) -> RegionName:
    """The name in use now, else the one that went out of use last."""
    open_ended = [n for n in names if n.valid_to is None]
    if open_ended:
        return max(open_ended, key=lambda n: n.valid_from if n.valid_from is not None else -1)
    return max(names, key=lambda n: n.valid_to if n.valid_to is not None else -1)


def _span(names: tuple[RegionName, ...]) -> tuple[int | None, int | None]:
    starts = [n.valid_from for n in names]
    ends = [n.valid_to for n in names]
    valid_from = None if None in starts else min(s for s in starts if s is not None)
    valid_to = None if None in ends else max(e for e in ends if e is not None)
    return valid_from, valid_to


def _read_source() -> str:
    return resources.files("stdnum.cn").joinpath("loc.dat").read_text(encoding="utf-8")


def _read_history(text: str) -> dict[str, tuple[RegionName, ...]]:
    """Every listed code with its names; a province header counts only when no ``xx0000`` line exists."""
    history: dict[str, tuple[RegionName, ...]] = {}
    headers: dict[str, tuple[RegionName, ...]] = {}
    province: str | None = None
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if m := _PROVINCE_RE.match(line):
            province = m.group(1)
            headers[province + "0000"] = _parse_names(m.group(2))
        elif (m := _COUNTY_RE.match(line)) and province is not None:
            names = _parse_names(m.group(2))
            if names:
                history[province + m.group(1)] = names
    for code, names in headers.items():
        if names and code not in history:
            history[code] = names
    return history


def _parent(code: str, level: Level, history: dict[str, tuple[RegionName, ...]]) -> str | None:
    if level == "province":
        return None
    province_code = code[:2] + "0000"
    city_code = code[:4] + "00"
    if level == "city":
        return province_code
    return city_code if city_code in history else province_code


def _build(text: str) -> _Table:
    history = _read_history(text)
    regions: dict[str, Region] = {}
    for code in sorted(history):
        names = history[code]
        level = _level(code)
        start, end = _span(names)
        regions[code] = Region(code, _current(names).name, level, _parent(code, level, history), start, end)

    kids: dict[str, list[Region]] = {}
    for region in regions.values():
        if region.parent_code is not None:
            kids.setdefault(region.parent_code, []).append(region)
    return _Table(regions, history, {k: tuple(v) for k, v in kids.items()})


def _data() -> _Table:
    global _table
    table = _table
    if table is None:
        with _lock:
            if _table is None:
                _table = _build(_read_source())
            table = _table
    return table


def _clean(code: str) -> str | None:
    code = str(code).strip()
    return code if _CODE_RE.fullmatch(code) else None


def get_region(code: str) -> Region | None:
    """The division with this 6-digit code (current or historical), or ``None``."""
    key = _clean(code)
    return None if key is None else _data().regions.get(key)


def region_name(code: str) -> str | None:
    region = get_region(code)
    return None if region is None else region.name


def name_history(code: str) -> list[RegionName]:
    """Every name the code carried, in file order (oldest first); empty when unknown."""
    key = _clean(code)
    return [] if key is None else list(_data().history.get(key, ()))


def is_current(code: str) -> bool:
    """True when the code is known and still in use (its latest name has no end year)."""
    region = get_region(code)
    return region is not None and region.valid_to is None


def all_regions() -> list[Region]:
    """Every division, historical ones included, ordered by code."""
    return list(_data().regions.values())


def children(code: str, *, current_only: bool = False) -> list[Region]:
    """Direct subdivisions (those whose ``parent_code`` is ``code``), ordered by code."""
    key = _clean(code)
    if key is None:
        return []
    found = _data().children.get(key, ())
    return [r for r in found if r.valid_to is None] if current_only else list(found)


def province_of(code: str) -> Region | None:
    """The province-level division a known code belongs to (itself for a province)."""
    if get_region(code) is None:
        return None
    return get_region(code.strip()[:2] + "0000")


def city_of(code: str) -> Region | None:
    """The prefecture-level division of a known code: itself for a city, the ``xxyy00`` entry for
    a county when listed, ``None`` for provinces and for counties directly under a province."""
    region = get_region(code)
    if region is None or region.level == "province":
        return None
    if region.level == "city":
        return region
    return get_region(region.code[:4] + "00")


def _covers(entry: RegionName, year: int) -> bool:
    return (entry.valid_from is None or year >= entry.valid_from) and (
        entry.valid_to is None or year <= entry.valid_to
    )


def name_at(code: str, year: int) -> str | None:
    """The name the code carried in ``year``: the first listed name whose years include it (as
    ``stdnum.cn.ric`` reads the table for a birth year). ``None`` when the code is unknown or was
    not in use that year."""
    for entry in name_history(code):
        if _covers(entry, year):
            return entry.name
    return None


def in_use(code: str, year: int) -> bool:
    """True when the code is known and one of its names was in use in ``year``."""
    return name_at(code, year) is not None


def years_in_use(code: str) -> list[tuple[int | None, int | None]]:
    """The years in which the code was in use, as sorted, merged ``(first, last)`` spans (``None`` =
    open: before the records start / still in use); adjacent spans are joined. Empty when unknown."""
    low, high = -1, 1 << 30  # stand-ins for the open ends while merging
    spans = sorted(
        (low if n.valid_from is None else n.valid_from, high if n.valid_to is None else n.valid_to)
        for n in name_history(code)
    )
    merged: list[tuple[int, int]] = []
    for first, last in spans:
        if merged and first <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(merged[-1][1], last))
        else:
            merged.append((first, last))
    return [(None if a == low else a, None if b == high else b) for a, b in merged]


def _is_placeholder(level: Level, name: str) -> bool:
    return level == "city" and (name in _PLACEHOLDER_CITY_NAMES or "直辖" in name)


def _lineage(region: Region) -> list[Region]:
    """``region`` and its ancestors, province first."""
    chain: list[Region] = [region]
    while chain[-1].parent_code is not None:
        parent = get_region(chain[-1].parent_code)
        if parent is None:  # pragma: no cover - parents are always listed codes
            break
        chain.append(parent)
    chain.reverse()
    return chain


def find_full_name(code: str, *, year: int | None = None) -> str | None:
    """Province + city + county names, e.g. ``'江苏省盐城市亭湖区'`` for 320902; ``None`` when the
    code is unknown (or, with ``year``, was not in use that year).

    Without ``year`` every part is the current name. With ``year`` every part is the name in use
    that year (320902 in 1990: ``'江苏省盐城市城区'``), and an ancestor not in use that year is left
    out. Grouping placeholders (市辖区, 县 and 省/自治区直辖县级行政单位 at city level) are left out:
    110101 gives ``'北京市东城区'``, 429004 ``'湖北省仙桃市'``. A placeholder asked for by its own
    code is kept (110100 gives ``'北京市市辖区'``).
    """
    region = get_region(code)
    if region is None:
        return None
    parts: list[str] = []
    for link in _lineage(region):
        name = link.name if year is None else name_at(link.code, year)
        if link is region:
            if name is None:
                return None
            parts.append(name)
        elif name is not None and not _is_placeholder(link.level, name):
            parts.append(name)
    return "".join(parts)


def full_name(code: str, *, year: int | None = None) -> str:
    """:func:`find_full_name`, raising :class:`NotFound` instead of returning ``None``."""
    name = find_full_name(code, year=year)
    if name is not None:
        return name
    if year is not None and get_region(code) is not None:
        raise NotFound(
            f"行政区划代码在{year}年未使用",
            code="REGION_NOT_FOUND",
            details={"code": str(code), "year": year},
        )
    raise NotFound("未知的行政区划代码", code="REGION_NOT_FOUND", details={"code": str(code)})
