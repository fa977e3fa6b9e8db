"""Settings: one typed place for configuration, read from ``XINYONG_*`` environment variables, and the
installation's own keys, kept in the data directory.

Keys (``secret_key`` signs web sessions, ``data_key`` encrypts personal data, ``index_key`` is the secret of
the keyed hash that finds it) come, in this order, from the environment (``XINYONG_SECRET_KEY`` ...), from
the installation's key file ``<data_dir>/keys.json`` (mode 0600, written by ``xinyong init``, see
``security.keys.provision_keys``), or else:

* the session secret: a random one that lives as long as the process (nobody can sign a cookie with it,
  and a restart logs everyone out);
* the data and index keys: the development keys published in earlier versions (``LEGACY_*``), so that a
  development database written before keys were generated stays readable. They are refused in
  production and for serving on a non-loopback address, and ``xinyong init`` replaces them by keys of
  the installation's own while the database holds no personal data.

The data directory is ``XINYONG_DATA_DIR``; a relative path (the default ``data``) is taken from the
directory the command runs in.
"""

from __future__ import annotations

import base64
import ipaddress
import json
import os
import secrets
import stat
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from xinyong.kit.crypto import PersonalDataCipher, decode_key
from xinyong.kit.errors import DomainError

#: Keys published in the source of earlier versions: never used for anything new, refused in production.
LEGACY_SECRET_KEY = "xinyong-development-secret-key-change-me"
LEGACY_DATA_KEY = "eGlueW9uZy1kZXZlbG9wbWVudC1kYXRhLWtleS0zMmI="  # base64 of a 32-byte dev key
#: The keys an installation has of its own: what ``xinyong init`` writes when they are not configured.
INSTALLATION_KEYS: tuple[str, ...] = ("secret_key", "data_key", "index_key")
KEY_ENV = {name: f"XINYONG_{name.upper()}" for name in INSTALLATION_KEYS}
KEYS_FILE_NAME = "keys.json"
#: Signs this process's sessions when no secret key is configured or stored.
_PROCESS_SECRET = secrets.token_urlsafe(32)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="XINYONG_", env_file=".env", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    data_dir: Path = Field(
        default=Path("data"), description="数据目录 (SQLite 文件、密钥文件、导出文件)；相对路径按当前目录解析"
    )
    database_url: str = Field(default="", description="SQLAlchemy URL; empty means SQLite in data_dir")
    host: str = "127.0.0.1"
    port: int = 8000
    platform_name: str = "信用示范市公共信用信息平台"
    #: The administrative division (GB/T 2260) whose platform this is.
    platform_region: str = "320900"
    #: Signs web sessions. Empty: the key file's, else a random key of this process.
    secret_key: str = ""
    #: base64 of a 32-byte AES key, for personal data at rest. Older keys go in data_keys_old. Empty: the
    #: key file's, else the published development key (refused in production).
    data_key: str = ""
    data_keys_old: list[str] = Field(default_factory=list)
    #: Secret for the keyed hash that finds personal identifiers (never rotated with the data key, and
    #: kept apart from secret_key so that changing the session secret breaks no look-up). Empty: the key
    #: file's, else the configured secret key (as earlier versions did), else the published one.
    index_key: str = ""
    #: Addresses (or networks, ``10.0.0.0/8``) of reverse proxies whose ``X-Forwarded-For`` is believed.
    trusted_proxies: list[str] = Field(default_factory=list)
    #: Web sessions (signed cookie) last this long.
    session_hours: int = 8
    #: Requests per minute and client address on public (anonymous) routes.
    public_rate_limit: int = 120
    #: Longest grant a subject may give a credit service agency (授权查询); never unlimited.
    max_authorisation_days: int = 365
    #: Longest life of an API token.
    max_token_days: int = 365
    #: Failed logins in a row, per account and client address, before that address is locked out of the
    #: account, and for how long.
    login_max_failures: int = 5
    login_lockout_minutes: int = 15
    #: Login attempts per minute, per client address and per user name, whoever the caller is.
    login_rate_limit: int = 10

    @field_validator("trusted_proxies")
    @classmethod
    def _networks(cls, value: list[str]) -> list[str]:
        for entry in value:
            ipaddress.ip_network(entry.strip(), strict=False)  # ValueError: pydantic reports it
        return [entry.strip() for entry in value]

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'xinyong.sqlite3').resolve()}"

    @property
    def keys_file(self) -> Path:
        """The installation's key file (``<data_dir>/keys.json``), as an absolute path."""
        return (self.data_dir / KEYS_FILE_NAME).resolve()

    @property
    def session_secret(self) -> str:
        return self.secret_key or _PROCESS_SECRET

    @property
    def effective_data_key(self) -> str:
        return self.data_key or LEGACY_DATA_KEY

    @property
    def effective_index_key(self) -> str:
        return self.index_key or self.secret_key or LEGACY_SECRET_KEY

    def missing_keys(self) -> list[str]:
        """Installation keys neither configured nor stored in the key file."""
        return [name for name in INSTALLATION_KEYS if not getattr(self, name)]

    def published_keys(self) -> list[str]:
        """Environment names of the keys that are missing or published in the source: a session secret
        that will not survive a restart, a data or index key anyone can read in earlier versions."""
        weak = []
        if self.session_secret in (_PROCESS_SECRET, LEGACY_SECRET_KEY):
            weak.append(KEY_ENV["secret_key"])
        if self.effective_data_key == LEGACY_DATA_KEY:
            weak.append(KEY_ENV["data_key"])
        if self.effective_index_key == LEGACY_SECRET_KEY:
            weak.append(KEY_ENV["index_key"])
        return weak

    def check_production(self) -> None:
        """Refuse to run in production without keys of the installation's own."""
        if self.environment != "production":
            return
        weak = self.published_keys()
        if weak:
            raise DomainError(
                "生产模式下须使用本安装自己的密钥（xinyong init 生成，或设置环境变量），"
                f"不得缺省或使用源码中公开的开发密钥：{'、'.join(weak)}",
                code="CONFIG_DEFAULT_KEY",
                status=500,
                details={"keys": weak},
            )
        if not self.index_key or self.index_key == self.secret_key:
            raise DomainError(
                "生产模式下须单独设置个人信息检索密钥 XINYONG_INDEX_KEY（不同于 XINYONG_SECRET_KEY）",
                code="CONFIG_INDEX_KEY_REQUIRED",
                status=500,
            )


# --- the installation's key file --------------------------------------------------------------------


class KeysFileError(DomainError):
    code = "CONFIG_KEYS_FILE"
    status = 500


def read_keys_file(path: Path) -> dict[str, str]:
    """The keys stored in ``path`` ({} when there is no such file). A file others may read is refused."""
    try:
        info = path.stat()
    except FileNotFoundError:
        return {}
    if info.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise KeysFileError(
            f"密钥文件 {path} 的权限过宽（{stat.filemode(info.st_mode)}），只应本账户可读写："
            f"请执行 chmod 600 {path}",
            code="CONFIG_KEYS_FILE_MODE",
        )
    try:
        stored = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise KeysFileError(f"密钥文件 {path} 无法读取：{exc}") from exc
    if not isinstance(stored, dict) or not all(isinstance(v, str) for v in stored.values()):
        raise KeysFileError(f"密钥文件 {path} 格式不正确：应为 JSON 对象，值为字符串")
    return {name: value for name, value in stored.items() if name in INSTALLATION_KEYS and value}


def add_to_keys_file(path: Path, keys: dict[str, str]) -> None:
    """Add ``keys`` to the key file (created with mode 0600, its directory with 0700). A key the file
    already holds is never replaced: asking to is an error."""
    stored = read_keys_file(path)
    clash = sorted(set(stored) & set(keys))
    if clash:
        raise KeysFileError(f"密钥文件 {path} 已有 {'、'.join(clash)}，不会被替换", code="CONFIG_KEYS_EXIST")
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump({**stored, **keys}, out, indent=2, sort_keys=True)
        out.write("\n")
        out.flush()
        os.fsync(out.fileno())
    try:
        if stored:
            os.replace(tmp, path)
        else:  # a new file: created only if no other process made one meanwhile
            os.link(tmp, path)
    except FileExistsError:
        raise KeysFileError(
            f"密钥文件 {path} 刚由另一进程生成，未被替换：请重新运行命令", code="CONFIG_KEYS_EXIST"
        ) from None
    finally:
        tmp.unlink(missing_ok=True)


def new_key(name: str) -> str:
    """A fresh random value for the installation key ``name`` (32 random bytes)."""
    if name == "data_key":
        return base64.b64encode(secrets.token_bytes(32)).decode()
    return secrets.token_urlsafe(32)


def load_settings() -> Settings:
    """The environment's settings, with the keys it does not configure taken from the key file."""
    settings = Settings()
    stored = read_keys_file(settings.keys_file)
    return settings.model_copy(update={k: v for k, v in stored.items() if not getattr(settings, k)})


@lru_cache
def get_settings() -> Settings:
    return load_settings()


def cipher_from_settings(settings: Settings | None = None) -> PersonalDataCipher:
    """The cipher every entry point uses (app, serve, ingest, users, keys, demo). In production it refuses
    the keys that ship with the source and an index key equal to the secret key (``check_production``),
    so no command can write personal data under a public key."""
    s = settings or get_settings()
    s.check_production()
    return PersonalDataCipher(
        decode_key(s.effective_data_key),
        [decode_key(k) for k in s.data_keys_old],
        index_secret=s.effective_index_key,
    )
