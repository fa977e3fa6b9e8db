"""Settings: one typed place for configuration, read from ``XINYONG_*`` environment variables."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from xinyong.kit.crypto import PersonalDataCipher, decode_key
from xinyong.kit.errors import DomainError

#: Keys that ship with the source. Fine for a laptop; refused in production (see ``check_production``).
DEFAULT_SECRET_KEY = "xinyong-development-secret-key-change-me"
DEFAULT_DATA_KEY = "eGlueW9uZy1kZXZlbG9wbWVudC1kYXRhLWtleS0zMmI="  # base64 of a 32-byte dev key


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="XINYONG_", env_file=".env", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    data_dir: Path = Field(default=Path("data"), description="数据目录 (SQLite 文件、导出文件)")
    database_url: str = Field(default="", description="SQLAlchemy URL; empty means SQLite in data_dir")
    host: str = "127.0.0.1"
    port: int = 8000
    platform_name: str = "信用示范市公共信用信息平台"
    #: The administrative division (GB/T 2260) whose platform this is.
    platform_region: str = "320900"
    secret_key: str = DEFAULT_SECRET_KEY
    #: base64 of a 32-byte AES key, for personal data at rest. Older keys go in data_keys_old.
    data_key: str = DEFAULT_DATA_KEY
    data_keys_old: list[str] = Field(default_factory=list)
    #: Secret for the keyed hash that finds personal identifiers (never rotated with the data key, and
    #: kept apart from secret_key so that changing the session secret breaks no look-up). Empty: derived
    #: from secret_key, which is refused in production.
    index_key: str = ""
    #: Web sessions (signed cookie) last this long.
    session_hours: int = 8
    #: Requests per minute and client address on public (anonymous) routes.
    public_rate_limit: int = 120
    #: Longest grant a subject may give a credit service agency (授权查询); never unlimited.
    max_authorisation_days: int = 365
    #: Longest life of an API token.
    max_token_days: int = 365
    #: Failed logins in a row before an account is locked, and for how long.
    login_max_failures: int = 5
    login_lockout_minutes: int = 15
    #: Login attempts per minute, per client address and per user name, whoever the caller is.
    login_rate_limit: int = 10

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'xinyong.sqlite3').resolve()}"

    def check_production(self) -> None:
        """Refuse to run in production with a key that ships in the source."""
        if self.environment != "production":
            return
        if self.secret_key == DEFAULT_SECRET_KEY or self.data_key == DEFAULT_DATA_KEY:
            raise DomainError(
                "生产模式下不得使用默认密钥：请设置 XINYONG_SECRET_KEY 和 XINYONG_DATA_KEY",
                code="CONFIG_DEFAULT_KEY",
                status=500,
            )
        if not self.index_key or self.index_key == self.secret_key:
            raise DomainError(
                "生产模式下须单独设置个人信息检索密钥 XINYONG_INDEX_KEY（不同于 XINYONG_SECRET_KEY）",
                code="CONFIG_INDEX_KEY_REQUIRED",
                status=500,
            )

    @property
    def effective_index_key(self) -> str:
        return self.index_key or self.secret_key


@lru_cache
def get_settings() -> Settings:
    return Settings()


def cipher_from_settings(settings: Settings | None = None) -> PersonalDataCipher:
    """The cipher every entry point uses (app, serve, ingest, users, keys, demo). In production it refuses
    the keys that ship with the source and an index key equal to the secret key (``check_production``),
    so no command can write personal data under a public key."""
    s = settings or get_settings()
    s.check_production()
    return PersonalDataCipher(
        decode_key(s.data_key), [decode_key(k) for k in s.data_keys_old], index_secret=s.effective_index_key
    )
