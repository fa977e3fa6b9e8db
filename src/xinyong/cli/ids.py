"""``xinyong check-id CODE``: the verdict on one identifier as JSON (exit status 1 when it is invalid)."""

from __future__ import annotations

import json

import typer

from xinyong.kit import ids


def check_id(code: str) -> None:
    """校验统一社会信用代码 / 身份证号码 / 旧注册号 / 组织机构代码，以 JSON 输出结论和解析结果。"""
    verdict = ids.classify(code)
    body = {
        "kind": verdict.kind,
        "input": verdict.raw,
        "valid": verdict.valid,
        "value": verdict.value,
        "error_code": verdict.error_code,
        "message": verdict.message,
        "parts": dict(verdict.parts),
        "warnings": [{"code": w.code, "message": w.message} for w in verdict.warnings],
    }
    print(json.dumps(body, ensure_ascii=False, indent=2, default=str))
    if not verdict.valid:
        raise typer.Exit(1)
