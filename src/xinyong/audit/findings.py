"""What ``audit verify`` finds: problems with a stable code and a Chinese message naming what is wrong,
and the summary of what was checked."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Problem:
    """One thing found wrong. ``code`` is stable (``AUDIT_ENTRY_ALTERED``, ``RECORD_ALTERED`` ...)."""

    code: str
    message: str
    #: The audit entry (or query-log entry, for ``QUERY_LOG_*`` codes) it concerns, when there is one.
    entry_id: int | None = None


#: Record-level problems listed one by one up to this many; the rest are counted.
MAX_LISTED = 50


@dataclass
class Report:
    """Everything ``audit.service.verify`` checked and found."""

    problems: list[Problem] = field(default_factory=list)
    audit_entries: int = 0
    query_entries: int = 0
    records: int = 0
    anchors: int = 0
    #: Problems found but not listed (beyond MAX_LISTED of one code).
    more: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def add(self, problem: Problem) -> None:
        listed = sum(1 for p in self.problems if p.code == problem.code)
        if listed >= MAX_LISTED:
            self.more[problem.code] = self.more.get(problem.code, 0) + 1
            return
        self.problems.append(problem)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def reason(self) -> str | None:
        """The first problem's message."""
        return self.problems[0].message if self.problems else None

    @property
    def broken_id(self) -> int | None:
        """The audit entry of the first problem that names one."""
        return next((p.entry_id for p in self.problems if p.entry_id is not None), None)

    @property
    def checked(self) -> int:
        """Audit entries found intact before the first break of the chain (all of them when none)."""
        return self.audit_entries
