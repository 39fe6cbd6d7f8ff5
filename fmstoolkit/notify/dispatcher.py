"""Drain the outbox: send what is due through the email and Telegram channels.

``drain()`` claims due messages in batches of :data:`BATCH` (with a token and a lease, see
:mod:`.claims`), decides for each one the channel it goes through, looks the recipient up in
``contacts`` (in memory only), and sends through one channel object per channel, opened once for
the whole drain (one SMTP connection, one Telegram session).

Leases: while a batch is being sent, a task renews its lease every quarter of
``outbox_lease_seconds`` (20 s by default, so every 5 s), however long the batch takes; no other
sender can take those messages meanwhile. What happened is recorded under the batch's token: a
result for a message this sender no longer holds (it was paused past its lease and another
sender took over, or someone ran ``fms outbox retry``) changes nothing, is logged (ids only) and
counted as ``lost`` in the summary. Email outcomes are recorded in one transaction per
:data:`RECORD_EVERY` messages (16), or after :data:`RECORD_WITHIN` seconds (0.25) at the
latest; Telegram outcomes one by one as they come.

After a crash (``kill -9``): the sender's unsent messages are claimed again once its lease runs
out (seconds later), by the next ``fms outbox send``. An email that the server accepted but that
was not yet recorded is sent twice: at most ``RECORD_EVERY`` (16) emails per crash, and only
those the server accepted in the last quarter-second before it; plus at most
``TELEGRAM_CONCURRENCY`` (32) Telegram messages in flight. ``tests/test_outbox_crash.py`` kills a
real sender mid-batch behind an SMTP server answering in 0.15 s: 2 emails were in flight and
sent twice, every other message exactly once.

Channel choice: a message for channel ``preferred`` goes through the contact's preferred
channel; Telegram falls back to email when the freelancer has no Telegram chat, closed it
(blocked the bot) or Telegram is not configured. When Telegram says "blocked" while sending, the
contact's Telegram channel is marked closed and the message is queued again on email.
Freelancers who opted out since the message was queued get it cancelled, with the reason.
Messages to the manager (``recipient = 'manager'``) go to the manager's linked chat or to
``FMS_MANAGER_EMAIL`` (:mod:`.recipients`), whatever the freelancer they are about decided.

A server that cannot be reached at all (no mail server listening at ``FMS_SMTP_HOST``, no
network to Telegram) is not the messages' fault: their attempt is given back and they wait a
minute (:data:`fmstoolkit.notify.outbox.SERVER_DOWN_RETRY`), however long the server is away;
the summary's ``down`` says which channel and why, so that the assistant and ``fms outbox send``
can say it once, with the settings to check.

Tests and benchmarks pass their own channel objects with ``channels=``.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import re
import sqlite3
import threading
from collections.abc import Callable
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

import sqlite_utils

from .. import manager_chat, redact
from ..actions import freelancers
from ..actions import messages as _messages  # noqa: F401 - registers what "sent" means per kind
from ..config import Settings, get_settings
from ..errors import DatabaseError
from . import claims, outbox
from .email import EmailChannel
from .message import (
    Attachment,
    Button,
    OutgoingMessage,
    PermanentFailure,
    SendFailure,
    TemporaryFailure,
)
from .telegram import TelegramChannel

#: Messages claimed at once. Small enough that a crash strands few messages for one lease,
#: large enough that claiming costs nothing next to sending.
BATCH = 50
#: Telegram messages in flight at once (the channel itself keeps to Telegram's rate limits).
TELEGRAM_CONCURRENCY = 32
#: Email outcomes recorded in one transaction: at most this many, at most this late (seconds).
RECORD_EVERY = 16
RECORD_WITHIN = 0.25
#: The settings that say where each channel's server is, for the sentence when it cannot be
#: reached (the summary's ``down``).
SERVER_SETTINGS = {"email": "FMS_SMTP_HOST, FMS_SMTP_PORT", "telegram": "FMS_TELEGRAM_API_URL"}

log = logging.getLogger(__name__)


def file_attachments(payload: dict[str, Any], settings: Settings) -> tuple[Attachment, ...]:
    """The files a message carries (``payload["files"]``: ``{"file", "filename", "type"}``,
    ``file`` a name inside ``FMS_DOCUMENTS_DIR``), read when the e-mail is built: the outbox
    keeps the reference, never the bytes, and no log line holds them. A file gone from the
    folder raises OSError (the message is then dead, with the file's name)."""
    return tuple(
        Attachment(item["filename"], item.get("type") or "application/pdf",
                   (settings.documents_dir / Path(item["file"]).name).read_bytes())
        for item in payload.get("files") or ()
    )  # fmt: skip


def build_message(
    msg: dict[str, Any], channel: str, contact: dict[str, Any], settings: Settings | None = None
) -> OutgoingMessage:
    """What the channel sends: the stored texts, the recipient from ``contacts`` (memory only),
    the attachments (the mission's .ics, the files of ``payload["files"]``)."""
    payload = msg["payload"]
    if channel == "telegram":
        buttons = tuple(
            tuple(Button(b["label"], b.get("callback_data"), b.get("url")) for b in row)
            for row in payload.get("buttons", [])
        )
        return OutgoingMessage(
            outbox_id=msg["id"],
            freelancer_id=msg["freelancer_id"],
            kind=msg["kind"],
            channel="telegram",
            recipient=str(contact["telegram_chat_id"]),
            text=payload.get("telegram") or msg["body"],
            parse_mode="HTML",
            buttons=buttons,
        )
    text, html = msg["body"], msg["html"]
    if outbox.CONNECT_URL in (text or "") + (html or ""):
        bot, token = payload.get("bot"), contact.get("telegram_link_token")
        link = f"https://t.me/{bot}?start={token}" if bot and token else ""
        text = text.replace(outbox.CONNECT_URL, link)
        html = html.replace(outbox.CONNECT_URL, link) if html else html
    attachments = ()
    if payload.get("ics"):
        attachments = (
            Attachment(
                f"mission-{payload.get('mission_id', msg['id'])}.ics",
                "text/calendar",
                payload["ics"].encode(),
            ),
        )
    attachments += file_attachments(payload, settings or get_settings())
    return OutgoingMessage(
        outbox_id=msg["id"],
        freelancer_id=msg["freelancer_id"],
        kind=msg["kind"],
        channel="email",
        recipient=contact["email"],
        subject=msg["subject"] or "",
        text=text or "",
        html=html,
        parse_mode=None,
        attachments=attachments,
    )


def default_channel(name: str, settings: Settings) -> Any | None:
    """The real channel object for ``name``, or None when it cannot be used here."""
    if name == "email":
        return EmailChannel(settings)
    if name == "telegram":
        if settings.telegram_token is None:
            return None
        return TelegramChannel(settings)
    raise ValueError(f"unknown channel {name}")


def _scrub(reason: str, recipient: str | None) -> str:
    """A server's answer fit to store: no recipient (any case) and no secret in any form
    (:func:`fmstoolkit.redact.scrub`: the bot token, the SMTP password...)."""
    reason = redact.scrub(str(reason)) or ""
    if recipient:
        reason = re.sub(re.escape(recipient), "<recipient>", reason, flags=re.IGNORECASE)
    return reason


class _Drain:
    def __init__(self, db, *, limit, channels, progress, now, settings):
        self.db = db
        self.limit = limit
        self.settings = settings
        self.given = dict(channels or {})
        self.opened: dict[str, Any] = {}
        self.failed_open: dict[str, str] = {}
        self.unreachable: set[str] = set()  # of failed_open: no server answered
        self.contacts: dict[tuple, dict[str, Any]] = {}  # of the batch being sent: memory only
        self.progress = progress
        self.grow_total = progress is not None and not getattr(progress, "total", None)
        self.now = now
        self.summary = {
            "claimed": 0,
            "sent": 0,
            "retry": 0,
            "dead": 0,
            "cancelled": 0,
            "requeued": 0,
            "lost": 0,
            "by_channel": {"email": 0, "telegram": 0},
            # channel -> why its server could not be reached: its messages wait, uncounted
            "down": {},
        }

    def _now(self) -> dt.datetime:
        return self.now() if callable(self.now) else (self.now or outbox.utcnow())

    def telegram_available(self) -> bool:
        if "telegram" in self.given:
            return self.given["telegram"] is not None
        return self.settings.telegram_token is not None

    async def channel(self, stack: AsyncExitStack, name: str):
        """Open channel ``name`` once per drain (raises SendFailure when it cannot open)."""
        if name in self.failed_open:
            raise TemporaryFailure(self.failed_open[name], server_down=name in self.unreachable)
        if name not in self.opened:
            obj = self.given[name] if name in self.given else default_channel(name, self.settings)
            if obj is None:
                raise TemporaryFailure(f"the {name} channel is not configured")
            try:
                self.opened[name] = await stack.enter_async_context(obj)
            except SendFailure as exc:
                self.failed_open[name] = exc.reason
                raise
            except (TimeoutError, OSError) as exc:
                self.failed_open[name] = f"{name} channel unavailable: {exc}"
                self.unreachable.add(name)
                raise TemporaryFailure(self.failed_open[name], server_down=True) from exc
        return self.opened[name]

    def tick(self) -> None:
        if self.progress is not None:
            self.progress.update(1)

    def prepare(self, msg: dict[str, Any]) -> tuple[str, OutgoingMessage, dict] | None:
        """Channel and message to send, or None when the message is settled without sending
        (opted out: cancelled; nobody to send to: dead)."""
        db = self.db
        contact = self.contacts.get(outbox.recipient_key(msg), {})
        reason = outbox.silenced_reason(contact)
        if reason:
            done = outbox.mark_cancelled(db, msg["id"], reason, message=msg)
            self.summary["cancelled" if done else "lost"] += 1
            return None
        name = outbox.choose_channel(msg, contact, self.telegram_available())
        # only Telegram, and it is not set up here
        if name is None and outbox.telegram_open(contact):
            self._failed(
                msg, "telegram", "the Telegram channel is not configured (FMS_TELEGRAM_TOKEN)"
            )
            return None
        if name is None:
            nobody = "no email address or open Telegram chat for this freelancer"
            if msg.get("recipient") == "manager":
                nobody = outbox.NO_MANAGER
            self._failed(msg, "", nobody, permanent=True)
            return None
        try:
            out = build_message(msg, name, contact, self.settings)
        except OSError as exc:  # an attached file was removed from the documents folder
            missing = Path(exc.filename or "").name or "?"
            self._failed(msg, name, f"attachment {missing} is missing from FMS_DOCUMENTS_DIR",
                         permanent=True)  # fmt: skip
            return None
        return name, out, contact

    def _failed(self, msg, name: str, reason: str, **kwargs: Any) -> None:
        status = outbox.mark_failed(
            self.db,
            msg["id"],
            f"{name}: {redact.scrub(reason)}" if name else redact.scrub(reason),
            now=self._now(),
            message=msg,
            **kwargs,
        )
        self.summary[{"dead": "dead", "pending": "retry"}.get(status, "lost")] += 1

    async def attempt(self, stack, msg, name: str, out: OutgoingMessage, contact: dict):
        """Send one message; return what happened (never raises: a channel bug is a failure)."""
        try:
            channel = await self.channel(stack, name)
            return await channel.send(out), None
        except Exception as exc:  # recorded by record(), so no message is left in limbo
            return None, exc

    def record(self, msg, name: str, out: OutgoingMessage, contact: dict, outcome) -> None:
        """Record the outcome of :meth:`attempt` on the message (under the claim's token)."""
        db = self.db
        provider_id, exc = outcome
        self.tick()
        if isinstance(exc, PermanentFailure):
            reason = _scrub(exc.reason, out.recipient)
            if exc.channel_closed and name == "telegram":
                if msg.get("recipient") == "manager":
                    manager_chat.close(db)
                else:
                    freelancers.close_telegram_chat(db, msg["freelancer_id"])
                if contact.get("email"):
                    done = outbox.requeue(
                        db, msg["id"], "email", f"telegram: {reason}", self._now(), message=msg
                    )
                    self.summary["requeued" if done else "lost"] += 1
                    return
            self._failed(msg, name, reason, permanent=True)
        elif isinstance(exc, TemporaryFailure):
            reason = _scrub(exc.reason, out.recipient)
            if exc.server_down:
                self.summary["down"][name] = reason
            self._failed(
                msg, name, reason, retry_after=exc.retry_after, counted=not exc.server_down
            )
        elif exc is not None:
            self._failed(msg, name, f"{type(exc).__name__}: {_scrub(str(exc), out.recipient)}")
        elif outbox.mark_sent(
            db,
            msg["id"],
            channel=name,
            provider_id=provider_id and str(provider_id),
            now=self._now(),
            message=msg,
        ):
            self.summary["sent"] += 1
            self.summary["by_channel"][name] += 1
        else:
            self.summary["lost"] += 1

    def flush(self, done: list) -> None:
        """Record the outcomes in ``done`` in one transaction (each under the claim's token)."""
        if done:
            with self.db.atomic():
                for item in done:
                    self.record(*item)
            done.clear()

    async def one_by_one(self, stack, items) -> None:
        """Email: one message at a time on the one connection; outcomes are recorded in one
        transaction per :data:`RECORD_EVERY` messages, or sooner when :data:`RECORD_WITHIN`
        seconds passed since the oldest unrecorded one (a commit per message cost as much as
        the rest of the outbox's work). A crash can thus leave up to ``RECORD_EVERY`` emails
        sent but not recorded: the duplicate bound of the module's docstring."""
        loop = asyncio.get_running_loop()
        done: list = []
        oldest = 0.0
        for item in items:
            outcome = await self.attempt(stack, *item)
            if not done:
                oldest = loop.time()
            done.append((*item, outcome))
            if len(done) >= RECORD_EVERY or loop.time() - oldest >= RECORD_WITHIN:
                self.flush(done)
        self.flush(done)

    async def send_batch(self, stack: AsyncExitStack, batch: list[dict[str, Any]]) -> None:
        """Email one after the other on its one connection; Telegram concurrently (its channel
        paces the sends to Telegram's limits, so one slow chat does not hold up the others)."""
        groups: dict[str, list] = {"email": [], "telegram": []}
        self.contacts = outbox.recipients_of(self.db, batch)
        for msg in batch:
            prepared = self.prepare(msg)
            if prepared is None:
                self.tick()
                continue
            name, out, contact = prepared
            groups[name].append((msg, name, out, contact))
        for name, items in groups.items():
            if items:
                try:  # open each channel once, before any concurrent send
                    await self.channel(stack, name)
                except SendFailure:
                    pass  # each message records the reason in record()

        async def concurrently(items, limit: int) -> None:
            gate = asyncio.Semaphore(limit)

            async def one(item) -> None:
                async with gate:
                    self.record(*item, await self.attempt(stack, *item))

            await asyncio.gather(*(one(item) for item in items))

        await asyncio.gather(
            self.one_by_one(stack, groups["email"]),
            concurrently(groups["telegram"], TELEGRAM_CONCURRENCY),
        )

    async def run(self) -> dict[str, Any]:
        remaining = self.limit
        async with AsyncExitStack() as stack:
            while remaining is None or remaining > 0:
                size = BATCH if remaining is None else min(BATCH, remaining)
                batch = claims.claim(self.db, limit=size, now=self._now())
                if not batch:
                    break
                self.summary["claimed"] += len(batch)
                if self.grow_total:
                    self.progress.total = (self.progress.total or 0) + len(batch)
                    self.progress.refresh()
                if remaining is not None:
                    remaining -= len(batch)
                async with self.holding(batch[0]["claim_token"]):
                    await self.send_batch(stack, batch)
        return self.summary

    @contextlib.asynccontextmanager
    async def holding(self, token: str):
        """Renew the lease of claim ``token`` in the background while the batch is sent."""
        keeper = asyncio.create_task(self.renew(token))
        try:
            yield
        finally:
            keeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await keeper

    async def renew(self, token: str) -> None:
        every = claims.renew_every()
        while True:
            await asyncio.sleep(every)
            try:
                held = claims.renew(self.db, token, now=self._now())
            except (sqlite3.OperationalError, DatabaseError) as exc:  # busy: try next time
                log.warning("could not renew the outbox lease: %s", exc)
                continue
            if not held:
                return


async def drain_async(
    db: sqlite_utils.Database,
    *,
    limit: int | None = None,
    channels: dict[str, Any] | None = None,
    progress: Any | None = None,
    now: dt.datetime | Callable[[], dt.datetime] | None = None,
    settings: Settings | None = None,
) -> dict[str, Any]:
    """:func:`drain` for code already inside an event loop."""
    runner = _Drain(
        db,
        limit=limit,
        channels=channels,
        progress=progress,
        now=now,
        settings=settings or get_settings(),
    )
    return await runner.run()


def drain(
    db: sqlite_utils.Database,
    *,
    limit: int | None = None,
    channels: dict[str, Any] | None = None,
    progress: Any | None = None,
    now: dt.datetime | Callable[[], dt.datetime] | None = None,
    settings: Settings | None = None,
) -> dict[str, Any]:
    """Send up to ``limit`` due messages (all when None); return a summary.

    Summary: ``claimed``, ``sent``, ``retry`` (failed for now, will be tried again), ``dead``,
    ``cancelled`` (opted out), ``requeued`` (Telegram closed: queued again on email, and sent in
    the same drain when possible), ``by_channel`` (sent per channel), ``counts`` (outbox totals
    per status afterwards). ``channels`` maps "email"/"telegram" to channel objects (async
    context managers with ``async send(message)``), replacing the real ones; None for a name
    means that channel is not available. ``progress`` is a tqdm-like object (``update``,
    ``total``, ``refresh``). Works from a notebook too: when an event loop is already running
    in this thread, the drain runs in a helper thread with its own loop.
    """
    kwargs = dict(limit=limit, channels=channels, progress=progress, now=now, settings=settings)
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        summary = asyncio.run(drain_async(db, **kwargs))
    else:
        result: dict[str, Any] = {}

        def target() -> None:
            try:
                result["summary"] = asyncio.run(drain_async(db, **kwargs))
            except BaseException as exc:  # re-raised in the caller's thread
                result["error"] = exc

        thread = threading.Thread(target=target, name="fms-outbox-drain")
        thread.start()
        thread.join()
        if "error" in result:
            raise result["error"]
        summary = result["summary"]
    summary["counts"] = outbox.counts(db)
    return summary
