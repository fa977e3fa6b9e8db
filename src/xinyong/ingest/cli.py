"""``xinyong ingest FILE --item CODE --dept CODE``: submit a file from the command line.

Registered in xinyong.cli as ``app.command("ingest")(ingest_command)``; also runnable as
``python -m xinyong.ingest``. Exit status: 0 when the batch finished (even with rejected rows: the
report says which and why), 1 when the batch finished but *no* row was accepted and some were
rejected (so scripts notice a wholly wrong file), 2 on an error that stopped the batch (unknown item
or department, unreadable file ...). A batch stopped half way (killed, or failed) resumes where it
stopped when the same command is run again, or with ``--resume BATCH_ID``. ``--fixes-of BATCH_ID FILE``
resubmits corrected rejected rows (the rejected-rows download, edited; 原行号 kept).
"""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from xinyong.config import cipher_from_settings, get_settings
from xinyong.db import make_engine
from xinyong.ingest.pipeline.run import DEFAULT_CHUNK_ROWS
from xinyong.ingest.schemas import BatchOutcome
from xinyong.kit.clock import SystemClock
from xinyong.kit.errors import DomainError

_out = Console()
_err = Console(stderr=True)


def _actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except Exception:  # no user name in some containers
        return "cli:unknown"


def ingest_command(
    file: Annotated[Path | None, typer.Argument(help="CSV、XLSX 或 JSON Lines 文件（续传时可省略）")] = None,
    item: Annotated[str | None, typer.Option("--item", help="目录信息事项编码，如 CF-001")] = None,
    dept: Annotated[str | None, typer.Option("--dept", help="报送部门代码，如 320902-SCJG")] = None,
    fmt: Annotated[str | None, typer.Option("--format", help="文件格式 csv/xlsx/jsonl；默认按扩展名")] = None,
    resume: Annotated[int | None, typer.Option("--resume", help="续传中断的批次（批次编号）")] = None,
    fixes_of: Annotated[
        int | None,
        typer.Option(
            "--fixes-of",
            help="重新提交某批次被拒收行的更正：FILE 为改好的被拒收行文件（保留“原行号”列，只需改错的字段）",
        ),
    ] = None,
    errors: Annotated[
        Path | None,
        typer.Option("--errors", help="逐行问题报告的保存路径（.csv 或 .xlsx）；默认与文件同目录"),
    ] = None,
    chunk_rows: Annotated[
        int, typer.Option("--chunk-rows", min=1, help="每次提交的行数")
    ] = DEFAULT_CHUNK_ROWS,
    quiet: Annotated[bool, typer.Option("--quiet", help="不显示进度条")] = False,
) -> None:
    """归集：提交一个信息事项的数据文件，校验后入库，并给出逐行问题报告。"""
    from xinyong import schema
    from xinyong.db import session_factory, transaction
    from xinyong.ingest import reports
    from xinyong.ingest.service import resubmit_rejected, resume_batch, submit_file

    settings = get_settings()
    engine = make_engine(settings.effective_database_url)
    schema.upgrade(engine)
    clock = SystemClock()
    cipher = cipher_from_settings(settings)
    if fixes_of is not None and file is None:
        _err.print("[red]错误 INGEST_ARGS[/red]：--fixes-of 需要给出改好的被拒收行文件")
        raise typer.Exit(2)
    if resume is None and fixes_of is None and (file is None or item is None or dept is None):
        _err.print("[red]错误 INGEST_ARGS[/red]：请给出文件、--item 和 --dept，或用 --resume 批次编号 续传")
        raise typer.Exit(2)
    with Progress(
        TextColumn("[bold]归集[/bold]"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=_err,
        disable=quiet,
        transient=True,
    ) as bar:
        task = bar.add_task("rows", total=None)

        def progress(done: int, total: int | None) -> None:
            bar.update(task, completed=done, total=total)

        try:
            if fixes_of is not None:
                assert file is not None
                with transaction(session_factory(engine)) as session:
                    outcome: BatchOutcome = resubmit_rejected(
                        session, fixes_of, file, actor=_actor(), clock=clock, cipher=cipher
                    )
            elif resume is not None:
                outcome = resume_batch(
                    engine,
                    resume,
                    actor=_actor(),
                    clock=clock,
                    cipher=cipher,
                    progress=progress,
                    chunk_rows=chunk_rows,
                )
            else:
                assert file is not None and item is not None and dept is not None
                outcome = submit_file(
                    engine,
                    file,
                    item_code=item,
                    dept_code=dept,
                    actor=_actor(),
                    clock=clock,
                    cipher=cipher,
                    fmt=fmt,
                    progress=progress,
                    chunk_rows=chunk_rows,
                )
        except DomainError as exc:
            _err.print(f"[red]错误 {exc.code}[/red]：{exc.message}")
            for problem in exc.details.get("errors", []):
                _err.print(f"  - {problem}")
            raise typer.Exit(2) from None
    _out.print(outcome.describe())
    if outcome.issues_total:
        target = errors or (file.parent if file else Path.cwd()) / f"batch-{outcome.batch_id}-errors.csv"
        with transaction(session_factory(engine)) as session:
            blob = (
                reports.batch_errors_xlsx(session, outcome.batch_id)
                if target.suffix.lower() == ".xlsx"
                else reports.batch_errors_csv(session, outcome.batch_id)
            )
        target.write_bytes(blob)
        _out.print(f"逐行问题报告（{outcome.issues_total} 条）已保存到 {target}")
    if outcome.status == "done" and outcome.accepted == 0 and outcome.rejected > 0:
        raise typer.Exit(1)
