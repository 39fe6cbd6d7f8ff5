"""The bytes of an outgoing email, written directly (what the SMTP channel hands the server).

Why not the standard library's ``email`` package to build and flatten a ``Message``: profiling
the outbox (cProfile, 1,000 feedback requests to a local aiosmtpd) showed building the MIME
tree and flattening it (header folding through the policy machinery, a regular expression
compiled per boundary) cost 2.3 ms per message, more than the whole SMTP exchange on a local
connection, which kept the outbox at about 0.6x the exchange alone. The structure we send is
always the same small one, so it is written here in a few byte operations, with the standard
library doing the parts that need care: ``binascii.b2a_qp`` (quoted-printable bodies),
``base64`` (attachments), ``email.header.Header`` (RFC 2047 encoded, folded headers) and
``email.utils`` (addresses, dates).

Shape: ``multipart/alternative`` (plain text + HTML; plain text alone without HTML), wrapped in
``multipart/mixed`` when there are attachments. Boundaries start with ``=_``, which can occur
neither in quoted-printable (``=`` is always followed by hex digits or a line break) nor in
base64 text, so no body needs scanning for them. Lines end in CRLF.
"""

from __future__ import annotations

import base64
import binascii
import email.utils
import functools
import secrets
import urllib.parse
from email.header import Header

from .. import clock
from ..replies import outbox_message_id
from .message import Attachment, OutgoingMessage

CRLF = b"\r\n"
ADDRESS_HEADERS = {"from", "to", "reply-to", "cc"}
_FOLD_AT = 78


@functools.lru_cache(maxsize=8)
def domain(address: str) -> str:
    _, addr = email.utils.parseaddr(address)
    return addr.rpartition("@")[2] or "localhost"


def message_id(outbox_id: int, mail_from: str) -> str:
    """``<fms-outbox-42@example.org>``: stable for one outbox message, retries included (its
    one definition is the replies reader's, which finds the message back from it)."""
    return outbox_message_id(outbox_id, domain(mail_from))


def address(value: str) -> str:
    """An address header value (display name RFC 2047-encoded when it is not ASCII)."""
    name, addr = email.utils.parseaddr(value)
    return email.utils.formataddr((name, addr), "utf-8") if name else addr


def header(name: str, value: str) -> bytes:
    """One header line (folded, encoded when not ASCII), without its final CRLF. Address
    headers are written as :func:`address` made them; the address in ``To`` stays as it is, in
    UTF-8 when it is not ASCII (RFC 6532: the channel then sends with SMTPUTF8)."""
    value = " ".join(str(value).splitlines())
    plain = value.isascii() and "=?" not in value  # "=?...?=" as typed would read as encoded
    if name.lower() in ADDRESS_HEADERS or (plain and len(name) + 2 + len(value) <= _FOLD_AT):
        return f"{name}: {value}".encode()
    charset = "us-ascii" if plain else "utf-8"
    folded = Header(value, charset, header_name=name).encode(linesep="\r\n")
    return f"{name}: {folded}".encode()


@functools.lru_cache(maxsize=8)
def sender_headers(mail_from: str, reply_to: str | None) -> tuple[tuple[str, str], ...]:
    """The headers that depend on the settings only (computed once, not per message)."""
    reply_to = reply_to or mail_from
    _, reply_addr = email.utils.parseaddr(reply_to)
    return (
        ("From", address(mail_from)),
        ("Reply-To", address(reply_to)),
        ("List-Unsubscribe", f"<mailto:{reply_addr}?subject=unsubscribe>"),
    )


def _qp(text: str) -> bytes:
    data = text.replace("\r\n", "\n").replace("\r", "\n").encode("utf-8")
    return binascii.b2a_qp(data, istext=True).replace(b"\n", CRLF)


def _text(subtype: str, text: str) -> tuple[bytes, bytes]:
    head = (
        f'Content-Type: text/{subtype}; charset="utf-8"\r\n'
        "Content-Transfer-Encoding: quoted-printable\r\n"
    )
    return head.encode(), _qp(text)


def _attachment(att: Attachment) -> tuple[bytes, bytes]:
    maintype, _, subtype = att.content_type.partition("/")
    ctype = f"{maintype}/{subtype or 'octet-stream'}"
    if maintype == "text":
        ctype += '; charset="utf-8"'
    if att.filename.isascii() and '"' not in att.filename and "\\" not in att.filename:
        disposition = f'attachment; filename="{att.filename}"'
    else:
        disposition = "attachment; filename*=utf-8''" + urllib.parse.quote(att.filename)
    head = (
        f"Content-Type: {ctype}\r\nContent-Transfer-Encoding: base64\r\n"
        f"Content-Disposition: {disposition}\r\n"
    )
    return head.encode(), base64.encodebytes(att.data).replace(b"\n", CRLF)


def _multipart(subtype: str, parts: list[tuple[bytes, bytes]]) -> tuple[bytes, bytes]:
    boundary = ("=_fms_" + secrets.token_hex(12)).encode()
    body = b"".join(b"--" + boundary + CRLF + head + CRLF + text + CRLF for head, text in parts)
    head = b'Content-Type: multipart/' + subtype.encode() + b'; boundary="' + boundary + b'"\r\n'
    return head, body + b"--" + boundary + b"--" + CRLF


def email_bytes(
    msg: OutgoingMessage, *, mail_from: str, reply_to: str | None = None
) -> tuple[bytes, str]:
    """The whole email for ``msg`` as bytes (CRLF line ends), and its Message-ID."""
    mid = message_id(msg.outbox_id, mail_from)
    frm, reply, unsubscribe = sender_headers(mail_from, reply_to)
    headers = [
        frm,
        ("To", msg.recipient),
        ("Subject", msg.subject),
        ("Date", email.utils.format_datetime(clock.now())),
        ("Message-ID", mid),
        reply,
        unsubscribe,
    ]
    for name, value in msg.headers.items():  # the message's own headers replace ours
        if name.lower() in ADDRESS_HEADERS - {"to"}:
            value = address(value)
        headers = [h for h in headers if h[0].lower() != name.lower()] + [(name, value)]
    part = _text("plain", msg.text)
    if msg.html:
        part = _multipart("alternative", [part, _text("html", msg.html)])
    if msg.attachments:
        part = _multipart("mixed", [part, *(_attachment(a) for a in msg.attachments)])
    head, body = part
    lines = CRLF.join(header(n, v) for n, v in headers)
    return lines + b"\r\nMIME-Version: 1.0\r\n" + head + CRLF + body, mid
