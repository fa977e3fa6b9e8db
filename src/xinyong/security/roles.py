"""Roles and scopes: named constants, and which scopes each role holds.

A route asks for exactly one scope (``security.auth.authorize``); a caller may use the route when one
of its roles holds the scope (session users) or its token was issued with it (API tokens, which can
only narrow the user's own scopes). The role × route table in tests/security pins every decision.
"""

from __future__ import annotations

import enum


class Role(enum.StrEnum):
    platform_admin = "platform_admin"  # 平台管理员（信用办）
    dept_operator = "dept_operator"  # 部门信息报送员
    dept_reviewer = "dept_reviewer"  # 部门审核员（异议、修复）
    implementing_unit = "implementing_unit"  # 实施部门（核查、反馈）
    subject = "subject"  # 信用主体
    agency = "agency"  # 信用服务机构
    auditor = "auditor"  # 审计员
    public = "public"  # 社会公众（未登录）


ROLE_ZH: dict[Role, str] = {
    Role.platform_admin: "平台管理员",
    Role.dept_operator: "部门信息报送员",
    Role.dept_reviewer: "部门审核员",
    Role.implementing_unit: "实施部门",
    Role.subject: "信用主体",
    Role.agency: "信用服务机构",
    Role.auditor: "审计员",
    Role.public: "社会公众",
}


class Scope(enum.StrEnum):
    public_read = "public:read"  # published information, anyone
    account_self = "account:self"  # one's own account
    records_submit = "records:submit"  # 报送信用记录
    records_read = "records:read"  # non-public records within one's data range
    subjects_read = "subjects:read"  # a subject's non-public file within one's data range
    screening_run = "screening:run"  # 核查（审批、采购、招标）
    objections_decide = "objections:decide"
    repairs_decide = "repairs:decide"
    self_file = "self:file"  # a subject's own file, its query log, its grants
    agency_query = "agency:query"  # query with a subject's live authorisation
    querylog_read = "querylog:read"  # search the query log
    audit_read = "audit:read"
    oversight_read = "oversight:read"  # 跟踪问效: timeliness, quality
    admin_manage = "admin:manage"  # users, tokens, catalog, schedules
    lists_initiate = "lists:initiate"  # 发起、告知、认定红黑名单（认定部门）
    lists_publish = "lists:publish"  # 发布、移出红黑名单（信用办）
    feedback_report = "feedback:report"  # 联合奖惩反馈（实施部门）


_STAFF_BASE = {Scope.public_read, Scope.account_self}

ROLE_SCOPES: dict[Role, frozenset[Scope]] = {
    Role.public: frozenset({Scope.public_read}),
    Role.platform_admin: frozenset(
        _STAFF_BASE
        | {
            Scope.records_read,
            Scope.subjects_read,
            Scope.oversight_read,
            Scope.admin_manage,
            Scope.screening_run,
            Scope.records_submit,
            Scope.lists_initiate,
            Scope.lists_publish,
        }
    ),
    Role.dept_operator: frozenset(
        _STAFF_BASE | {Scope.records_submit, Scope.records_read, Scope.oversight_read}
    ),
    Role.dept_reviewer: frozenset(
        _STAFF_BASE
        | {
            Scope.records_read,
            Scope.subjects_read,
            Scope.objections_decide,
            Scope.repairs_decide,
            Scope.lists_initiate,
        }
    ),
    Role.implementing_unit: frozenset(
        _STAFF_BASE | {Scope.screening_run, Scope.subjects_read, Scope.feedback_report}
    ),
    Role.subject: frozenset(_STAFF_BASE | {Scope.self_file}),
    Role.agency: frozenset(_STAFF_BASE | {Scope.agency_query}),
    Role.auditor: frozenset(_STAFF_BASE | {Scope.querylog_read, Scope.audit_read, Scope.oversight_read}),
}


def scopes_of(roles: list[str] | list[Role]) -> frozenset[Scope]:
    out: set[Scope] = set()
    for role in roles:
        out |= ROLE_SCOPES[Role(role)]
    return frozenset(out)


class Purpose(enum.StrEnum):
    """Why non-public data is read (查询用途). Fixed list; a read without one is refused."""

    administrative_approval = "行政审批"
    government_procurement = "政府采购"
    tendering = "招标投标"
    public_funds = "财政资金"
    awards = "评优评先"
    recruitment = "人员录用"
    supervision = "日常监管"
    objection_handling = "异议处理"
    repair_handling = "信用修复"
    list_handling = "名单认定"
    self_query = "本人查询"
    authorised_query = "授权查询"


#: Purposes a department may state: its own functions (approval, procurement, tender, funds, awards,
#: recruitment, supervision, objections, repair). Never 本人查询 (the subject's) nor 授权查询 (an agency's).
STAFF_PURPOSES: frozenset[Purpose] = frozenset(Purpose) - {Purpose.self_query, Purpose.authorised_query}
#: Purposes a subject may grant a credit service agency (domain.md 2 and 5.12: an agency queries with the
#: subject's written authorisation, for the market uses of its reports): bids in procurement and tenders,
#: employment checks, or a general authorised query. Supervision, approval, public funds, awards,
#: objections and repairs are powers of departments; 本人查询 is the subject's own.
AGENCY_PURPOSES: frozenset[Purpose] = frozenset(
    {Purpose.government_procurement, Purpose.tendering, Purpose.recruitment, Purpose.authorised_query}
)
