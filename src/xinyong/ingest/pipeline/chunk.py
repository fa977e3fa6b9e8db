"""One chunk of a batch, in the caller's one transaction: validated (vectorised, see ``validation``), its
subjects resolved in bulk (``resolve``), duplicates sorted out (``duplicates``), severity / window /
timeliness assessed by records.assess, accepted rows bulk-loaded and rejected rows kept (``store``),
every finding stored, the checkpoint and the counts moved forward, and ONE audit entry written last,
with a digest of the rows it stored and the subjects it registered. The audit chain's lock is therefore
taken only at the end of the chunk, so concurrent intakes are not serialised by it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import polars as pl
from sqlalchemy import insert, update
from sqlalchemy.orm import Session

from xinyong.audit import service as audit
from xinyong.ingest.pipeline import store
from xinyong.ingest.pipeline.duplicates import duplicates
from xinyong.ingest.pipeline.resolve import Resolved, resolve_subjects
from xinyong.ingest.pipeline.run import Counts, Run, claim
from xinyong.ingest.validation import OK, ROW, Issue, validate_chunk
from xinyong.models import IngestBatch, IssueLevel, RowIssue
from xinyong.records.assess import SEVERITY_OVERRIDE_COLUMN, SEVERITY_REASON_COLUMN, assess_frame


@dataclass
class _Sorted:
    """A chunk after validation, resolution, de-duplication and assessment."""

    accepted: pl.DataFrame
    issues: list[Issue]
    dup_rows: dict[int, int | None]
    resolved: Resolved


def _assess(run: Run, frame: pl.DataFrame, issues: list[Issue]) -> pl.DataFrame:
    """Severity, window and timeliness; rows the rules cannot be applied to become errors."""
    spec = run.ctx.spec
    assessed = assess_frame(spec, frame, received_on=run.received_on, cal=run.cal)
    failed = assessed.filter(pl.col("assess_error").is_not_null())
    by_field = getattr(spec.severity_rule, "by_field", None)
    where = {
        "RECORD_SEVERITY_REASON_REQUIRED": SEVERITY_REASON_COLUMN,
        "RECORD_SEVERITY_NOT_APPLICABLE": SEVERITY_OVERRIDE_COLUMN,
    }
    for row_no, code, message in failed.select(ROW, "assess_error", "assess_message").iter_rows():
        issues.append(Issue(row_no, where.get(code, by_field), code, message))
    return assessed.filter(pl.col("assess_error").is_null())


def _sort(session: Session, run: Run, raw: pl.DataFrame) -> _Sorted:
    checked = validate_chunk(run.ctx, raw, today=run.today, received_on=run.received_on)
    issues: list[Issue] = list(checked.issues)
    frame, more, resolved = resolve_subjects(session, run, checked.frame.filter(pl.col(OK)))
    issues += more
    frame = frame.filter(~pl.col(ROW).is_in([i.row_no for i in more if i.level == "error"]))
    frame, more, dup_rows = duplicates(session, run, frame)
    issues += more
    return _Sorted(_assess(run, frame, issues), issues, dup_rows, resolved)


def _store_issues(session: Session, run: Run, issues: list[Issue]) -> None:
    if issues:
        session.execute(
            insert(RowIssue),
            [
                {
                    "batch_id": run.batch_id,
                    "row_no": i.row_no,
                    "level": IssueLevel(i.level),
                    "field": i.field,
                    "code": i.code,
                    "message": i.message[:1000],
                    "record_id": i.record_id,
                }
                for i in issues
            ],
        )


def _add_counts(session: Session, run: Run, counts: Counts) -> None:
    session.execute(
        update(IngestBatch)
        .where(IngestBatch.id == run.batch_id)
        .values(
            accepted=IngestBatch.accepted + counts.accepted,
            rejected=IngestBatch.rejected + counts.rejected,
            warnings=IngestBatch.warnings + counts.warnings,
            duplicates=IngestBatch.duplicates + counts.duplicates,
            late=IngestBatch.late + counts.late,
        )
    )


def process_chunk(session: Session, run: Run, raw: pl.DataFrame, *, expected_done: int | None) -> Counts:
    """Validate, resolve, de-duplicate, assess and store one chunk in ``session``'s transaction."""
    if expected_done is not None:
        claim(session, run.batch_id, expected_done, raw.height)
    chunk = _sort(session, run, raw)
    accepted, issues = chunk.accepted, chunk.issues
    first_id, last_id, data = store.store_records(session, run, accepted)
    accepted_rows = set(accepted[ROW].to_list())
    warned = {i.row_no for i in issues if i.level == "warning" and i.row_no in accepted_rows}
    wanted = accepted_rows if run.resubmission_of is not None else warned
    ids_by_row = (
        store.record_ids(session, run, accepted.filter(pl.col(ROW).is_in(list(wanted)))) if wanted else {}
    )
    for issue in issues:
        if issue.level != "error" and issue.record_id is None:
            issue.record_id = ids_by_row.get(issue.row_no)
    rejected_rows = sorted({i.row_no for i in issues if i.level == "error"})
    store.store_rejected(session, run, raw, rejected_rows)
    warning_issues = [i for i in issues if i.level == "warning" and i.row_no in accepted_rows]
    _store_issues(session, run, [i for i in issues if i.level != "warning"] + warning_issues)
    if run.resubmission_of is not None:
        store.link_fixes(session, run, ids_by_row, rejected_rows, chunk.dup_rows)
    if accepted.height:
        store.close_fixed_elsewhere(session, run, accepted["source_record_id"].to_list())
    counts = Counts(
        rows=raw.height,
        accepted=accepted.height,
        rejected=len(rejected_rows),
        warnings=len(warning_issues),
        duplicates=len(chunk.dup_rows),
        late=int(accepted["late"].sum()) if accepted.height else 0,
    )
    _add_counts(session, run, counts)
    digest = hashlib.sha256("\n".join(data.to_list()).encode()).hexdigest() if accepted.height else None
    registered = sorted(chunk.resolved.found[k].id for k in chunk.resolved.new_keys)
    audit.record(
        session,
        actor=run.actor,
        action="ingest.chunk_committed",
        entity="ingest_batch",
        entity_id=run.batch_id,
        after={"rows_sha256": digest, "record_ids": [first_id, last_id], "registered_subjects": registered},
        detail={
            "rows": [raw[ROW].min(), raw[ROW].max()] if raw.height else None,
            "accepted": counts.accepted,
            "rejected": counts.rejected,
            "duplicates": counts.duplicates,
            "first_record_id": first_id,
            "last_record_id": last_id,
            "rows_sha256": digest,
            "registered_subjects": len(registered),
        },
        clock=run.clock,
    )
    return counts
