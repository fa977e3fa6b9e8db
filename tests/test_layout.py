"""The size rules of the house (docs/architecture.md): no module over 600 lines and no function over 80
lines, in the package, the tests and the benchmarks. Ruff checks complexity (C901 ≤ 12) and statements
(PLR0915 ≤ 50); it has no rule for lengths, so this test is where they are enforced. Alembic migrations
are exempt: a migration is a frozen record of a schema, never edited once released."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MAX_MODULE_LINES = 600
MAX_FUNCTION_LINES = 80


def _python_files() -> list[Path]:
    files = [
        *sorted((ROOT / "src" / "xinyong").rglob("*.py")),
        *sorted((ROOT / "tests").rglob("*.py")),
        *sorted((ROOT / "bench").rglob("*.py")),
    ]
    return [f for f in files if "migrations" not in f.parts]


def oversized(path: Path) -> list[str]:
    """What in ``path`` breaks the size rules, one line per finding."""
    text = path.read_text(encoding="utf-8")
    shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
    found = []
    lines = text.count("\n") + (0 if text.endswith("\n") else 1)
    if lines > MAX_MODULE_LINES:
        found.append(f"{shown}: {lines} lines (at most {MAX_MODULE_LINES})")
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.end_lineno is not None:
            length = node.end_lineno - node.lineno + 1
            if length > MAX_FUNCTION_LINES:
                where = f"{shown}:{node.lineno}"
                found.append(f"{where}: {node.name}() has {length} lines (at most {MAX_FUNCTION_LINES})")
    return found


def test_no_module_or_function_is_too_long() -> None:
    findings = [line for path in _python_files() for line in oversized(path)]
    assert not findings, "\n".join(findings)


@pytest.mark.parametrize("body_lines, module_lines", [(81, 0), (1, 601)])
def test_the_rule_catches_a_deliberate_violation(tmp_path: Path, body_lines: int, module_lines: int) -> None:
    sample = tmp_path / "probe.py"
    body = "".join("    x = 1\n" for _ in range(body_lines - 1))
    padding = "".join(f"# {i}\n" for i in range(module_lines))
    sample.write_text(f"def probe() -> None:\n{body}    return None\n{padding}", encoding="utf-8")
    assert oversized(sample), "a too long function or module went unnoticed"
