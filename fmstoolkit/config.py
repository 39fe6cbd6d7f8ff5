"""Settings, read from the environment (``FMS_*``) and from a ``.env`` file.

This is the only module that reads the environment. pydantic-settings is used because it already
does what we need (types, defaults, ``.env`` files, secrets kept out of ``repr``) and the rest of
the project validates with pydantic too.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

#: Files that mark the project's root folder, looked for from the working directory upwards.
ROOT_MARKERS = (".env", "pyproject.toml")


def project_root(start: Path | None = None) -> Path:
    """The folder relative settings are resolved against, and where ``.env`` is read.

    ``FMS_HOME`` when it is set; otherwise the nearest folder, from the working directory
    upwards, that holds a ``.env`` or a ``pyproject.toml`` (a checkout of fmstoolkit, or the
    agency's own folder with its ``.env``); otherwise the working directory itself. JupyterLab
    runs its kernels in ``notebooks/``: looking upwards is what makes them open the same
    ``data/fms.db`` as the command line started at the root.
    """
    home = os.environ.get("FMS_HOME")
    if home:
        return Path(home).expanduser().resolve()
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if any((folder / marker).is_file() for marker in ROOT_MARKERS):
            return folder
    return here


class Settings(BaseSettings):
    """Every setting of the toolkit. Defaults work out of the box on the demo database."""

    model_config = SettingsConfigDict(
        env_prefix="FMS_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    home: Path = Field(
        Path("."), description="Project root: relative paths are resolved against it."
    )
    db: Path = Field(Path("data/fms.db"), description="Operational database.")
    notes_db: Path = Field(Path("data/notes.db"), description="Published notes database.")
    timezone: str = Field("Europe/Paris", description="Time zone of the agency's day.")
    lang: Literal["fr", "en"] = Field("fr", description="Language of messages.")
    country: str = Field("FR", description="Country whose public holidays are skipped.")
    alumni_checkin_days: int = Field(90, ge=1, description="Days after closing an offboarding.")
    poll_reminder_hours: int = Field(
        48, ge=1, le=24 * 30, description="Hours before an unanswered availability question "
        "gets its one reminder."
    )
    availability_check_days: int = Field(
        30, ge=1, le=365, description="Days after which an active freelancer's availability "
        "is asked again (once a month)."
    )
    busy_timeout_seconds: float = Field(
        10.0, gt=0, le=600, description="How long a writer waits for another one to finish."
    )

    smtp_host: str = "127.0.0.1"
    smtp_port: int = 25
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_security: Literal["none", "starttls", "tls"] = "none"
    smtp_timeout: float = 30.0
    mail_from: str = "fmstoolkit <noreply@example.org>"
    mail_reply_to: str | None = None

    imap_host: str | None = Field(None, description="Mailbox where freelancers' replies arrive.")
    imap_port: int | None = Field(None, description="Default: 993 with tls, else 143.")
    imap_username: str | None = None
    imap_password: SecretStr | None = None
    imap_security: Literal["none", "starttls", "tls"] = "tls"
    imap_timeout: float = Field(30.0, gt=0)
    imap_folder: str = Field("INBOX", description="Folder the replies are read from.")
    imap_done_folder: str = Field(
        "fmstoolkit/traités", description="Where applied replies are moved ('/' separated)."
    )
    imap_left_folder: str | None = Field(
        None,
        description="Where replies left for the manager are moved; unset: they stay in "
        "FMS_IMAP_FOLDER, flagged.",
    )

    telegram_token: SecretStr | None = None
    telegram_api_url: str = "https://api.telegram.org/bot"
    telegram_bot_username: str | None = None
    telegram_webhook_url: str | None = Field(
        None, description="Public HTTPS URL Telegram posts updates to (webhook mode); unset: "
        "long polling."
    )
    telegram_webhook_listen: str = "127.0.0.1"
    telegram_webhook_port: int = Field(8443, ge=1, le=65535)
    telegram_webhook_path: str = "telegram"
    telegram_webhook_secret: SecretStr | None = None
    assistant_send_seconds: float = Field(
        5.0, gt=0, le=3600, description="How often the assistant sends what is due."
    )
    assistant_mail_seconds: float = Field(
        60.0, gt=0, le=3600, description="How often the assistant reads the replies mailbox."
    )

    manager_email: str | None = Field(
        None, description="The manager's address: digests, alerts and freelancers' yeses."
    )
    digest_hour: int = Field(
        8, ge=0, le=23, description="Hour of the agency's day after which the morning digest "
        "is sent (once a day)."
    )
    requalification_months: float = Field(
        6.0, gt=0, le=24, description="Months of missions over the window above which the "
        "manager is alerted (risk of requalification as employment)."
    )
    requalification_window_months: int = Field(
        12, ge=1, le=36, description="The window of the requalification alert, in months."
    )

    secret_key: SecretStr | None = Field(
        None,
        description="Signs Telegram button data; default: a random per-database secret kept "
        "beside the database (<db>-secret).",
    )

    outbox_max_attempts: int = Field(8, ge=1)
    outbox_lease_seconds: int = Field(20, ge=2, le=3600)
    sent_body_retention_days: int = Field(
        90,
        ge=0,
        description="Days the texts of sent, dead or cancelled messages are kept before "
        "`fms privacy purge` erases them (the message row stays).",
    )

    documents_dir: Path = Field(
        Path("data/documents"),
        description="Folder of the paperwork files (invoices received, contracts and NDAs), "
        "beside the database.",
    )
    paperwork_templates: Path | None = Field(
        None,
        description="Folder of the agency's own contract and NDA templates (default: "
        "<FMS_DOCUMENTS_DIR>/templates); a template missing there is the one fmstoolkit ships.",
    )
    contract_warning_days: int = Field(
        7, ge=0, le=365, description="Days before a mission starts from which a missing signed "
        "contract or NDA is warned about."
    )
    agency_name: str | None = Field(
        None, description="The agency's name on SEPA transfers, contracts and NDAs."
    )
    invoice_payment_days: int = Field(
        30, ge=1, le=365, description="Days after its receipt after which an unpaid invoice is "
        "flagged (digest, home app, `fms payments overdue`): 30 is the usual French limit."
    )
    agency_iban: str | None = Field(None, description="The account SEPA transfers are paid from.")
    agency_bic: str | None = Field(None, description="The BIC of the agency's bank.")

    datasette_port: int = 8001
    datasette_password_hash: SecretStr | None = None
    lab_port: int = 8888
    apps_port: int = Field(8866, ge=1, le=65535, description="Port of the Voila server of the "
                           "apps (`fms app`, `make run`).")

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(
                f"unknown time zone {value!r}: use a name such as Europe/Paris"
            ) from exc
        return value

    @model_validator(mode="after")
    def _resolve_paths(self) -> Settings:
        """Relative database paths are resolved once, against the project root."""
        self.home = self.home.expanduser().resolve()
        for name in ("db", "notes_db", "documents_dir", "paperwork_templates"):
            path = getattr(self, name)
            if path is None:
                continue
            path = path.expanduser()
            setattr(self, name, path if path.is_absolute() else self.home / path)
        return self


#: Settings whose value is never repeated in an error message.
SECRET_SETTINGS = ("password", "token", "secret", "hash")


class SettingsError(ValueError):
    """An ``FMS_*`` setting that does not validate: ``setting`` (its variable's name), pydantic's
    ``error`` (type, msg, ctx) and the ``value`` given (None for a secret).

    Not an FmsError: that family's sentences are translated in the settings' language, which
    cannot be read while the settings are invalid (errors -> i18n -> config). The CLI turns it
    into one sentence (``fmstoolkit.cli.common``)."""

    def __init__(self, setting: str, error: dict, value: object, lang: str = "fr") -> None:
        self.setting = setting
        self.error = error
        self.value = value
        self.lang = lang  # FMS_LANG when it is valid itself: the language to say it in
        super().__init__(f"{setting}: {error.get('msg', '')}")


class _Language(BaseSettings):
    """The language setting alone, read when another setting is invalid."""

    model_config = SettingsConfigDict(
        env_prefix="FMS_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )
    lang: Literal["fr", "en"] = "fr"


def _language(env_file: Path) -> str:
    try:
        return _Language(_env_file=env_file).lang
    except ValidationError:
        return "fr"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings of this process (cached; call ``reload_settings()`` after changing them).

    Read from the environment and from the ``.env`` of the project root (see
    :func:`project_root`), the environment winning. An invalid setting raises
    :class:`SettingsError` naming the first one that is wrong.
    """
    root = project_root()
    try:
        return Settings(home=root, _env_file=root / ".env")
    except ValidationError as exc:
        error = exc.errors(include_url=False)[0]
        name = str(error["loc"][0]) if error.get("loc") else "*"
        secret = any(word in name for word in SECRET_SETTINGS)
        raise SettingsError(f"FMS_{name.upper()}", dict(error),
                            None if secret else error.get("input"),
                            _language(root / ".env")) from None  # fmt: skip


def reload_settings() -> Settings:
    """Forget the cached settings and read them again (tests and long-running apps)."""
    get_settings.cache_clear()
    return get_settings()
