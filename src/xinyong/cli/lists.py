"""``xinyong lists expire``: published list entries whose listing period has ended exit (期满移出)."""

from __future__ import annotations

import typer

from xinyong.cli.common import actor, clock, fail, out, sessions
from xinyong.db import transaction
from xinyong.kit.errors import DomainError
from xinyong.lists.lifecycle import expire_entries

app = typer.Typer(help="红黑名单：期满移出", no_args_is_help=True)


@app.command("expire")
def lists_expire() -> None:
    """列入期限届满的已发布名单移出（事由：期满移出），并关闭其未反馈的联合奖惩任务。可随时重复运行。"""
    try:
        with transaction(sessions()) as session:
            count = expire_entries(session, clock=clock(), actor=actor())
    except DomainError as exc:
        fail(exc)
    out.print(f"期满移出名单 {count} 条")
