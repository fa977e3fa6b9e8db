"""``xinyong catalog validate|import|export``: the public credit information catalog as a YAML file."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from xinyong.catalog.schema import default_catalog_path, parse_catalog
from xinyong.catalog.service import export_catalog, import_catalog
from xinyong.cli.common import actor, fail, out, sessions
from xinyong.db import transaction
from xinyong.kit.errors import DomainError

app = typer.Typer(help="公共信用信息目录：导入、导出、校验", no_args_is_help=True)


@app.command("validate")
def catalog_validate(file: Path) -> None:
    """校验目录文件，不写入数据库。"""
    try:
        parsed = parse_catalog(file.read_text(encoding="utf-8"), source=str(file))
    except DomainError as exc:
        fail(exc)
    out.print(f"目录文件有效：版本 {parsed.version}，共 {len(parsed.items)} 个信息事项")


@app.command("import")
def catalog_import(
    file: Annotated[Path | None, typer.Argument(help="目录文件（YAML）；省略则导入默认目录")] = None,
) -> None:
    """导入目录文件为新版本并设为当前版本。"""
    path = file or default_catalog_path()
    try:
        with transaction(sessions()) as session:
            result = import_catalog(
                session, path.read_text(encoding="utf-8"), actor=actor(), source=str(path)
            )
    except DomainError as exc:
        fail(exc)
    verb = (
        "已导入" if result.created else ("已设为当前版本" if result.made_current else "内容相同，未重复导入")
    )
    out.print(f"{verb}：目录版本 {result.version.version}，{result.items} 个信息事项")


@app.command("export")
def catalog_export(
    file: Annotated[Path | None, typer.Argument(help="输出文件；省略则写到标准输出")] = None,
    version: Annotated[str | None, typer.Option(help="目录版本；默认当前版本")] = None,
) -> None:
    """导出目录（与导入时的文本完全一致）。"""
    try:
        with transaction(sessions()) as session:
            text = export_catalog(session, version)
    except DomainError as exc:
        fail(exc)
    if file is None:
        sys.stdout.write(text)
    else:
        file.write_text(text, encoding="utf-8")
        out.print(f"已导出到 {file}")
