"""Settings, read from the environment (``FMS_*``) and from a ``.env`` file.

This is the only module that reads the environment. pydantic-settings is used because it already
does what we need (types, defaults, ``.env`` files, secrets kept out of ``repr``) and the rest of
the project validates with pydantic too.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

#: The repository root (where ``data/`` and ``notebooks/`` live).
ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "data"


class Settings(BaseSettings):
    """Every setting of the toolkit. Defaults work out of the box on the demo database."""

    model_config = SettingsConfigDict(
        env_prefix="FMS_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    db: Path = Field(DATA_DIR / "fms.db", description="Operational database.")
    notes_db: Path = Field(DATA_DIR / "notes.db", description="Published notes database.")
    lang: Literal["fr", "en"] = Field("fr", description="Language of messages.")
    country: str = Field("FR", description="Country whose public holidays are skipped.")
    alumni_checkin_days: int = Field(90, ge=1, description="Days after closing an offboarding.")

    smtp_host: str = "127.0.0.1"
    smtp_port: int = 25
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_security: Literal["none", "starttls", "tls"] = "none"
    smtp_timeout: float = 30.0
    mail_from: str = "fmstoolkit <noreply@example.org>"
    mail_reply_to: str | None = None

    telegram_token: SecretStr | None = None
    telegram_api_url: str = "https://api.telegram.org/bot"
    telegram_bot_username: str | None = None

    secret_key: SecretStr | None = Field(
        None,
        description="Signs Telegram button data; default: a random per-database secret kept "
        "beside the database (<db>-secret).",
    )

    outbox_max_attempts: int = Field(8, ge=1)
    outbox_lease_seconds: int = Field(300, ge=1)

    datasette_port: int = 8001
    datasette_password_hash: SecretStr | None = None
    lab_port: int = 8888


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings of this process (cached; call ``reload_settings()`` after changing them)."""
    return Settings()


def reload_settings() -> Settings:
    """Forget the cached settings and read them again (tests and long-running apps)."""
    get_settings.cache_clear()
    return get_settings()
