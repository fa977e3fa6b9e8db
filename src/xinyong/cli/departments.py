"""``xinyong depts create|list``: the departments that submit credit information."""

from __future__ import annotations

from typing import Annotated

import typer

from xinyong.cli.common import actor, clock, fail, out, sessions
from xinyong.db import transaction
from xinyong.departments.service import LEVEL_ZH, create_department, list_departments
from xinyong.kit.errors import DomainError

app = typer.Typer(help="部门：创建、列表", no_args_is_help=True)


@app.command("create")
def depts_create(
    code: Annotated[str, typer.Argument(help="部门代码，如 320902-SCJG")],
    name: Annotated[str, typer.Argument(help="部门全称，如 盐城市亭湖区市场监督管理局")],
    kind: Annotated[str, typer.Option("--kind", help="部门类别，与目录的来源部门类别对应，如 市场监管")],
    region: Annotated[str, typer.Option("--region", help="所服务行政区划的 6 位代码，如 320902")],
    level: Annotated[
        str | None, typer.Option("--level", help="层级 province / city / county；省略则取行政区划的层级")
    ] = None,
) -> None:
    """创建部门：校验行政区划代码和层级，写入审计日志。"""
    try:
        with transaction(sessions()) as session:
            dept = create_department(
                session,
                code=code,
                name=name,
                kind=kind,
                region_code=region,
                level=level,
                actor=actor(),
                clock=clock(),
            )
            where = f"{dept.region_code}，{LEVEL_ZH[dept.level]}"
            line = f"已创建部门 {dept.code}：{dept.name}（{dept.kind}，{where}）"
    except DomainError as exc:
        fail(exc)
    out.print(line)


@app.command("list")
def depts_list(
    region: Annotated[str | None, typer.Option("--region", help="只列出该行政区划的部门")] = None,
) -> None:
    """列出部门：代码、名称、类别、行政区划、层级、状态。"""
    with transaction(sessions()) as session:
        depts = list_departments(session, region_code=region)
        rows = [
            f"{d.code}\t{d.name}\t{d.kind}\t{d.region_code}\t{LEVEL_ZH.get(d.level, d.level)}"
            f"\t{'启用' if d.active else '停用'}"
            for d in depts
        ]
    for row in rows:
        print(row)
    if not rows:
        out.print("尚无部门")
