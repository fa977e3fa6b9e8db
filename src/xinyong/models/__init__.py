"""ORM tables. Importing this package registers every table on ``Base.metadata``."""

from xinyong.models.audit import AuditEntry
from xinyong.models.base import Base
from xinyong.models.catalog import CatalogItemRow, CatalogVersion
from xinyong.models.ingest import (
    BatchChannel,
    BatchStatus,
    IngestBatch,
    IssueLevel,
    RejectedRow,
    RejectedStatus,
    RowIssue,
)
from xinyong.models.lists import (
    EntryState,
    ExitCause,
    ListEntry,
    ListEntryEvent,
    ListKind,
    ListScopeRow,
    MeasureKind,
    MeasureRow,
    Objection,
    ObjectionStatus,
    ObjectionTarget,
)
from xinyong.models.measures import BatchState, Decision, FeedbackTask, Screening, ScreeningBatch, TaskStatus
from xinyong.models.org import Department
from xinyong.models.records import CreditRecord, CreditRecordVersion, RecordStatus, Severity
from xinyong.models.search import SearchGram, SearchGramCount, SearchName, SearchPosition
from xinyong.models.security import AccountKind, ApiToken, Authorisation, QueryLogEntry, User
from xinyong.models.subjects import IdScheme, Subject, SubjectIdentifier, SubjectKind
from xinyong.models.workdays import Deadline, WorkdayOverride, WorkdaySchedule

__all__ = [
    "AccountKind",
    "ApiToken",
    "AuditEntry",
    "Authorisation",
    "Base",
    "BatchChannel",
    "BatchState",
    "BatchStatus",
    "CatalogItemRow",
    "CatalogVersion",
    "CreditRecord",
    "CreditRecordVersion",
    "Deadline",
    "Decision",
    "Department",
    "EntryState",
    "ExitCause",
    "FeedbackTask",
    "IdScheme",
    "IngestBatch",
    "IssueLevel",
    "ListEntry",
    "ListEntryEvent",
    "ListKind",
    "ListScopeRow",
    "MeasureKind",
    "MeasureRow",
    "Objection",
    "ObjectionStatus",
    "ObjectionTarget",
    "QueryLogEntry",
    "RecordStatus",
    "RejectedRow",
    "RejectedStatus",
    "RowIssue",
    "Screening",
    "ScreeningBatch",
    "SearchGram",
    "SearchGramCount",
    "SearchName",
    "SearchPosition",
    "Severity",
    "Subject",
    "SubjectIdentifier",
    "SubjectKind",
    "TaskStatus",
    "User",
    "WorkdayOverride",
    "WorkdaySchedule",
]
