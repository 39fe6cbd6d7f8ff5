"""The paperwork app's contracts and NDAs: the missions due, a mission's documents, the buttons.

At the top, the missions starting within ``FMS_CONTRACT_WARNING_DAYS`` days whose contract or
NDA is not signed (:func:`fmstoolkit.contracts.due`, the list of ``fms contracts due`` and of the
home app). Below, a searchable picker of the missions still open (a number, a project or a
name), and the chosen mission's documents in words: drafted, sent or signed, with their days,
whether their e-mail waits in the outbox, and each PDF offered for download. The buttons call
the same functions as ``fms contracts``: "Prepare" (:func:`fmstoolkit.contracts.draft`), "Send"
(:func:`fmstoolkit.actions.paperwork.send_documents`: the e-mail is queued in the outbox, which
the assistant sends) and "Record signed" (:func:`fmstoolkit.contracts.record_signed_copy`, with the
signed PDF uploaded here). A refusal is said beside the button pressed, in the library's words.

An uploaded PDF stays in this process's memory only: the upload widget is emptied as soon as it
is read, and the file is written (readable by its owner only) to a temporary folder just for the
library to read, then removed; the library keeps its own copy in ``FMS_DOCUMENTS_DIR``.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

import ipywidgets as w
import sqlite_utils

from .. import clock, contracts
from ..actions.paperwork import send_documents
from ..config import get_settings
from ..errors import FmsError
from ..i18n import N_, current_lang, format_date
from ..i18n_labels import status_label
from ..models.enums import DocumentState
from .common import (
    database,
    done_html,
    download_link,
    error_html,
    translate,
    upload_content,
    why,
)
from .forms import HELP_STYLE, WARNING_STYLE
from .missions import open_missions

TEXTS = {
    "due": N_("Missions starting within {days} days without a signed contract or NDA"),
    "due_none": N_("Every mission starting within {days} days has its contract and NDA signed."),
    "due_row": N_("#{id} · {freelancer} · {project} · starts {start} · not signed: {missing}"),
    "mission": N_("Mission"),
    "search": N_("Type a name, a project or a number"),
    "unknown": N_("Pick a mission in the list (type a name, a project or its number)."),
    "option": N_("#{id} · {freelancer} · {project} · {start} → {end}"),
    "pick": N_("Pick a mission to see its contract and NDA."),
    "documents": N_("Documents of mission #{id} ({freelancer}, {project})"),
    "line": N_("{kind}: {facts}"),
    "not_made": N_("not prepared yet"),
    "made_on": N_("prepared on {day}"),
    "sent_on": N_("sent on {day}"),
    "signed_on": N_("signed on {day}"),
    "queued": N_("its e-mail waits in the outbox (message #{msg})"),
    "failed": N_("its e-mail could not be sent (message #{msg}): see the messages below"),
    "file": N_("{name}, in {folder}"),
    "download": N_("Download the PDF"),
    "download_signed": N_("Download the signed copy"),
    "both": N_("Contract and NDA"),
    "kind": N_("Document"),
    "lang": N_("Language"),
    "lang_default": N_("The freelancer's"),
    "fr": N_("French"),
    "en": N_("English"),
    "replace": N_("Prepare again a document already sent (the freelancer gets the new one)"),
    "prepare": N_("Prepare"),
    "send": N_("Send"),
    "refresh": N_("Refresh"),
    "prepared": N_("Prepared: {kinds} of mission #{id}."),
    "sent": N_("Queued (message #{msg}): {kinds} of mission #{id}, e-mailed to {name} by the "
               "assistant within {seconds} seconds while it runs (make run starts it), or with "
               "\"Send now\" below. They are marked sent once the e-mail has gone."),
    "signed_kind": N_("Signed document"),
    "signed_day": N_("Signed on"),
    "upload": N_("Signed copy (PDF)"),
    "upload_help": N_("The copy the freelancer sent back, signed: a PDF (a scan or an "
                      "electronically signed file)."),
    "received": N_("{name} ready: press Record signed."),
    "record": N_("Record signed"),
    "need_file": N_("Give the signed copy first (the Signed copy (PDF) button)."),
    "need_date": N_("Choose the day it was signed."),
    "recorded": N_("{kind} of mission #{id} recorded signed on {day}."),
}  # fmt: skip
#: A PDF larger than this is named with its folder rather than offered as a link (a data: URL
#: holds the whole file in the page).
LINK_LIMIT = 5 * 1024 * 1024
#: The end of a signed copy's name when downloaded, in the document's language.
SIGNED_SUFFIX = {"fr": "signe", "en": "signed"}


def t(key: str, lang: str, **params: Any) -> str:
    return translate(TEXTS, key, lang, **params)


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def due_html(db: sqlite_utils.Database, lang: str) -> str:
    """The missions starting soon without their signed contract or NDA, soonest first."""
    days = get_settings().contract_warning_days
    rows = contracts.due(db)
    items = [
        html.escape(t("due_row", lang, id=r["mission_id"], freelancer=r["freelancer"],
                      project=r["project"], start=format_date(r["start_date"], lang),
                      missing=contracts.missing_words(r["missing"], lang)))
        for r in rows
    ]  # fmt: skip
    body = ("".join(f"<li>{i}</li>" for i in items) if items
            else f"<li><i>{html.escape(t('due_none', lang, days=days))}</i></li>")  # fmt: skip
    style = f' style="{WARNING_STYLE}"' if items else ""
    return f"<h3>{html.escape(t('due', lang, days=days))}</h3><ul{style}>{body}</ul>"


def _file_html(row: dict[str, Any], column: str, lang: str) -> str:
    """A document's file (``file``, the PDF made, or ``signed_file``): a download link named
    as the freelancer's attachment is, or its name and folder when it is too big or gone."""
    name = row[column]
    if not name:
        return ""
    path = contracts.path_of(name)
    if not (path.is_file() and path.stat().st_size <= LINK_LIMIT):
        return html.escape(t("file", lang, name=name, folder=str(path.parent)))
    doc_lang = row["lang"] if row["lang"] in SIGNED_SUFFIX else "fr"
    base = f"{contracts.documents.ATTACHMENT_NAMES[doc_lang][row['kind']]}-{row['mission_id']}"
    signed = column == "signed_file"
    return download_link(path.read_bytes(),
                         f"{base}-{SIGNED_SUFFIX[doc_lang]}.pdf" if signed else f"{base}.pdf",
                         "application/pdf",
                         t("download_signed" if signed else "download", lang))  # fmt: skip


def _document_line(kind: str, row: dict[str, Any] | None, lang: str) -> str:
    word = _capital(contracts.kind_word(kind, lang))
    if row is None:
        return f"<li>{html.escape(t('line', lang, kind=word, facts=t('not_made', lang)))}</li>"
    day = contracts.documents.format_day
    facts = [status_label("document", row["state"], lang)]
    if row["state"] == DocumentState.draft:
        facts.append(t("made_on", lang, day=day(row["updated_at"], lang)))
        if row["message_status"] in contracts.documents.QUEUED:
            facts.append(t("queued", lang, msg=row["outbox_id"]))
        elif row["message_status"] == "dead":
            facts.append(t("failed", lang, msg=row["outbox_id"]))
    if row["sent_at"]:
        facts.append(t("sent_on", lang, day=day(row["sent_at"], lang)))
    if row["signed_at"]:
        facts.append(t("signed_on", lang, day=day(row["signed_at"], lang)))
    files = " · ".join(x for x in (_file_html(row, "file", lang),
                                   _file_html(row, "signed_file", lang)) if x)  # fmt: skip
    said = html.escape(t("line", lang, kind=word, facts=" · ".join(facts)))
    return f"<li>{said}" + (f"<br>{files}" if files else "") + "</li>"


def documents_html(db: sqlite_utils.Database, mission: dict[str, Any], lang: str) -> str:
    """Each document of ``mission`` (a row of :func:`open_missions`) in words, with its file."""
    rows = {r["kind"]: r for r in contracts.list_documents(db, mission["id"])}
    title = t("documents", lang, id=mission["id"], freelancer=mission["freelancer"],
              project=mission["project"])  # fmt: skip
    lines = "".join(_document_line(kind, rows.get(kind), lang) for kind in contracts.KINDS)
    return f"<p><b>{html.escape(title)}</b></p><ul>{lines}</ul>"


class ContractsPanel(w.VBox):
    """The missions due, the picker, the chosen mission's documents and the three actions;
    ``.refresh()`` rereads them."""

    def __init__(self, db: sqlite_utils.Database, lang: str | None = None) -> None:
        self.db, self.lang = db, current_lang(lang)
        lang = self.lang
        auto = w.Layout(width="auto", flex="0 0 auto")
        self.pending: tuple[bytes, str] | None = None  # the signed copy, until recorded
        self.due = w.HTML()
        self.picker = w.Combobox(placeholder=t("search", lang), ensure_option=True,
                                 description=t("mission", lang),
                                 layout=w.Layout(width="44em"))  # fmt: skip
        self.picker_message = w.HTML()
        self.refresh_button = w.Button(description=t("refresh", lang), icon="refresh",
                                       layout=auto)  # fmt: skip
        self.documents = w.HTML()
        kinds = [(_capital(contracts.kind_word(k, lang)), k) for k in contracts.KINDS]
        self.kind = w.Dropdown(options=[(t("both", lang), "both"), *kinds], value="both",
                               description=t("kind", lang))  # fmt: skip
        # "" (not None, which the browser's dropdown shows blank): the freelancer's language
        self.doc_lang = w.Dropdown(options=[(t("lang_default", lang), ""),
                                            (t("fr", lang), "fr"), (t("en", lang), "en")],
                                   value="", description=t("lang", lang))  # fmt: skip
        self.replace = w.Checkbox(value=False, description=t("replace", lang), indent=False,
                                  layout=w.Layout(width="auto"))  # fmt: skip
        self.prepare_button = w.Button(description=t("prepare", lang), icon="file-pdf-o",
                                       layout=auto)  # fmt: skip
        self.prepare_message = w.HTML()
        self.send_button = w.Button(description=t("send", lang), icon="envelope",
                                    button_style="primary", layout=auto)  # fmt: skip
        self.send_message = w.HTML()
        self.signed_kind = w.Dropdown(options=kinds, value=contracts.KINDS[0],
                                      description=t("signed_kind", lang),
                                      style={"description_width": "auto"})  # fmt: skip
        self.signed_on = w.DatePicker(value=clock.today(), description=t("signed_day", lang))
        self.upload = w.FileUpload(accept=".pdf,application/pdf", multiple=False,
                                   description=t("upload", lang), layout=auto)  # fmt: skip
        self.upload_status = w.HTML()
        self.record_button = w.Button(description=t("record", lang), icon="check",
                                      button_style="success", layout=auto)  # fmt: skip
        self.record_message = w.HTML()
        self.picker.observe(lambda _ch: self.show(), names="value")
        self.refresh_button.on_click(lambda _b: self.refresh())
        self.prepare_button.on_click(lambda _b: self.prepare())
        self.send_button.on_click(lambda _b: self.send())
        self.upload.observe(self._received, names="value")
        self.record_button.on_click(lambda _b: self.record_signed())
        wrap = w.Layout(flex_flow="row wrap", align_items="center")
        super().__init__([
            self.due,
            w.HBox([self.picker, self.refresh_button, self.picker_message], layout=wrap),
            self.documents,
            w.HBox([self.kind, self.doc_lang, self.prepare_button, self.prepare_message],
                   layout=wrap),
            self.replace,
            w.HBox([self.send_button, self.send_message], layout=wrap),
            w.HTML(f'<span style="{HELP_STYLE}">{html.escape(t("upload_help", lang))}</span>'),
            w.HBox([self.signed_kind, self.signed_on, self.upload, self.upload_status],
                   layout=wrap),
            w.HBox([self.record_button, self.record_message], layout=wrap),
        ])  # fmt: skip
        self.refresh()
        first_due = next(iter(contracts.due(db)), None)
        if first_due:
            self.pick(first_due["mission_id"])

    # reads ----------------------------------------------------------------------------------

    def refresh(self) -> None:
        """Reread the missions due, the picker's missions and the chosen mission's documents."""
        self.due.value = due_html(self.db, self.lang)
        self._missions = {m["id"]: m for m in open_missions(self.db)}
        self._ids = {
            t("option", self.lang, id=m["id"], freelancer=m["freelancer"], project=m["project"],
              start=format_date(m["start_date"], self.lang),
              end=format_date(m["end_date"], self.lang)): m["id"]
            for m in self._missions.values()
        }  # fmt: skip
        self.picker.options = list(self._ids)
        if self.picker.value not in self._ids:
            self.picker.value = ""
        self._show_documents()

    def pick(self, mission_id: int) -> None:
        """Choose mission ``mission_id`` in the picker (as typing its number would)."""
        self.picker.value = next((k for k, v in self._ids.items() if v == mission_id), "")

    def mission_id(self) -> int | None:
        """The mission chosen (the picker's text is checked here too: ``ensure_option`` is only
        enforced in the browser)."""
        return self._ids.get(self.picker.value)

    def show(self) -> None:
        """Show the chosen mission's documents; a signed copy given for another one is let go."""
        self._clear()
        self.pending = None
        self.upload_status.value = ""
        self._show_documents()

    def _show_documents(self) -> None:
        mission_id = self.mission_id()
        if mission_id is None:
            self.documents.value = f"<i>{html.escape(t('pick', self.lang))}</i>"
            return
        self.documents.value = documents_html(self.db, self._missions[mission_id], self.lang)

    # actions --------------------------------------------------------------------------------

    def _clear(self) -> None:
        for box in (self.picker_message, self.prepare_message, self.send_message,
                    self.record_message):  # fmt: skip
            box.value = ""

    def _kinds(self) -> tuple[str, ...]:
        return contracts.KINDS if self.kind.value == "both" else (self.kind.value,)

    def _words(self, kinds: list[str]) -> str:
        return contracts.missing_words(kinds, self.lang)

    def _run(self, message: w.HTML, action: Callable[[int], str]) -> bool:
        """Run ``action`` on the chosen mission; its sentence, or the refusal, beside the button
        (``message``); then reread everything."""
        self._clear()
        mission_id = self.mission_id()
        if mission_id is None:
            self.picker_message.value = error_html(t("unknown", self.lang))
            return False
        try:
            said = action(mission_id)
        except FmsError as exc:
            message.value = error_html(why(exc, self.lang))
            self._show_documents()
            return False
        self.refresh()
        self.pick(mission_id)
        message.value = done_html(said)
        return True

    def prepare(self) -> bool:
        """Make the documents chosen as drafts (``fms contracts draft``)."""
        def action(mission_id: int) -> str:
            rows = [contracts.draft(self.db, mission_id, kind, self.doc_lang.value or None,
                                    replace=self.replace.value) for kind in self._kinds()]
            return t("prepared", self.lang, id=mission_id,
                     kinds=self._words([r["kind"] for r in rows]))  # fmt: skip

        return self._run(self.prepare_message, action)

    def send(self) -> bool:
        """Queue the e-mail carrying the documents chosen (``fms contracts send``)."""
        def action(mission_id: int) -> str:
            result = send_documents(self.db, mission_id, self._kinds(),
                                    self.doc_lang.value or None)  # fmt: skip
            return t("sent", self.lang, msg=result["message_id"], id=mission_id,
                     kinds=self._words([d["kind"] for d in result["documents"]]),
                     name=self._missions[mission_id]["freelancer"],
                     seconds=f"{get_settings().assistant_send_seconds:g}")  # fmt: skip

        return self._run(self.send_message, action)

    def _received(self, change: dict) -> None:
        got = upload_content(change)
        if got is None:
            return
        self.upload.value = ()  # the bytes leave the widget state at once
        self.pending = got
        self.record_message.value = ""
        self.upload_status.value = html.escape(t("received", self.lang, name=got[1]))

    def give_signed_copy(self, data: bytes, name: str) -> None:
        """What the upload does with a file (for code that has the bytes already)."""
        self._received({"new": ({"content": data, "name": name},)})

    def record_signed(self) -> bool:
        """Record the chosen document signed with the copy given (``fms contracts signed``)."""
        if self.pending is None:
            self._clear()
            self.record_message.value = error_html(t("need_file", self.lang))
            return False
        if self.signed_on.value is None:
            self._clear()
            self.record_message.value = error_html(t("need_date", self.lang))
            return False
        data, name = self.pending
        kind, day = self.signed_kind.value, self.signed_on.value

        def action(mission_id: int) -> str:
            row = contracts.record_signed_copy(self.db, mission_id, kind, data, name, day)
            self.pending = None
            self.upload_status.value = ""
            return t("recorded", self.lang, id=mission_id,
                     kind=_capital(contracts.kind_word(kind, self.lang)),
                     day=format_date(row["signed_at"], self.lang))  # fmt: skip

        return self._run(self.record_message, action)


def contracts_panel(db=None, lang: str | None = None) -> ContractsPanel:
    """The panel on ``db`` (default: ``FMS_DB``)."""
    return ContractsPanel(database(db), lang)
