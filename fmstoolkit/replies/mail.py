"""An incoming e-mail, as far as a reply to the agency matters (pure, no I/O).

Parsed with the standard library's ``email`` package (``policy.default``): the sender's address,
the subject, the plain text (the HTML part turned into text when there is no plain one, quoted
``<blockquote>`` left out), the Message-IDs it answers (``In-Reply-To`` first, then
``References`` from the newest), whether it is an automatic reply, and a key identifying the
mail (a SHA-256 of its Message-ID, so the ledger keeps no identifier written by the sender's mail
software, which often holds their host or address).

The Message-IDs the outbox gives (:func:`outbox_message_id`, used by the email channel) are
``<fms-outbox-<outbox id>@<the sender's domain>>``: :func:`referenced_outbox_ids` finds them back.
Nothing here raises on a malformed mail: what cannot be read comes back empty.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import getaddresses
from html.parser import HTMLParser

_ID = re.compile(r"<[^<>\s]+>")
_OURS = re.compile(r"^<fms-outbox-(\d{1,18})@([^<>\s@]+)>$")


def outbox_message_id(outbox_id: int, domain: str) -> str:
    """``<fms-outbox-42@example.org>``: the Message-ID of outbox message 42 (retries included)."""
    return f"<fms-outbox-{outbox_id}@{domain}>"


@dataclass(frozen=True)
class IncomingMail:
    """What a reply says about itself. ``sender`` is personal data: kept in memory only."""

    key: str
    sender: str
    subject: str
    text: str
    references: tuple[str, ...]
    auto: bool


def referenced_outbox_ids(mail: IncomingMail) -> list[tuple[int, str]]:
    """The outbox messages a mail answers, as (outbox id, Message-ID), the most direct first."""
    found = []
    for ref in mail.references:
        m = _OURS.match(ref)
        if m and (int(m.group(1)), ref) not in found:
            found.append((int(m.group(1)), ref))
    return found


class _HtmlText(HTMLParser):
    """The text of an HTML body, line breaks kept, quoted blocks and styles left out."""

    BREAKS = {"br", "p", "div", "tr", "li", "h1", "h2", "h3", "table"}
    SKIP = {"blockquote", "style", "script", "head"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self.skipping += 1
        elif tag in self.BREAKS:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in self.SKIP:
            self.skipping = max(0, self.skipping - 1)
        elif tag in self.BREAKS:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(data)


def html_text(html: str) -> str:
    """The readable text of an HTML body (what a reply says without its quoted blocks)."""
    parser = _HtmlText()
    try:
        parser.feed(html)
        parser.close()
    except Exception:  # html.parser is lenient; this is a last guard for a broken body
        pass
    return "".join(parser.parts)


def _header(msg: EmailMessage, name: str) -> str:
    try:
        value = msg.get(name)
        return str(value) if value is not None else ""
    except Exception:  # a header the policy cannot parse reads as missing
        return ""


def _sender(msg: EmailMessage) -> str:
    try:
        pairs = getaddresses([_header(msg, "From")])
    except Exception:
        return ""
    return pairs[0][1].strip() if pairs and "@" in pairs[0][1] else ""


def _part_text(part) -> str:
    try:
        return part.get_content()
    except Exception:  # an unknown charset or a broken transfer encoding
        payload = part.get_payload(decode=True) or b""
        return payload.decode("utf-8", errors="replace") if isinstance(payload, bytes) else ""


def _body(msg: EmailMessage) -> str:
    try:
        part = msg.get_body(preferencelist=("plain", "html"))
    except Exception:
        part = None
    if part is None:
        return ""
    text = _part_text(part)
    if not isinstance(text, str):
        return ""
    return html_text(text) if part.get_content_subtype() == "html" else text


def _auto(msg: EmailMessage) -> bool:
    submitted = _header(msg, "Auto-Submitted").strip().lower()
    return bool(
        (submitted and submitted != "no")
        or _header(msg, "X-Autoreply")
        or _header(msg, "X-Autorespond")
        or _header(msg, "Precedence").strip().lower() in ("auto_reply", "bulk", "junk")
    )


def parse_mail(raw: bytes) -> IncomingMail:
    """Read what matters of a raw e-mail (RFC 5322 bytes)."""
    raw = bytes(raw or b"")
    try:
        msg = BytesParser(policy=policy.default).parsebytes(raw)
    except Exception:
        msg = EmailMessage()
    message_id = " ".join(_ID.findall(_header(msg, "Message-ID")))
    key = hashlib.sha256(message_id.encode() if message_id else raw).hexdigest()
    refs = _ID.findall(_header(msg, "In-Reply-To"))
    refs += reversed(_ID.findall(_header(msg, "References")))
    return IncomingMail(
        key=key,
        sender=_sender(msg),
        subject=" ".join(_header(msg, "Subject").split()),
        text=_body(msg),
        references=tuple(dict.fromkeys(refs)),
        auto=_auto(msg),
    )
