"""Signed callback data for Telegram inline buttons ("yes" to poll 12, ...).

Telegram hands the bot back whatever ``callback_data`` a button carried, and any client can send
any callback data it likes. So the data names what the button answers (``kind``, the object's
id, the value) and carries an HMAC-SHA256 of exactly that, keyed with a secret only this agency
has: a forged or edited button (another poll's id, another answer) fails :func:`verify`.
The MAC is truncated to 96 bits (16 base64url characters): far beyond guessing through the Bot
API, and it keeps the whole string within Telegram's 64-byte limit. The standard library's
``hmac`` is all this needs.

The secret is the ``secret_key`` setting (``FMS_SECRET_KEY``). When it is not set, a random
secret is made once per database and kept in a file beside it (``<database>-secret``, e.g.
``data/fms.db-secret``, readable by its owner only), so the bot and the dispatcher of the same
database agree on it without any setup, and it is never in the code or the notes database.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
import secrets
import time
from pathlib import Path
from typing import Any

from ..config import get_settings
from ..errors import InvalidInput

#: Telegram's limit on callback data, in bytes.
MAX_BYTES = 64
MAC_CHARS = 16  # 96 bits of HMAC-SHA256, base64url
_PART = re.compile(r"^[a-z0-9_]{1,16}$")

_cache: dict[str, bytes] = {}


def secret_file(db_path: str | Path | None = None) -> Path:
    """Where the per-database secret lives when ``FMS_SECRET_KEY`` is not set."""
    path = Path(db_path or get_settings().db)
    return path.with_name(path.name + "-secret")


def secret(db_path: str | Path | None = None) -> bytes:
    """The signing secret: ``FMS_SECRET_KEY``, else the database's own (made on first use)."""
    configured = get_settings().secret_key
    if configured is not None and configured.get_secret_value():
        return configured.get_secret_value().encode()
    path = secret_file(db_path).resolve()
    key = str(path)
    if key not in _cache:
        _cache[key] = _load_or_create(path)
    return _cache[key]


def secret_for(db: Any) -> bytes:
    """The secret of an open database (its file, whatever ``FMS_DB`` says): pass it as ``key=``
    when the database was opened from another path (``fms ... --db PATH``)."""
    row = db.execute("PRAGMA database_list").fetchone()
    return secret(row[2] or None)


def _load_or_create(path: Path) -> bytes:
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        for _ in range(100):  # a concurrent creator may not have written it yet
            value = path.read_text(encoding="ascii").strip()
            if value:
                return value.encode()
            time.sleep(0.01)
        raise RuntimeError(f"{path} is empty: delete it to make a new secret") from None
    value = secrets.token_urlsafe(32)
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.write(value + "\n")
    return value.encode()


def _mac(message: str, key: bytes) -> str:
    digest = hmac.new(key, message.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode()[:MAC_CHARS]


def sign(kind: str, obj_id: int, value: str, *, key: bytes | None = None) -> str:
    """``"poll:12:yes:<mac>"``: callback data for a button answering ``value`` to ``kind`` #id.

    ``kind`` and ``value`` are short lowercase words (``[a-z0-9_]``, at most 16 characters).
    """
    if not _PART.match(kind) or not _PART.match(value):
        raise ValueError(f"callback kind and value must match {_PART.pattern}")
    if isinstance(obj_id, bool) or not isinstance(obj_id, int) or obj_id < 0:
        raise ValueError("callback object id must be a non-negative integer")
    message = f"{kind}:{obj_id}:{value}"
    data = f"{message}:{_mac(message, key or secret())}"
    if len(data.encode()) > MAX_BYTES:  # cannot happen with the limits above; kept as a guard
        raise ValueError(f"callback data over {MAX_BYTES} bytes")
    return data


def verify(data: str, *, key: bytes | None = None) -> tuple[str, int, str]:
    """``(kind, obj_id, value)`` from data made by :func:`sign`; ``InvalidInput`` otherwise."""
    parts = data.split(":") if isinstance(data, str) else []
    if len(parts) == 4 and _PART.match(parts[0]) and _PART.match(parts[2]) and parts[1].isdigit():
        kind, obj_id, value, mac = parts
        expected = _mac(f"{kind}:{obj_id}:{value}", key or secret())
        if hmac.compare_digest(mac.encode(), expected.encode()):
            return kind, int(obj_id), value
    raise InvalidInput(
        "This button is not valid (it was changed or comes from another agency).",
        field="callback_data",
    )
