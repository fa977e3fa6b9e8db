"""`catalog validate` enforces what the policy documents say about publication (issue 9, rules 2, 3, 7).

- 轻微 is not published in principle (《信用修复管理办法》2026): a catalog that publishes 轻微 is refused
  unless the item states the legal exception, and then for at most 3 months.
- Each item's end field states whether it is a validity date or a removal date.
- An item that puts natural persons on a serious-dishonesty list excludes minors (seed 004 §三(一)).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from xinyong.catalog.schema import (
    CatalogInvalid,
    CatalogItem,
    Severity,
    default_catalog_path,
    load_default_catalog,
    parse_catalog,
)
from xinyong.catalog.service import stored_spec

Edit = Callable[[dict[str, Any]], None]


def _default_with(code: str, edit: Edit) -> str:
    data = yaml.safe_load(default_catalog_path().read_text(encoding="utf-8"))
    edit(next(item for item in data["items"] if item["code"] == code))
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def _errors(text: str) -> dict[str, str]:
    with pytest.raises(CatalogInvalid) as caught:
        parse_catalog(text)
    return {f"{e['item']}:{e['field']}": e["message"] for e in caught.value.errors}


def _minor(**window: Any) -> Edit:
    def edit(item: dict[str, Any]) -> None:
        item["publication_rule"]["by_severity"]["minor"] = window

    return edit


def test_publishing_minor_without_a_legal_exception_is_refused() -> None:
    errors = _errors(_default_with("CF-001", _minor(publish=True, min_months=0, max_months=3)))
    message = errors["CF-001:publication_rule.by_severity.minor.legal_exception"]
    assert "轻微失信信息原则上不公示" in message and "3 个月" in message


def test_a_stated_exception_allows_at_most_three_months() -> None:
    law = "《某某条例》第十条（轻微违法行为予以公示的例外规定）"
    allowed = _default_with("CF-001", _minor(publish=True, min_months=0, max_months=3, legal_exception=law))
    window = parse_catalog(allowed).item("CF-001").publication_rule.by_severity
    assert window is not None and window[Severity.minor].legal_exception == law
    too_long = _default_with("CF-001", _minor(publish=True, min_months=0, max_months=6, legal_exception=law))
    assert "CF-001:publication_rule.by_severity.minor.max_months" in _errors(too_long)


def test_an_exception_is_only_for_minor() -> None:
    def edit(item: dict[str, Any]) -> None:
        item["publication_rule"]["by_severity"]["general"]["legal_exception"] = "《某某条例》"

    assert "CF-001:publication_rule.by_severity.general.legal_exception" in _errors(
        _default_with("CF-001", edit)
    )


def test_an_end_field_must_state_its_kind() -> None:
    def edit(item: dict[str, Any]) -> None:
        del item["publication_rule"]["until_kind"]

    message = _errors(_default_with("XK-001", edit))["XK-001:publication_rule.until_kind"]
    assert "validity" in message and "removal" in message


def test_a_list_of_dishonest_persons_must_exclude_minors() -> None:
    def edit(item: dict[str, Any]) -> None:
        del item["minors_excluded"]

    assert "未成年人不纳入失信名单" in _errors(_default_with("SF-003", edit))["SF-003:minors_excluded"]


def test_catalog_validate_refuses_minor_publication(tmp_path: Path) -> None:
    """The command an office runs before importing an edited catalog."""
    path = tmp_path / "catalog.yaml"
    path.write_text(
        _default_with("CF-001", _minor(publish=True, min_months=0, max_months=3)), encoding="utf-8"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("XINYONG_")}
    refused = subprocess.run(
        [sys.executable, "-m", "xinyong", "catalog", "validate", str(path)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert refused.returncode == 2, refused.stdout + refused.stderr
    assert "CATALOG_INVALID" in refused.stderr and "轻微失信信息原则上不公示" in refused.stderr
    default = subprocess.run(
        [sys.executable, "-m", "xinyong", "catalog", "validate", str(default_catalog_path())],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert default.returncode == 0, default.stderr


def test_items_stored_before_the_rules_are_read_with_them() -> None:
    """A version stored before items stated until_kind and minors_excluded (2024-local-1) still reads:
    有效期… is a validity date, other end fields removal dates, and SF-003 excludes minors."""
    current = load_default_catalog()
    for item in current.items:
        old = item.model_dump(mode="json", exclude_none=True)
        old.pop("minors_excluded", None)
        old.pop("source_department_kinds")
        old["publication_rule"].pop("until_kind", None)
        read = CatalogItem.model_validate(stored_spec(old))
        assert read.publication_rule.until_kind == item.publication_rule.until_kind, item.code
        assert read.minors_excluded == item.minors_excluded, item.code
        assert read.source_department_kinds, item.code  # the kinds the free text names, else 行政机关


def test_source_kinds_are_department_kinds() -> None:
    def edit(item: dict[str, Any]) -> None:
        item["source_department_kinds"] = ["法院", "法院系统"]

    errors = _errors(_default_with("SF-003", edit))
    assert list(errors) == ["SF-003:source_department_kinds[1]"], errors
    assert "“法院系统”不是部门类别" in errors["SF-003:source_department_kinds[1]"]


def test_who_provides_an_item() -> None:
    """谁产生、谁提供: a court list only from courts; a penalty from any administrative body, never from a
    court or the credit office."""
    catalog = load_default_catalog()
    court_list, penalty = catalog.item("SF-003"), catalog.item("CF-001")
    assert court_list.provided_by("法院") and not court_list.provided_by("税务")
    assert penalty.provided_by("税务") and penalty.provided_by("市场监管")
    assert not penalty.provided_by("法院") and not penalty.provided_by("信用办")
    assert not penalty.provided_by("人社")  # not a department kind
