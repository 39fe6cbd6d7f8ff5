"""The email channel: outbox messages sent over SMTP with aiosmtplib.

aiosmtplib because the dispatcher is asyncio (the Telegram channel is too) and it is the
maintained asyncio SMTP client: STARTTLS, implicit TLS, login, timeouts, and exceptions that say
which side failed. One connection is opened per batch and reused for every message (reconnecting
once if the server dropped it).

Settings (``FMS_SMTP_*``): host, port, username / password (login when a username is set),
security ``none`` | ``starttls`` | ``tls`` (implicit TLS, usually port 465), timeout in seconds;
``FMS_MAIL_FROM`` and ``FMS_MAIL_REPLY_TO``.

Each email is multipart (plain text + HTML, attachments such as the mission's .ics), has a
Message-ID derived from the outbox id (a retry carries the same id, so mail software can spot a
duplicate), a Reply-To, and a List-Unsubscribe header (freelancers unsubscribe by replying). Its
bytes are written by :mod:`.mime` (why not the ``email`` package: see there) and handed to
``SMTP.sendmail`` as they are.

Failures, following SMTP's own split: 4xx replies, disconnects, timeouts and connection errors are
:class:`TemporaryFailure` (the outbox retries later); 5xx replies (recipient refused, message
refused) are :class:`PermanentFailure` with the server's text. The recipient's address is removed
from every reason before it leaves this module.
"""

from __future__ import annotations

import asyncio
import email.utils
import ssl
from typing import Any

import aiosmtplib

from ..config import Settings, get_settings
from .message import OutgoingMessage, PermanentFailure, TemporaryFailure
from .mime import email_bytes

CONNECTION_ERRORS = (
    aiosmtplib.SMTPServerDisconnected,
    aiosmtplib.SMTPConnectError,
    aiosmtplib.SMTPTimeoutError,
    asyncio.TimeoutError,
    ConnectionError,
)


def _reason(code: int | None, text: str, recipient: str) -> str:
    text = " ".join(str(text).split())
    if recipient:
        text = text.replace(recipient, "<recipient>")
    return f"{code} {text}" if code else text


class EmailChannel:
    """Async context manager sending :class:`OutgoingMessage` by SMTP on one connection.

    ``tls_context`` replaces the default certificate checks (tests pass one trusting their own
    certificate authority).
    """

    def __init__(
        self, settings: Settings | None = None, *, tls_context: ssl.SSLContext | None = None
    ) -> None:
        self.settings = settings or get_settings()
        self.tls_context = tls_context
        self._smtp: aiosmtplib.SMTP | None = None
        self._down: str | None = None
        self._unreachable = False  # _down because no server answered (not a refused login)
        self._sender: str | None = None

    def _client(self) -> aiosmtplib.SMTP:
        s = self.settings
        kwargs: dict[str, Any] = {
            "hostname": s.smtp_host,
            "port": s.smtp_port,
            "timeout": s.smtp_timeout,
            "use_tls": s.smtp_security == "tls",
            "start_tls": s.smtp_security == "starttls",
        }
        if s.smtp_username:
            kwargs["username"] = s.smtp_username
            kwargs["password"] = s.smtp_password.get_secret_value() if s.smtp_password else ""
        if self.tls_context is not None:
            kwargs["tls_context"] = self.tls_context
        return aiosmtplib.SMTP(**kwargs)

    async def _connect(self) -> aiosmtplib.SMTP:
        """Connect (and log in); a failure here fails the rest of the batch fast."""
        self._smtp = self._client()
        s = self.settings
        try:
            await self._smtp.connect()
        except aiosmtplib.SMTPAuthenticationError as exc:
            # The configuration is wrong, not the message: retry later (fix the settings, or
            # the messages die after outbox_max_attempts) rather than kill every message now.
            self._down = _reason(
                exc.code,
                f"SMTP login refused, check FMS_SMTP_USERNAME/PASSWORD: {exc.message}",
                "",
            )
        except (*CONNECTION_ERRORS, aiosmtplib.SMTPException, OSError) as exc:
            self._down = f"cannot connect to {s.smtp_host}:{s.smtp_port}: {exc}"
            self._unreachable = True
        if self._down:
            self._smtp = None
            raise TemporaryFailure(self._down, server_down=self._unreachable)
        return self._smtp

    async def __aenter__(self) -> EmailChannel:
        return self

    async def __aexit__(self, *exc_info: Any) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is not None and smtp.is_connected:
            try:
                await smtp.quit()
            except (TimeoutError, aiosmtplib.SMTPException, OSError):
                smtp.close()

    def _drop(self) -> None:
        if self._smtp is not None:
            self._smtp.close()
        self._smtp = None

    async def send(self, msg: OutgoingMessage) -> str:
        """Send one email; return its Message-ID (the provider id stored in the outbox)."""
        if self._down:
            raise TemporaryFailure(self._down, server_down=self._unreachable)
        s = self.settings
        data, mid = email_bytes(msg, mail_from=s.mail_from, reply_to=s.mail_reply_to)
        sender = self._sender or email.utils.parseaddr(s.mail_from)[1]
        self._sender = sender
        smtp = self._smtp
        if smtp is None or not smtp.is_connected:
            smtp = await self._connect()
        try:
            # an address that is not ASCII (zoé@exämple.org) needs the server's SMTPUTF8
            utf8 = ["SMTPUTF8"] if not (sender + msg.recipient).isascii() else []
            await smtp.sendmail(sender, [msg.recipient], data, mail_options=utf8)
        except aiosmtplib.SMTPRecipientsRefused as exc:
            refused = exc.recipients[0] if exc.recipients else None
            code = refused.code if refused else None
            reason = _reason(code, refused.message if refused else str(exc), msg.recipient)
            if code is not None and code >= 500:
                raise PermanentFailure(f"recipient refused: {reason}") from None
            raise TemporaryFailure(f"recipient refused for now: {reason}") from None
        except CONNECTION_ERRORS as exc:
            self._drop()
            raise TemporaryFailure(
                f"connection lost: {_reason(None, str(exc) or type(exc).__name__, msg.recipient)}"
            ) from None
        except aiosmtplib.SMTPResponseException as exc:
            reason = _reason(exc.code, exc.message, msg.recipient)
            if exc.code == 421:  # the server is closing the connection
                self._drop()
            if exc.code >= 500:
                raise PermanentFailure(reason) from None
            raise TemporaryFailure(reason) from None
        except (aiosmtplib.SMTPException, OSError) as exc:
            self._drop()
            raise TemporaryFailure(_reason(None, str(exc), msg.recipient)) from None
        return mid
