"""The dependency floors in pyproject.toml are what the code needs: chinesecalendar with the 2026
holidays, python-stdnum with the division table kit/regions was written against."""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from importlib.metadata import version
from pathlib import Path

from packaging.version import Version

from xinyong.kit import regions
from xinyong.kit.workdays import WorkCalendar, builtin_covers

PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"


def _floor(package: str) -> Version:
    deps = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]["dependencies"]
    found = [re.fullmatch(rf"{re.escape(package)}>=([\d.]+)", d) for d in deps]
    matches = [m for m in found if m]
    assert len(matches) == 1, package
    return Version(matches[0].group(1))


def test_chinesecalendar_floor_has_the_2026_holidays() -> None:
    # 1.10.0 stops at 2025; 1.11.0 is the first release with the 2026 notice
    assert _floor("chinesecalendar") >= Version("1.11")
    assert Version(version("chinesecalendar")) >= _floor("chinesecalendar")
    assert builtin_covers(2026)
    # 2026 National Day: Oct 1-7 off, Oct 10 (Saturday) a make-up workday; Spring Festival Feb 15-23 off
    cal = WorkCalendar()
    assert not cal.is_workday(dt.date(2026, 10, 7)) and cal.is_workday(dt.date(2026, 10, 10))
    assert not cal.is_workday(dt.date(2026, 2, 23)) and cal.is_workday(dt.date(2026, 2, 14))


def test_python_stdnum_floor_is_the_region_table_version() -> None:
    assert _floor("python-stdnum") >= Version("2.2")
    assert Version(version("python-stdnum")) >= _floor("python-stdnum")
    assert "python-stdnum 2.2" in regions.SOURCE and regions.SOURCE_DATE in regions.SOURCE
    assert dt.date.fromisoformat(regions.SOURCE_DATE) == dt.date(2026, 1, 4)
