"""What a request may carry: ids past the databases' integers, days that do not exist or lie at the end of
the calendar (the parameter types of ``xinyong.web``)."""

from __future__ import annotations

import pytest

from xinyong.web import MAX_ROW_ID

from secworld import PURPOSE, RecordingClient, World, bearer, client, world  # noqa: F401

# --- parameters: ids past the databases' integers, days that do not exist ---

PAST_INTEGER = [MAX_ROW_ID + 1, 2**63, 2**64]


@pytest.mark.parametrize("big", PAST_INTEGER)
def test_an_id_past_the_databases_integers_is_a_bad_parameter(
    client: RecordingClient, world: World, big: int
) -> None:
    calls = [
        ("GET", f"/api/v1/records/{big}", "admin", PURPOSE),
        ("GET", f"/api/v1/subjects/{big}/file", "admin", PURPOSE),
        ("GET", f"/api/v1/public/subjects/{big}", None, {}),
        ("GET", f"/api/v1/agency/subjects/{big}/file", "agency", {}),
        ("DELETE", f"/api/v1/me/authorisations/{big}", "person", {}),
        ("GET", "/api/v1/audit/query-log", "auditor", {"subject_id": big}),
        ("GET", "/api/v1/audit/query-log", "auditor", {"department_id": big}),
        ("GET", "/api/v1/me/query-log", "person", {"offset": 2**64}),
    ]
    for method, url, who, params in calls:
        headers = bearer(world, who) if who else {}
        answer = client.request(method, url, params=params, headers=headers)
        assert answer.status_code == 422, (method, url, params)
        assert answer.json()["code"] == "REQUEST_INVALID"


def test_the_largest_id_is_looked_up_and_not_found(client: RecordingClient, world: World) -> None:
    answer = client.get(f"/api/v1/records/{MAX_ROW_ID}", params=PURPOSE, headers=bearer(world, "admin"))
    assert answer.status_code == 404 and answer.json()["code"] == "RECORD_NOT_FOUND"


def test_a_day_that_does_not_exist_is_named_as_such(client: RecordingClient, world: World) -> None:
    answer = client.get("/api/v1/workdays/add", params={"start": "2025-02-30", "n": 1})
    assert answer.status_code == 422
    (problem,) = answer.json()["details"]["errors"]
    assert problem["field"] == "query.start" and problem["type"] == "nonexistent_date"
    assert problem["message"] == "日期不存在：2025-02-30（2025 年 2 月只有 28 天）"
    auditor = bearer(world, "auditor")
    answer = client.get("/api/v1/audit/query-log", params={"since": "2024-13-01"}, headers=auditor)
    assert answer.json()["details"]["errors"][0]["message"] == "日期不存在：2024-13-01（月份应为 01 至 12）"
    leap = client.get("/api/v1/workdays/add", params={"start": "2024-02-29", "n": 1})
    assert leap.status_code == 200
    wrong_format = client.get("/api/v1/workdays/add", params={"start": "2025/02/03", "n": 1})
    assert wrong_format.json()["details"]["errors"][0]["message"].startswith("应为日期（YYYY-MM-DD）")


def test_a_day_at_the_end_of_the_calendar_is_a_bad_parameter_not_a_server_error(
    client: RecordingClient, world: World
) -> None:
    auditor = bearer(world, "auditor")
    for params in ({"until": "9999-12-31"}, {"since": "0001-01-01"}, {"since": "3000-01-01"}):
        answer = client.get("/api/v1/audit/query-log", params=params, headers=auditor)
        assert answer.status_code == 422, params
        (problem,) = answer.json()["details"]["errors"]
        assert problem["message"] == "日期超出可处理的范围：应在 1900-01-01 至 2999-12-31 之间"
    answer = client.get("/api/v1/audit/query-log", params={"until": "0000-01-01"}, headers=auditor)
    assert answer.json()["details"]["errors"][0]["message"] == "日期不存在：0000-01-01（公元纪年没有 0 年）"
    answer = client.get("/api/v1/audit/query-log", params={"until": "2999-12-31"}, headers=auditor)
    assert answer.status_code == 200
