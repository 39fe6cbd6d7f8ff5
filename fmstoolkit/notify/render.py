"""Render a message to a freelancer in every form it may be sent in.

Each kind of message has, per language, two Jinja2 templates in ``templates/<lang>/``:
``<kind>.txt`` (blocks ``subject`` and ``text``: the plain-text email) and ``<kind>.html`` (the
HTML email, extending ``_email.html``, plus a block ``telegram``: the Telegram text for
``parse_mode=HTML``). Jinja2 was chosen because it autoescapes by file extension: values land
escaped in the ``.html`` forms (which is exactly the escaping Telegram's HTML parse mode wants)
and untouched in the ``.txt`` ones, so no template has to remember to escape.

Messages are rendered once, when they are queued, and stored in the outbox: what is sent is what
was queued, even if a template changes in between.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
import markupsafe

TEMPLATES = Path(__file__).parent / "templates"

#: Every kind of message, in the order the README lists them.
KINDS = (
    "availability_question",
    "feedback_request",
    "recommendation",
    "mission_confirmation",
    "mission_cancellation",
    "alumni_checkin",
    "telegram_invitation",
)
LANGS = ("fr", "en")
#: Telegram's limit on a message text (counted in UTF-16 code units, entities included here).
TELEGRAM_LIMIT = 4096

MONTHS = {
    "fr": "janvier février mars avril mai juin juillet août septembre octobre novembre décembre",
    "en": "January February March April May June July August September October November December",
}


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str  # plain-text email
    html: str  # HTML email
    telegram: str  # Telegram text, escaped for parse_mode=HTML


def format_date(value: str | dt.date | None, lang: str = "en") -> str:
    """``2026-03-02`` as "2 March 2026" / "2 mars 2026" (no locale database needed)."""
    if not value:
        return ""
    day = dt.date.fromisoformat(value) if isinstance(value, str) else value
    month = MONTHS["fr" if lang == "fr" else "en"].split()[day.month - 1]
    first = "1er" if lang == "fr" and day.day == 1 else str(day.day)
    return f"{first} {month} {day.year}"


def format_money(value: int | None, lang: str = "en") -> str:
    if value is None:
        return ""
    digits = f"{value:,}".replace(",", "\u202f" if lang == "fr" else ",")
    return f"{digits} €"


def clip_escaped(value: Any, limit: int) -> markupsafe.Markup:
    """``value`` HTML-escaped and cut so that the escaped text fits in ``limit`` characters
    (Telegram counts the message as sent, entities included in our conservative count)."""
    out, size = [], 0
    for char in str(value):
        piece = str(markupsafe.escape(char))
        if size + len(piece) > limit - 1:
            out.append("…")
            break
        out.append(piece)
        size += len(piece)
    return markupsafe.Markup("".join(out))


def telegram_length(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units)."""
    return len(text.encode("utf-16-le")) // 2


class _Undefined(jinja2.StrictUndefined):
    """Printing a missing value is an error; testing it (``{% if project %}``) is just false."""

    def __bool__(self) -> bool:
        return False


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html",), default=False),
        undefined=_Undefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["date"] = lambda v, lang="en": format_date(v, lang)
    env.filters["clip"] = clip_escaped
    env.filters["money"] = lambda v, lang="en": format_money(v, lang)
    return env


def _block(template: jinja2.Template, name: str, context: dict[str, Any]) -> str:
    return "".join(template.blocks[name](template.new_context(context))).strip()


def render(kind: str, lang: str, context: dict[str, Any]) -> Rendered:
    """Render message ``kind`` in ``lang`` ("fr" or "en") with ``context``.

    Raises ``ValueError`` for an unknown kind or language, a value the template prints but the
    context lacks, and when the Telegram form would not
    fit Telegram's limit (templates clip long free texts, so this means a template bug).
    """
    if kind not in KINDS:
        raise ValueError(f"unknown message kind: {kind}")
    if lang not in LANGS:
        raise ValueError(f"unknown language: {lang}")
    env = environment()
    ctx = {"lang": lang, "kind": kind} | context
    txt = env.get_template(f"{lang}/{kind}.txt")
    html = env.get_template(f"{lang}/{kind}.html")
    try:
        rendered = Rendered(
            subject=" ".join(_block(txt, "subject", ctx).split()),
            text=_block(txt, "text", ctx) + "\n",
            html=html.render(ctx),
            telegram=_block(html, "telegram", ctx),
        )
    except jinja2.UndefinedError as exc:
        raise ValueError(f"{kind} message: {exc}") from None
    if telegram_length(rendered.telegram) > TELEGRAM_LIMIT:
        raise ValueError(f"{lang}/{kind}.html: the Telegram text is over {TELEGRAM_LIMIT}")
    return rendered
