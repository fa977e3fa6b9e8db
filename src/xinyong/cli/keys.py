"""``xinyong keys rotate``: re-encrypt the personal data still sealed under an old key."""

from __future__ import annotations

import typer

from xinyong.cli.common import actor, clock, fail, out, sessions
from xinyong.config import cipher_from_settings, get_settings
from xinyong.kit.errors import DomainError
from xinyong.security.keys import rotate

app = typer.Typer(help="个人信息加密密钥", no_args_is_help=True)


@app.command("rotate")
def keys_rotate() -> None:
    """用当前密钥（XINYONG_DATA_KEY）重新加密仍由旧密钥（XINYONG_DATA_KEYS_OLD）加密的个人信息。"""
    try:
        report = rotate(sessions(), cipher_from_settings(get_settings()), actor=actor(), clock=clock())
    except DomainError as exc:
        fail(exc)
    for label, n in report.rotated.items():
        out.print(f"{label}：重新加密 {n} 个，原已为当前密钥 {report.current.get(label, 0)} 个")
    out.print(f"密钥轮换完成：共重新加密 {report.total_rotated} 个值")
