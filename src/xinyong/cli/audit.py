"""``xinyong audit verify``: check the audit trail's hash chain (exit status 1 at the first break)."""

from __future__ import annotations

import typer

from xinyong.audit import service as audit
from xinyong.cli.common import err, out, sessions
from xinyong.db import transaction

app = typer.Typer(help="审计日志", no_args_is_help=True)


@app.command("verify")
def audit_verify() -> None:
    """逐条校验审计日志的哈希链，报告第一处断链。"""
    with transaction(sessions()) as session:
        report = audit.verify(session)
    if report.ok:
        out.print(f"审计日志完整：共校验 {report.checked} 条")
        return
    err.print(f"[red]审计日志已被篡改[/red]：{report.reason}（已校验 {report.checked} 条完好）")
    raise typer.Exit(1)
