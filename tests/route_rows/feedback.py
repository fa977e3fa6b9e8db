"""Role × route rows: feedback (触发—响应—反馈): an implementing unit's tasks and reports; the feedback rates
for those who oversee (the credit office and auditors their region, a department's operators their own)."""

from __future__ import annotations

from xinyong.security.roles import Role

IMPLEMENTING = frozenset({Role.implementing_unit})
OVERSIGHT = frozenset({Role.platform_admin, Role.dept_operator, Role.auditor})

ROWS: dict[tuple[str, str], frozenset[Role]] = {
    ("GET", "/api/v1/feedback/tasks"): IMPLEMENTING,
    ("GET", "/api/v1/feedback/tasks/{task_id}"): IMPLEMENTING,
    ("POST", "/api/v1/feedback/tasks/{task_id}/report"): IMPLEMENTING,
    ("GET", "/api/v1/oversight/feedback"): OVERSIGHT,
    ("GET", "/console/feedback"): IMPLEMENTING,
    ("GET", "/console/feedback/rates"): OVERSIGHT,
    ("GET", "/console/feedback/{task_id}"): IMPLEMENTING,
    ("POST", "/console/feedback/{task_id}/report"): IMPLEMENTING,
}
#: No task has this id: an implementing unit reaches the route and is told the task does not exist.
PLACEHOLDERS: dict[str, str] = {"task_id": "999999"}
