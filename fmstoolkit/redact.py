"""Keep secrets out of every log line and every stored error text: one redaction filter.

The secrets are the settings held as ``SecretStr`` (the bot token, the SMTP password, the
Datasette password hash, the secret key...). They can come back from a server in many forms:
a Bot API error page that echoes the request's URL holds the token as it is, URL-encoded
(``%3A`` for the colon), or lower-cased by a proxy; Python's ``repr`` of a payload escapes
quotes and backslashes. :class:`Redactor` replaces each of those forms, case-insensitively, by
``<secret>``.

One instance (:data:`REDACTOR`) serves everything:

* :func:`install_logging` puts it on every handler of the root logger (filters on a logger do
  not apply to records of its child loggers, filters on a handler see every record the handler
  writes), on logging's last-resort handler, and on the loggers of python-telegram-bot, httpx,
  httpcore and aiosmtplib themselves (for handlers someone else adds to them);
* :func:`scrub` is applied to every text stored from a server's answer (``outbox.last_error``)
  and to a traceback escaping the command line (:func:`install_excepthook`).

It also drops the parameters of PTB's debug lines "Calling Bot API endpoint ..." (chat ids and
message texts are not secrets, but personal data that has no place in a log).
"""

from __future__ import annotations

import html
import json
import logging
import re
import sys
import traceback
from collections.abc import Iterable
from types import TracebackType
from urllib.parse import quote, quote_plus

from pydantic import SecretStr

#: What a secret is replaced by.
MASK = "<secret>"
#: Loggers of the libraries that talk to servers with a secret (records logged on them directly
#: are filtered even if a handler is attached to them alone).
LIBRARY_LOGGERS = ("telegram", "telegram.ext", "httpx", "httpcore", "aiosmtplib")
#: PTB's debug lines that carry a call's parameters (chat ids, texts).
_PTB_CALL_LINES = ("Calling Bot API endpoint", "Call to Bot API endpoint")


def forms(secret: str) -> set[str]:
    """The forms a secret may take in a server's answer or a traceback.

    As it is, URL-encoded (every reserved character, or keeping ``/``, or with ``+`` for spaces),
    HTML-escaped, JSON- and repr-escaped; for a Telegram token (``<bot id>:<secret>``) also its
    secret part alone, which identifies the bot on its own. Case is handled by the matching.
    """
    secret = secret.strip()
    if not secret:
        return set()
    found = {
        secret,
        quote(secret, safe=""),
        quote(secret),
        quote_plus(secret),
        html.escape(secret),
        json.dumps(secret)[1:-1],
        repr(secret)[1:-1],
    }
    bot_id, colon, rest = secret.partition(":")
    if colon and bot_id.isdigit() and len(rest) >= 16:
        found |= forms(rest)
    return {form for form in found if form}


class Redactor(logging.Filter):
    """Replaces known secrets, case-insensitively and in all their forms, by ``<secret>``."""

    def __init__(self) -> None:
        super().__init__()
        self._secrets: set[str] = set()
        self._pattern: re.Pattern[str] | None = None

    def add(self, *secrets: str | SecretStr | None) -> None:
        """Remember secrets to redact (empty ones and None are ignored)."""
        for secret in secrets:
            if isinstance(secret, SecretStr):
                secret = secret.get_secret_value()
            if secret:
                self._secrets |= forms(secret)
        if self._secrets:
            # Longest first, so that a form containing another is replaced whole.
            alternatives = sorted(self._secrets, key=len, reverse=True)
            self._pattern = re.compile(
                "|".join(re.escape(s) for s in alternatives), re.IGNORECASE
            )

    def scrub(self, text: str | None) -> str | None:
        """``text`` without any known secret (None stays None)."""
        if text is None or self._pattern is None:
            return text
        return self._pattern.sub(MASK, str(text))

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str) and record.msg.startswith(_PTB_CALL_LINES):
            endpoint = record.args[0] if isinstance(record.args, tuple) and record.args else "?"
            record.msg, record.args = "Bot API endpoint `%s` (parameters not logged)", (endpoint,)
        if self._pattern is None:
            return True
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # arguments that do not fit the format
            message = f"{record.msg} {record.args}"
        scrubbed = self.scrub(message)
        if scrubbed != message:
            record.msg, record.args = scrubbed, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.scrub(record.exc_text)
        if record.stack_info:
            record.stack_info = self.scrub(record.stack_info)
        return True


#: The one redaction filter of the process.
REDACTOR = Redactor()


def add_secrets(*secrets: str | SecretStr | None) -> None:
    """Redact these secrets from now on (a channel adds the token it was given), and make sure
    the filter is on the handlers that exist (a notebook's, pytest's) and the library loggers."""
    REDACTOR.add(*secrets)
    _attach_everywhere()


def scrub(text: str | None) -> str | None:
    """``text`` without any known secret: apply to anything stored from a server's answer."""
    return REDACTOR.scrub(text)


def settings_secrets(settings: object) -> list[SecretStr]:
    """Every ``SecretStr`` value of a settings object."""
    fields = getattr(type(settings), "model_fields", {})
    values = (getattr(settings, name, None) for name in fields)
    return [value for value in values if isinstance(value, SecretStr)]


def _attach(handlers: Iterable[logging.Handler]) -> None:
    for handler in handlers:
        if REDACTOR not in handler.filters:
            handler.addFilter(REDACTOR)


class _Stderr(logging.StreamHandler):
    """Writes to whatever ``sys.stderr`` is at the time (click's test runner swaps it)."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property  # type: ignore[override]
    def stream(self):  # noqa: D102
        return sys.stderr

    @stream.setter
    def stream(self, value) -> None:
        pass


def install_logging(settings: object, *, level: int = logging.WARNING) -> None:
    """Log to stderr through the redaction filter, with every secret of ``settings`` known.

    Idempotent. Adds a stderr handler to the root logger when it has none, and the filter to
    every root handler, to logging's last resort and to :data:`LIBRARY_LOGGERS`.
    """
    root = logging.getLogger()
    if not root.handlers:
        handler = _Stderr()
        handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        root.addHandler(handler)
        root.setLevel(level)
    add_secrets(*settings_secrets(settings))


def _attach_everywhere() -> None:
    _attach(logging.getLogger().handlers)
    if logging.lastResort is not None:
        _attach([logging.lastResort])
    for name in LIBRARY_LOGGERS:
        library = logging.getLogger(name)
        if REDACTOR not in library.filters:
            library.addFilter(REDACTOR)
        _attach(library.handlers)


def _excepthook(
    kind: type[BaseException], error: BaseException, tb: TracebackType | None
) -> None:
    text = "".join(traceback.format_exception(kind, error, tb))
    sys.stderr.write(scrub(text) or "")


def install_excepthook() -> None:
    """A traceback that escapes anyway (a bug) is printed without the secrets."""
    sys.excepthook = _excepthook
