"""The notes site as a project lead reads it: a Datasette plugin for the pages' words and data.

Datasette draws the pages from the templates in ``fmstoolkit/resources/templates`` (home page,
search results, a freelancer's page, the usual questions); this plugin gives them what they
need, in the settings' language (``FMS_LANG``):

- SQL functions for the canned queries in plain words: ``fms_key(text)`` is the catalogue's
  :func:`~fmstoolkit.db.catalogue.normalize` (case, accents and punctuation ignored), the key
  the published ``skill_aliases`` and ``seniority_aliases`` are stored under, so "confirmé",
  "Confirmed", "dev web" or "Développement web" find their row; ``fms_label(fr, en)`` picks the
  skill label of the reader's language;
- Jinja globals and filters: ``_`` (gettext), amounts, dates, numbers and shares written the
  way the language writes them (Babel, through :mod:`fmstoolkit.i18n`), stored words
  (seniority, verdict, status) as words of the language, Markdown notes, search excerpts with
  the match highlighted;
- the data of the pages (:mod:`.profile`, :mod:`.questions`), read with the page's own
  database connection;
- the style sheet and the chart script, served from the package (``/-/fms/<file>``): the site
  works offline; plotly.js's locale of each language (``/-/fms/plotly-locale-fr.js``), made
  from Babel's data (:mod:`.chart_locale`), so that date axes name months in the reader's
  language. Charts use plotly.js, the library the notebooks draw with (``plotly`` is
  already a dependency and ships ``plotly.min.js``): one chart vocabulary for the managers and
  the project leads, and no Datasette chart plugin (datasette-vega was last released in 2018).
"""

from __future__ import annotations

import html
import re
from typing import Any

import markupsafe
from datasette import hookimpl
from datasette.utils.asgi import NotFound, Response
from datasette_render_markdown import render_markdown

from .. import resources
from ..db.catalogue import normalize
from ..i18n import LANGS, _, current_lang, format_date, format_money, format_number, ngettext
from . import chart_locale, profile, questions
from .words import VALUE_WORDS, word

DATABASE = "notes"

#: Static files of the site: name -> (file, content type).
STATIC = {
    "notes.css": (lambda: resources.static_file("notes.css"), "text/css"),
    "charts.js": (lambda: resources.static_file("charts.js"), "text/javascript"),
    "plotly.min.js": (profile.plotly_js_path, "text/javascript"),
}
#: Scripts made when asked: plotly.js's locale of each language.
LOCALE_SCRIPTS = {f"plotly-locale-{lang}.js": lang for lang in LANGS}

#: The markers FTS5's snippet() puts around a match (private-use characters, which no note
#: holds), turned into <mark> once the excerpt is escaped.
MARK_OPEN, MARK_CLOSE = "\ue000", "\ue001"
MARKDOWN_SIGNS = re.compile(r"(\*\*|__|\*|`|^#+\s*|(?<!\w)_|_(?!\w))", re.M)


def label(fr: str | None, en: str | None) -> str | None:
    """The skill label of the reader's language (the catalogue has one column per language)."""
    return dict(zip(LANGS, (fr, en), strict=True)).get(current_lang()) or fr


def money(value: Any) -> str:
    return format_money(value) if value not in (None, "") else ""


def number(value: Any, digits: int = 1) -> str:
    return format_number(value, digits=digits) if value not in (None, "") else ""


def share(value: Any) -> str:
    """0.75 -> "75 %" (French) or "75%" (English)."""
    if value in (None, ""):
        return ""
    return _("{percent}%").format(percent=format_number(round(float(value) * 100), digits=0))


def excerpt(text: str | None) -> markupsafe.Markup:
    """A search excerpt as HTML: escaped, Markdown signs dropped, the matches in <mark>."""
    plain = MARKDOWN_SIGNS.sub("", html.escape(text or "", quote=False))
    return markupsafe.Markup(plain.replace(MARK_OPEN, "<mark>").replace(MARK_CLOSE, "</mark>"))


def markdown(text: str | None) -> markupsafe.Markup:
    """A note, recommendation or suggestion rendered from Markdown (datasette-render-markdown:
    the same sanitised rendering as the table pages)."""
    return markupsafe.Markup(render_markdown(text or "")) if text else markupsafe.Markup("")


@hookimpl
def prepare_connection(conn, database, datasette):
    conn.create_function("fms_key", 1, lambda text: normalize(str(text or "")), deterministic=True)
    conn.create_function("fms_label", 2, label)


@hookimpl
def prepare_jinja2_environment(env, datasette):
    env.globals.update(_=_, ngettext=ngettext, fms_lang=current_lang)
    env.filters.update(
        fms_word=lambda value, column: word(column, value),
        fms_money=money,
        fms_number=number,
        fms_share=share,
        fms_date=lambda value: format_date(value[:10]) if value else "",
        fms_excerpt=excerpt,
        fms_markdown=markdown,
    )


@hookimpl
def render_cell(row, value, column, table, database, datasette):
    """Stored words (seniority, verdict, status...) shown as words of the reader's language."""
    if database == DATABASE and column in VALUE_WORDS and value in VALUE_WORDS[column]:
        return markupsafe.escape(word(column, value))
    return None


@hookimpl
def extra_template_vars(template, database, table, columns, view_name, request, datasette):
    """The data of the site's own pages, read when such a page is drawn."""
    if request is None:
        return {}
    name = (request.url_vars or {}).get("table")

    async def gather() -> dict[str, Any]:
        db = datasette.get_database(DATABASE) if DATABASE in datasette.databases else None
        if db is None:
            return {}
        if view_name == "index":
            return {"fms_home": await questions.home(db)}
        if view_name == "row" and table == "freelancers":
            pks = (request.url_vars or {}).get("pks", "")
            return {"fms_profile": await profile.load(db, pks)}
        if name in questions.QUESTIONS:
            return {"fms_question": await questions.answer(db, name, request.args)}
        return {}

    return gather


async def static(request) -> Response:
    name = request.url_vars["name"]
    if name in LOCALE_SCRIPTS:
        body, content_type = chart_locale.locale_script(LOCALE_SCRIPTS[name]), "text/javascript"
    elif name in STATIC:
        path, content_type = STATIC[name]
        body = path().read_bytes()
    else:
        raise NotFound(_("No such file."))
    return Response(
        body,
        content_type=f"{content_type}; charset=utf-8",
        headers={"cache-control": "max-age=86400"},
    )


@hookimpl
def register_routes():
    return [(r"^/-/fms/(?P<name>[a-z0-9_.-]+)$", static)]


@hookimpl
def extra_css_urls(template, database, table, columns, view_name, request, datasette):
    return [datasette.urls.path("/-/fms/notes.css")]
