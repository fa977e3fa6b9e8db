"""``xinyong ingest FILE --item CODE --dept CODE``: submit a file from the command line.

Also runnable as ``python -m xinyong.ingest``. Exit status: 0 when the batch finished (even with
rejected rows: the report says which and why), 1 when the batch finished but *no* row was accepted and
some were rejected (so scripts notice a wholly wrong file), 2 on an error that stopped the batch
(unknown item or department, unreadable file ...). A batch stopped half way (killed, or failed) resumes
where it stopped when the same command is run again, or with ``--resume BATCH_ID``. ``--fixes-of
BATCH_ID FILE`` resubmits corrected rejected rows (the rejected-rows download, edited; 原行号 kept).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy import Engine

from xinyong.cli.common import actor, err, initialised_engine, out
from xinyong.config import cipher_from_settings, get_settings
from xinyong.db import session_factory, transaction
from xinyong.ingest import reports
from xinyong.ingest.pipeline.run import DEFAULT_CHUNK_ROWS
from xinyong.ingest.pipeline.run import Progress as ProgressFn
from xinyong.ingest.schemas import BatchOutcome
from xinyong.ingest.service import resubmit_rejected, resume_batch, submit_file
from xinyong.kit.clock import Clock, SystemClock
from xinyong.kit.crypto import PersonalDataCipher
from xinyong.kit.errors import DomainError


@dataclass(frozen=True)
class _Job:
    """What one ``xinyong ingest`` run does: a new file, a resumed batch or corrections of a batch."""

    engine: Engine
    clock: Clock
    cipher: PersonalDataCipher
    file: Path | None
    item: str | None
    dept: str | None
    fmt: str | None
    resume: int | None
    fixes_of: int | None
    chunk_rows: int


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
    settings = get_settings()
    engine = initialised_engine()  # never creates a database where none was initialised
    job = _Job(
        engine,
        SystemClock(),
        cipher_from_settings(settings),
        file,
        item,
        dept,
        fmt,
        resume,
        fixes_of,
        chunk_rows,
    )
    _check_arguments(job)
    outcome = _run_with_progress(job, quiet=quiet)
    out.print(outcome.describe())
    if outcome.issues_total:
        default = (file.parent if file else Path.cwd()) / f"batch-{outcome.batch_id}-errors.csv"
        _save_issues(engine, outcome, errors or default)
    if outcome.status == "done" and outcome.accepted == 0 and outcome.rejected > 0:
        raise typer.Exit(1)


def _check_arguments(job: _Job) -> None:
    """Refuse (exit status 2) a run that says neither what to submit nor which batch to continue."""
    if job.fixes_of is not None and job.file is None:
        err.print("[red]错误 INGEST_ARGS[/red]：--fixes-of 需要给出改好的被拒收行文件")
        raise typer.Exit(2)
    if job.resume is None and job.fixes_of is None and any(v is None for v in (job.file, job.item, job.dept)):
        err.print("[red]错误 INGEST_ARGS[/red]：请给出文件、--item 和 --dept，或用 --resume 批次编号 续传")
        raise typer.Exit(2)


def _run_with_progress(job: _Job, *, quiet: bool) -> BatchOutcome:
    """Run the job under a progress bar on stderr (none with ``quiet``); a domain error ends it with 2."""
    with Progress(
        TextColumn("[bold]归集[/bold]"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        disable=quiet,
        transient=True,
    ) as bar:
        task = bar.add_task("rows", total=None)

        def progress(done: int, total: int | None) -> None:
            bar.update(task, completed=done, total=total)

        try:
            return _run(job, progress)
        except DomainError as exc:
            _refuse(exc)


def _run(job: _Job, progress: ProgressFn) -> BatchOutcome:
    """Corrections of a batch, a resumed batch, or a new file, as the arguments say."""
    if job.fixes_of is not None:
        assert job.file is not None
        with transaction(session_factory(job.engine)) as session:
            return resubmit_rejected(
                session, job.fixes_of, job.file, actor=actor(), clock=job.clock, cipher=job.cipher
            )
    if job.resume is not None:
        return resume_batch(
            job.engine,
            job.resume,
            actor=actor(),
            clock=job.clock,
            cipher=job.cipher,
            progress=progress,
            chunk_rows=job.chunk_rows,
        )
    assert job.file is not None and job.item is not None and job.dept is not None
    return submit_file(
        job.engine,
        job.file,
        item_code=job.item,
        dept_code=job.dept,
        actor=actor(),
        clock=job.clock,
        cipher=job.cipher,
        fmt=job.fmt,
        progress=progress,
        chunk_rows=job.chunk_rows,
    )


def _refuse(exc: DomainError) -> NoReturn:
    """The error that stopped the batch: its code and message, each of its problems, exit status 2."""
    err.print(f"[red]错误 {exc.code}[/red]：{exc.message}")
    for problem in exc.details.get("errors", []):
        err.print(f"  - {problem}")
    raise typer.Exit(2) from None


def _save_issues(engine: Engine, outcome: BatchOutcome, target: Path) -> None:
    """Write the batch's row-by-row report (.xlsx when the target says so, else CSV) and say where."""
    with transaction(session_factory(engine)) as session:
        blob = (
            reports.batch_errors_xlsx(session, outcome.batch_id)
            if target.suffix.lower() == ".xlsx"
            else reports.batch_errors_csv(session, outcome.batch_id)
        )
    target.write_bytes(blob)
    out.print(f"逐行问题报告（{outcome.issues_total} 条）已保存到 {target}")
