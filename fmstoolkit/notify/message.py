"""What the dispatcher hands a channel, and how a channel says that sending failed.

A channel (``email.EmailChannel``, ``telegram.TelegramChannel``) is an async context manager
(one connection reused for a batch) with ``async send(message) -> str`` returning the provider's
id of the sent message. It raises :class:`TemporaryFailure` for what may work later (the outbox
retries with backoff, honouring ``retry_after``) and :class:`PermanentFailure` for what never will
(the message is dead at once with the reason). Recipient addresses live only in memory here:
they are never written to a log line or to the outbox.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str  # e.g. "text/calendar"
    data: bytes


@dataclass(frozen=True)
class Button:
    """An inline-keyboard button: ``callback_data`` is at most 64 bytes (Telegram's limit)."""

    label: str
    callback_data: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class OutgoingMessage:
    outbox_id: int
    freelancer_id: int | None  # None: a message to the manager about no one
    kind: str
    channel: str  # "email" or "telegram"
    recipient: str  # email address or Telegram chat id: personal, never logged
    subject: str = ""
    text: str = ""  # plain text (email) or the Telegram text (already escaped for parse_mode)
    html: str | None = None
    parse_mode: str | None = "HTML"
    buttons: tuple[tuple[Button, ...], ...] = ()
    attachments: tuple[Attachment, ...] = ()
    headers: dict[str, str] = field(default_factory=dict)  # Reply-To, List-Unsubscribe, ...


class SendFailure(Exception):
    """Base of channel failures. ``reason`` is safe to store (no recipient address in it)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class TemporaryFailure(SendFailure):
    """May work later: network errors, 4xx SMTP replies, Telegram 429 / 5xx.

    ``server_down``: the channel's server could not be reached at all (no mail server
    listening, say). That is not the message's fault: the attempt is not counted, so messages
    wait in the outbox for as long as the server is away instead of dying of it.
    """

    def __init__(
        self, reason: str, retry_after: float | None = None, *, server_down: bool = False
    ) -> None:
        super().__init__(reason)
        self.retry_after = retry_after
        self.server_down = server_down


class PermanentFailure(SendFailure):
    """Will never work: recipient refused, user blocked the bot, chat not found."""

    def __init__(self, reason: str, *, channel_closed: bool = False) -> None:
        super().__init__(reason)
        #: True when the freelancer closed this channel (blocked the bot): the dispatcher marks
        #: the contact's channel closed and falls back to the other channel when there is one.
        self.channel_closed = channel_closed
