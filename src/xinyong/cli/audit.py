"""``xinyong audit verify`` and ``xinyong audit anchor``: check the audit trail, the credit records' seals,
the query log and the anchors (exit status 1 on any problem); write a signed anchor of both chains."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from xinyong.audit import service as audit
from xinyong.audit.anchors import ANCHOR_FILE, append
from xinyong.audit.findings import Report
from xinyong.cli.common import clock, err, fail, out, sessions
from xinyong.config import get_settings
from xinyong.db import transaction

app = typer.Typer(help="审计日志", no_args_is_help=True)


def default_anchor_file() -> Path:
    return get_settings().data_dir / ANCHOR_FILE


def print_report(report: Report) -> None:
    """The outcome of a verification: every problem on stderr, or the summary on stdout."""
    for note in report.notes:
        out.print(f"[yellow]注意[/yellow]：{escape(note)}", soft_wrap=True, highlight=False)
    if report.ok:
        out.print(
            f"审计日志完整：审计条目 {report.audit_entries} 条、查询使用登记 {report.query_entries} 条、"
            f"信用记录 {report.records} 条与其封存一致，核对锚点 {report.anchors} 个",
            soft_wrap=True,
            highlight=False,
        )
        return
    err.print("[red]审计日志已被篡改[/red]：", highlight=False)
    for problem in report.problems:
        err.print(f"  - {problem.code}：{escape(problem.message)}", soft_wrap=True, highlight=False)
    for code, n in report.more.items():
        err.print(f"  - {code}：另有 {n} 处同类问题", highlight=False)
    err.print(
        f"（完好的审计条目 {report.audit_entries} 条、查询使用登记 {report.query_entries} 条）",
        highlight=False,
    )


@app.command("verify")
def audit_verify(
    anchors: Annotated[
        list[Path] | None,
        typer.Option("--anchors", help="锚点文件（可多次给出）；默认为数据目录下的 audit-anchors.jsonl"),
    ] = None,
    restored: Annotated[
        bool,
        typer.Option(
            "--restored", help="恢复的旧副本（备份、按时间点恢复）：晚于副本的锚点所多出的条目只作提示"
        ),
    ] = False,
) -> None:
    """校验审计日志的密钥哈希链、信用记录的封存摘要、查询使用登记链和锚点，列出每一处问题。"""
    paths = anchors or [default_anchor_file()]
    with transaction(sessions()) as session:
        report = audit.verify(session, anchor_paths=paths, older_copy=restored)
    if anchors is None and not paths[0].exists():
        report.notes[:] = [
            f"尚无锚点文件 {paths[0]}：无法发现末尾被删除的条目，请定期运行 xinyong audit anchor"
        ]
    print_report(report)
    if not report.ok:
        raise typer.Exit(1)


@app.command("anchor")
def audit_anchor(
    file: Annotated[
        Path | None, typer.Option("--file", help="追加写入的锚点文件；默认为数据目录下的 audit-anchors.jsonl")
    ] = None,
    print_only: Annotated[
        bool, typer.Option("--print-only", help="只打印锚点（交外部公证、存证），不写文件")
    ] = False,
) -> None:
    """签发锚点：两条链的条目数、末条哈希、时间和密钥签名，追加到锚点文件并打印。"""
    try:
        with transaction(sessions()) as session:
            anchor = audit.anchor(session, clock=clock())
    except audit.AuditBroken as exc:
        print_report(exc.report)
        fail(exc)
    if not print_only:
        target = file or default_anchor_file()
        append(target, anchor)
        err.print(f"锚点已追加到 {target}", highlight=False)
    print(anchor.line())
