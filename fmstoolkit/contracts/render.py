"""A mission's contract or NDA as a PDF: the agency's Jinja2 HTML template, rendered by
WeasyPrint.

Templates are HTML pages, one per kind and language (``contract.fr.html``, ``contract.en.html``,
``nda.fr.html``, ``nda.en.html``, sharing ``_base.html`` and ``_signatures.<lang>.html``): an
agency edits them as it would a web page, with the values of the mission put in by Jinja2
(``{{ mission.project }}``, ``{{ mission.daily_rate|money }}``...). A legal text is written in
its language, clause by clause, by the people who sign it: it is not assembled from translated
sentences, which is why these templates hold their French and English texts themselves instead
of going through the gettext catalogue. The values are formatted by Babel in the document's
language (filters ``date``, ``money`` and ``number``, as in the messages).

Where a template is looked for: first in the agency's folder (``FMS_PAPERWORK_TEMPLATES``,
default ``<FMS_DOCUMENTS_DIR>/templates``), then in those fmstoolkit ships
(``fmstoolkit/resources/templates/paperwork/``). :func:`copy_templates` copies the shipped
ones into the agency's folder to be edited there; an upgrade of fmstoolkit never overwrites
them.

WeasyPrint is the reference HTML/CSS to PDF renderer in Python (pages, margins, fonts through
Pango). It is imported where a PDF is made, not at the top of this module: importing it loads
Pango and takes about 0.6 s, which every command that only reads the contracts' states (the
warnings of the home app, the digest, ``fms contracts due``) would otherwise pay.
"""

from __future__ import annotations

import shutil
from functools import cache
from pathlib import Path
from typing import Any

import jinja2

from .. import i18n
from ..config import get_settings
from ..errors import InvalidInput, InvalidState
from ..models.enums import DocumentKind
from ..resources import resource_path

#: The shipped templates, inside the package's resources.
SHIPPED = "templates/paperwork"
LANGS = ("fr", "en")


def template_name(kind: str, lang: str) -> str:
    return f"{kind}.{lang}.html"


def agency_folder() -> Path:
    """The agency's own templates (``FMS_PAPERWORK_TEMPLATES``, default
    ``<FMS_DOCUMENTS_DIR>/templates``)."""
    settings = get_settings()
    return settings.paperwork_templates or settings.documents_dir / "templates"


def shipped_folder() -> Path:
    return resource_path(SHIPPED)


@cache
def _environment(folders: tuple[str, ...], lang: str) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(list(folders)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["date"] = lambda v, lang=lang: i18n.format_date(v, lang)
    env.filters["money"] = lambda v, lang=lang: i18n.format_money(v, lang)
    env.filters["number"] = lambda v, lang=lang: i18n.format_number(v, lang)
    return env


def render_html(kind: str, lang: str, context: dict[str, Any]) -> str:
    """The HTML of document ``kind`` in ``lang`` (the agency's template when it has one). A
    template that does not render (a typing mistake in an edited copy) is one sentence."""
    folders = (str(agency_folder()), str(shipped_folder()))
    env = _environment(folders, lang)
    name = template_name(kind, lang)
    try:
        return env.get_template(name).render(context | {"lang": lang, "kind": kind})
    except jinja2.TemplateError as exc:
        where = getattr(exc, "lineno", None)
        raise InvalidInput(
            "The template {name} cannot be used: {problem} (line {line}). Correct it in {folder}.",
            field="template", name=name, problem=getattr(exc, "message", None) or str(exc),
            line=where or "?", folder=agency_folder(),
        ) from exc  # fmt: skip


def html_to_pdf(html: str, title: str) -> bytes:
    """The PDF of ``html`` (relative links resolved against the shipped templates' folder)."""
    try:
        import weasyprint  # loads Pango (0.6 s): only where a PDF is made, see the docstring
    except OSError as exc:  # Pango missing: WeasyPrint's own message names the library
        raise InvalidState(
            "PDFs cannot be made on this machine: WeasyPrint needs the Pango library ({problem})."
            " Install it (Debian: apt-get install libpango-1.0-0 libpangoft2-1.0-0), or run "
            "make system-deps.", problem=str(exc).splitlines()[0],
        ) from exc  # fmt: skip

    document = weasyprint.HTML(string=html, base_url=str(shipped_folder()))
    return document.write_pdf(pdf_identifier=title.encode(), uncompressed_pdf=False)


def copy_templates(folder: Path | None = None, *, force: bool = False) -> dict[str, Any]:
    """Copy the shipped templates into ``folder`` (default: the agency's folder) for editing.
    A file already there is kept (an edited copy is never lost) unless ``force``."""
    target = Path(folder) if folder else agency_folder()
    if target.exists() and not target.is_dir():
        raise InvalidInput("{path} is a file: give a folder.", field="folder", path=target)
    target.mkdir(parents=True, exist_ok=True)
    copied, kept = [], []
    for source in sorted(shipped_folder().iterdir()):
        if not source.name.endswith(".html"):
            continue
        dest = target / source.name
        if dest.exists() and not force:
            kept.append(source.name)
            continue
        shutil.copyfile(source, dest)
        copied.append(source.name)
    _environment.cache_clear()
    return {"folder": str(target), "copied": copied, "kept": kept}


def shipped_templates() -> list[str]:
    """The names of the templates fmstoolkit ships (one per kind and language, and the base)."""
    return sorted(p.name for p in shipped_folder().iterdir() if p.name.endswith(".html"))


#: Every document kind, in the order they are listed.
KINDS: tuple[str, ...] = tuple(k.value for k in DocumentKind)
