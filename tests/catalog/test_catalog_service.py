"""Catalog versions in the database."""

from __future__ import annotations

import datetime as dt

import pytest
import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong.catalog import service, versions
from xinyong.catalog.schema import CatalogInvalid, default_catalog_path, dump_catalog, parse_catalog
from xinyong.kit.clock import FixedClock
from xinyong.kit.errors import Conflict, NotFound
from xinyong.models import AuditEntry, CatalogVersion

DEFAULT = default_catalog_path().read_text(encoding="utf-8")


def test_import_stores_every_item_and_export_returns_the_same_text(session: Session) -> None:
    result = service.import_catalog(session, DEFAULT, actor="office")
    parsed = parse_catalog(DEFAULT)
    assert result.created and result.items == len(parsed.items)
    assert [row.code for row in service.current_items(session)] == sorted(i.code for i in parsed.items)
    assert service.export_catalog(session) == DEFAULT
    penalty = service.item_row(session, "CF-001")
    assert service.item_spec(penalty).category.value == "penalty"
    assert session.scalar(select(AuditEntry).where(AuditEntry.action == "catalog.imported")) is not None


def test_same_file_twice_is_a_no_op_and_changed_content_needs_a_new_version(session: Session) -> None:
    service.import_catalog(session, DEFAULT, actor="office")
    again = service.import_catalog(session, DEFAULT, actor="office")
    assert not again.created
    assert len(session.scalars(select(CatalogVersion)).all()) == 1
    changed = DEFAULT.replace("公共信用信息目录", "公共信用信息目录（修订）", 1)
    assert changed != DEFAULT
    with pytest.raises(Conflict) as err:
        service.import_catalog(session, changed, actor="office")
    assert err.value.code == "CATALOG_VERSION_EXISTS"


def test_new_version_becomes_current_and_old_one_stays_exportable(session: Session) -> None:
    service.import_catalog(session, DEFAULT, actor="office")
    parsed = parse_catalog(DEFAULT)
    newer = dump_catalog(parsed.model_copy(update={"version": parsed.version + "-r2"}))
    service.import_catalog(session, newer, actor="office")
    assert service.current_version(session).version == parsed.version + "-r2"
    assert service.export_catalog(session, parsed.version) == DEFAULT


def test_bad_file_is_rejected_naming_item_and_field(session: Session) -> None:
    bad = DEFAULT.replace("type: date", "type: when", 1)
    with pytest.raises(CatalogInvalid) as err:
        service.import_catalog(session, bad, actor="office")
    first = err.value.details["errors"][0]
    assert (first["item"], first["field"]) == ("DJ-001", "fields[decision_date].type")
    assert "事项 DJ-001 字段 fields[decision_date].type" in err.value.message
    assert session.scalar(select(CatalogVersion.id)) is None


def test_unknown_item_is_refused(session: Session) -> None:
    service.import_catalog(session, DEFAULT, actor="office")
    with pytest.raises(NotFound) as err:
        service.item_row(session, "XX-999")
    assert err.value.code == "CATALOG_ITEM_NOT_FOUND"
    assert "目录" in err.value.message


def test_importing_a_version_uploaded_in_the_console_makes_it_current(session: Session) -> None:
    """A version staged in the console (stored, not current) and then imported from the command line is
    made current, audited, not reported as already imported."""
    clock = FixedClock(dt.datetime(2026, 3, 2, 10, 0))
    service.import_catalog(session, DEFAULT, actor="t", clock=clock)
    data = yaml.safe_load(DEFAULT)
    data["version"] = "2099-staged"
    text = str(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    staged = versions.stage(session, text, actor="console", clock=clock)
    assert staged.version.is_current is False
    result = service.import_catalog(session, text, actor="cli", clock=clock)
    assert (result.created, result.made_current) == (False, True)
    assert service.current_version(session).version == "2099-staged"
    again = service.import_catalog(session, text, actor="cli", clock=clock)
    assert (again.created, again.made_current) == (False, False)
    made = session.scalars(select(AuditEntry).where(AuditEntry.action == "catalog.made_current")).all()
    assert [entry.actor for entry in made] == ["cli"]
