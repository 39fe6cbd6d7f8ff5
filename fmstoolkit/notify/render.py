"""Render a message to a freelancer (or to the manager) in every form it may be sent in, in the
reader's language.

Each kind of message has two Jinja2 templates in ``templates/``, written once for every language:
``<kind>.txt`` (blocks ``subject`` and ``text``: the plain-text email) and ``<kind>.html`` (the
HTML email, extending ``_email.html``, plus a block ``telegram``: the Telegram text for
``parse_mode=HTML``). Every sentence is an English source string inside a ``{% trans trimmed %}``
block (Jinja2's i18n extension): it is translated with the gettext catalogue of
:mod:`fmstoolkit.i18n`, and the dates and amounts in it are formatted by Babel there (filters
``date`` and ``money``). ``trimmed`` makes each sentence one line whatever its layout in the
template, so what the extraction finds (:mod:`fmstoolkit.i18n_catalogue`) is what is looked
up when rendering.

Jinja2 was chosen because it autoescapes by file extension: values land escaped in the ``.html``
forms (which is exactly the escaping Telegram's HTML parse mode wants) and untouched in the
``.txt`` ones, so no template has to remember to escape. Sentences hold no markup: a value is
put in bold with the ``bold`` filter (``<b>`` where markup is written, nothing in plain text), so
the text and HTML forms share their sentences.

Layout: ``trim_blocks`` removes the line break after a tag, so a line of text that ends with a
tag ends it with ``+%}`` (``{% endtrans +%}``) to keep its line break.

Messages are rendered once, when they are queued, and stored in the outbox: what is sent is what
was queued, even if a template or a translation changes in between.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import jinja2
import markupsafe

from .. import i18n

TEMPLATES = Path(__file__).parent / "templates"

#: Every kind of message, in the order the README lists them.
KINDS = (
    "availability_question",
    "feedback_request",
    "recommendation",
    "mission_confirmation",
    "mission_cancellation",
    "alumni_checkin",
    "availability_check",
    "telegram_invitation",
    "role_filled",
    "contract",
)
#: The messages to the manager (the digest, the alerts, a freelancer's yes): no greeting, no
#: "unsubscribe" footer (``_manager_email.html``), in the agency's language.
MANAGER_KINDS = ("manager_digest", "requalification_alert", "staffing_answer")
ALL_KINDS = KINDS + MANAGER_KINDS
LANGS = ("fr", "en")
#: Telegram's limit on a message text (counted in UTF-16 code units, entities included here).
TELEGRAM_LIMIT = 4096

#: How Babel extracts the templates' sentences, relative to ``templates/`` (for the package
#: directory, prefix the patterns with ``notify/templates/``), and the options that parse them as
#: :func:`environment` does.


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str  # plain-text email
    html: str  # HTML email
    telegram: str  # Telegram text, escaped for parse_mode=HTML


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


def _printed(value: Any) -> Any:
    """``value``, or the template's error when the context lacks it (a filter prints it)."""
    if isinstance(value, jinja2.Undefined):
        value._fail_with_undefined_error()
    return value


@jinja2.pass_eval_context
def bold(eval_ctx: jinja2.nodes.EvalContext, value: Any) -> Any:
    """``value`` in bold where markup is written (HTML email, Telegram), as is in plain text."""
    if not eval_ctx.autoescape:
        return value
    return markupsafe.Markup("<b>%s</b>") % _printed(value)


@cache
def environment(lang: str) -> jinja2.Environment:
    """The templates' environment for ``lang``, its catalogue installed (one per language, made
    once: rendering in one language never sees another's translations, in any thread)."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html",), default=False),
        undefined=_Undefined,
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.i18n"],
    )
    env.policies["ext.i18n.trimmed"] = True
    env.install_gettext_translations(i18n.translations(lang), newstyle=True)
    env.filters["date"] = lambda v, lang=lang: i18n.format_date(_printed(v), lang)
    env.filters["money"] = lambda v, lang=lang: i18n.format_money(_printed(v), lang)
    env.filters["number"] = lambda v, lang=lang: i18n.format_number(_printed(v), lang)
    env.filters["clip"] = clip_escaped
    env.filters["bold"] = bold
    return env


def _block(template: jinja2.Template, name: str, context: dict[str, Any]) -> str:
    return "".join(template.blocks[name](template.new_context(context))).strip()


def render(kind: str, lang: str, context: dict[str, Any]) -> Rendered:
    """Render message ``kind`` in ``lang`` ("fr" or "en") with ``context``.

    Raises ``ValueError`` for an unknown kind or language, a value the template prints but the
    context lacks, and when the Telegram form would not
    fit Telegram's limit (templates clip long free texts, so this means a template bug).
    """
    if kind not in ALL_KINDS:
        raise ValueError(f"unknown message kind: {kind}")
    if lang not in LANGS:
        raise ValueError(f"unknown language: {lang}")
    env = environment(lang)
    ctx = {"lang": lang, "kind": kind} | context
    txt = env.get_template(f"{kind}.txt")
    html = env.get_template(f"{kind}.html")
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
        raise ValueError(f"{kind}.html ({lang}): the Telegram text is over {TELEGRAM_LIMIT}")
    return rendered
