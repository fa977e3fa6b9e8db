"""Reading and writing catalog files: YAML text ⇄ :class:`~xinyong.catalog.model.CatalogFile`.

:func:`parse_catalog` / :func:`load_catalog_file` turn YAML into a validated catalog or raise
:class:`~xinyong.catalog.errors.CatalogInvalid` naming item and field; :func:`dump_catalog` writes
it back (export → import round-trips). YAML is read by :func:`xinyong.kit.yamlio.load_yaml`
(duplicate keys refused, dates kept as text for pydantic to check).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from xinyong.catalog.errors import catalog_invalid, entry, errors_from_validation
from xinyong.catalog.model import CatalogFile
from xinyong.kit.yamlio import dump_yaml, load_yaml, problem_of

__all__ = [
    "default_catalog_path",
    "dump_catalog",
    "load_catalog_file",
    "load_default_catalog",
    "parse_catalog",
]

_NOT_YAML = "目录文件不是合法的 YAML"


def _load(text: str, source: str) -> Any:
    try:
        return load_yaml(text)
    except yaml.MarkedYAMLError as exc:
        problem, line, column = problem_of(exc)
        error = entry(f"YAML 格式错误：{problem}")
        if line is not None:
            error["line"] = line
            error["column"] = column
            error["message"] = f"第 {line} 行第 {column} 列：YAML 格式错误：{problem}"
        raise catalog_invalid([error], source, prefix=_NOT_YAML) from exc
    except (yaml.YAMLError, ValueError, TypeError, OverflowError) as exc:
        raise catalog_invalid([entry(f"YAML 格式错误：{exc}")], source, prefix=_NOT_YAML) from exc


def parse_catalog(text: str, *, source: str = "<string>") -> CatalogFile:
    """Parse and validate catalog YAML; raise ``CatalogInvalid`` naming item and field on any problem."""
    data = _load(text, source)
    if not isinstance(data, Mapping):
        raise catalog_invalid([entry("目录文件内容应为键值映射（version、title、items 等）")], source)
    try:
        return CatalogFile.model_validate(data)
    except ValidationError as exc:
        raise catalog_invalid(errors_from_validation(exc, data), source) from None


def load_catalog_file(path: str | os.PathLike[str]) -> CatalogFile:
    """Read a catalog YAML file (UTF-8) and validate it."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        error = entry("目录文件应为 UTF-8 编码")
        raise catalog_invalid([error], str(file), prefix="无法读取目录文件") from exc
    except OSError as exc:
        error = entry(exc.strerror or str(exc))
        raise catalog_invalid([error], str(file), prefix="无法读取目录文件") from exc
    return parse_catalog(text, source=str(file))


def dump_catalog(cat: CatalogFile) -> str:
    """The catalog as YAML (keys in model order, Chinese readable); :func:`parse_catalog` reads it back."""
    return dump_yaml(cat.model_dump(mode="json", exclude_none=True))


def default_catalog_path() -> Path:
    """The catalog file shipped with the platform."""
    return Path(__file__).resolve().parent / "data" / "default.yaml"


def load_default_catalog() -> CatalogFile:
    """The catalog shipped with the platform (a fresh object each call: cache it where needed)."""
    return load_catalog_file(default_catalog_path())
