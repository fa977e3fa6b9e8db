#!/usr/bin/env bash
# Install the test dependencies into .venv and run the whole suite: ruff, mypy, import-linter, pytest.
# PostgreSQL tests run when XINYONG_TEST_DATABASE_URL is set; browser tests when Chromium is present
# (installed here with apt when running as root). What is skipped is said plainly.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e '.[test]'

need_apt=()
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || need_apt+=(fonts-noto-cjk)
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "安装系统软件包：${need_apt[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
  else
    echo "注意：缺少 ${need_apt[*]}，且无法用 apt 安装（需要 root 和 apt-get）。浏览器测试将被跳过。"
  fi
fi
if [ -z "${XINYONG_TEST_DATABASE_URL:-}" ]; then
  echo "注意：未设置 XINYONG_TEST_DATABASE_URL，PostgreSQL 测试将被跳过（CI 中不允许跳过）。"
fi

echo "== ruff"
lint_dirs=()
for d in src tests bench; do [ -d "$d" ] && lint_dirs+=("$d"); done
.venv/bin/ruff check "${lint_dirs[@]}"
.venv/bin/ruff format --check "${lint_dirs[@]}"
echo "== mypy (strict: src, tests, bench)"
.venv/bin/mypy
echo "== import-linter (layers: docs/architecture.md)"
.venv/bin/lint-imports --no-cache
echo "== pytest"
.venv/bin/python -m pytest "$@"
