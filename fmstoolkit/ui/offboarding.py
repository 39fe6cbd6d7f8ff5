"""The offboarding notebook app: pick a due mission, walk through the wizard, see the trends.

Wizard steps: checklist → feedback → recommendation → note → closing, then a summary. Each
step is saved when "Next" is clicked (through :mod:`fmstoolkit.offboarding`), so reopening the
notebook resumes at the first incomplete step with everything already entered. The forms are the
declarative definitions of :mod:`fmstoolkit.forms.definitions` rendered by
:mod:`fmstoolkit.forms.widgets`; the trends chart is plotly (already the project's chart
library, interactive in JupyterLab and rendered headless by nbclient).
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

import ipywidgets as w
import plotly.graph_objects as go
import sqlite_utils

from .. import contracts, offboarding
from ..actions import messages
from ..actions.offboarding import close_offboarding
from ..config import get_settings
from ..errors import FmsError
from ..forms.definitions import WIZARD_STEPS, offboarding_forms
from ..i18n import N_, _, format_date, format_money, ngettext
from ..i18n_labels import status_label
from .chart_dates import period_label
from .common import database, translate
from .forms import ERROR_STYLE, WARNING_STYLE, FormWidget, warnings_html
from .invoice_upload import InvoiceUpload

TEXTS = {
    "pick": N_("Mission to offboard"),
    "start": N_("Start / resume"),
    "next": N_("Save and next"),
    "back": N_("Back"),
    "close": N_("Close the offboarding"),
    "ask_feedback": N_("Ask the freelancer for feedback"),
    "send_reco": N_("Send the recommendation"),
    "none_due": N_("No mission to offboard."),
    "step": N_("Step {n}/{total}: {title}"),
    "queued": N_("Message queued (#{id})."),
    "save_first": N_("Save this step first (click Next), then send."),
    "summary": N_("Summary"),
    "missing": N_("Still missing:"),
}


def t(key: str, lang: str | None = None, **params: Any) -> str:
    return translate(TEXTS, key, lang, **params)


def _mission_label(row: dict[str, Any], lang: str) -> str:
    missing = len(row["missing"])
    todo = _("{n} to do", lang).format(n=missing)
    who = f"{row['freelancer']} · {row['project']}"
    return f"#{row['mission_id']} · {who} · {row['end_date']} · {todo}"


def step_values(db: sqlite_utils.Database, mission_id: int, step: str) -> dict[str, Any]:
    """What is already saved for a step, as the form's values (pre-filling the wizard)."""
    if step == "checklist":
        return offboarding.checklist_values(db, mission_id)
    if step == "feedback":
        rows = offboarding.feedback_of(db, mission_id)
        row = next((r for r in rows if r["source"] == "interview"), rows[0] if rows else None)
        return dict(row) if row else {}
    if step == "recommendation":
        return dict(offboarding.recommendation_of(db, mission_id) or {})
    if step == "note":
        note = dict(offboarding.note_of(db, mission_id) or {})
        row = offboarding.get_offboarding(db, mission_id)
        if row["end_reason"]:
            note["end_reason"] = row["end_reason"]
        return note
    return {}


#: Who gave a feedback, in words.
FEEDBACK_SOURCES = {"interview": N_("interview"), "freelancer": N_("from the freelancer")}


def _checklist_detail(key: str, item: dict[str, Any], lang: str) -> str:
    """A checklist item's value in words: the objectives' verdict, a date, or what was typed."""
    value = item["value"]
    if key == "objectives" and value:
        value = status_label("objectives", value, lang)
    elif isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
        value = format_date(value, lang)
    return str(value or item["comment"] or "")


class OffboardingWizard:
    """The step-by-step offboarding of one mission. ``.box`` is what the notebook displays."""

    def __init__(self, db: sqlite_utils.Database, mission_id: int, lang: str | None = None):
        self.db = db
        self.mission_id = mission_id
        self.lang = lang or get_settings().lang
        offboarding.open_offboarding(db, mission_id)
        self.mission = offboarding.get_mission(db, mission_id)
        self.forms: list[FormWidget] = []
        for form in offboarding_forms(db, mission_id):
            self.forms.append(
                FormWidget(
                    form,
                    step_values(db, mission_id, form.name),
                    on_submit=self._saver(form.name),
                    lang=self.lang,
                )
            )
        self.invoice_upload = InvoiceUpload(db, mission_id, self.forms[0], self.lang)
        self.forms[0].insert_before("invoice_amount", self.invoice_upload.box)
        self.progress = w.IntProgress(min=0, max=len(WIZARD_STEPS), value=0)
        self.step_label = w.HTML()
        self.back_button = w.Button(description=t("back", self.lang), icon="arrow-left")
        self.next_button = w.Button(
            description=t("next", self.lang), button_style="primary", icon="arrow-right"
        )
        self.back_button.on_click(lambda _b: self.back())
        self.next_button.on_click(lambda _b: self.next())
        self.ask_feedback_button = w.Button(description=t("ask_feedback", self.lang), icon="send")
        self.send_reco_button = w.Button(description=t("send_reco", self.lang), icon="send")
        self.ask_feedback_button.on_click(lambda _b: self.ask_feedback())
        self.send_reco_button.on_click(lambda _b: self.send_recommendation())
        self.message = w.HTML()
        self.step_message = w.HTML()  # beside the buttons: why the step was not saved
        self.summary = w.HTML()
        self.nda_note = w.HTML()  # the checklist's confidentiality item: the mission's NDA
        self.body = w.VBox()
        self.result: dict[str, Any] | None = None
        period = _("{start} → {end} · {rate}/day", self.lang).format(
            start=format_date(self.mission["start_date"], self.lang),
            end=format_date(self.mission["end_date"], self.lang),
            rate=format_money(self.mission["daily_rate"], self.lang),
        )
        head = (
            f"<h3>{html.escape(self.mission['freelancer'])} · "
            f"{html.escape(self.mission['project'])}</h3><p>{html.escape(period)}</p>"
        )
        self.box = w.VBox(
            [
                w.HTML(head),
                w.HBox([self.progress, self.step_label]),
                self.body,
                w.HBox([self.back_button, self.next_button, self.step_message]),
                self.message,
                self.summary,
            ]
        )
        row = offboarding.get_offboarding(db, mission_id)
        if row["status"] == "closed":
            self.step = len(WIZARD_STEPS)
        else:
            done = row["steps"]
            self.step = next((i for i, s in enumerate(WIZARD_STEPS[:4]) if not done[s]), 4)
        self._show()

    # navigation -----------------------------------------------------------------------------

    @property
    def current(self) -> FormWidget | None:
        return self.forms[self.step] if self.step < len(self.forms) else None

    def _show(self) -> None:
        total = len(WIZARD_STEPS)
        self.progress.value = self.step
        self.message.value = ""
        self.step_message.value = ""
        if self.current is None:
            self.step_label.value = ""
            self.body.children = ()
            self.back_button.disabled = True
            self.next_button.disabled = True
            self.summary.value = self.summary_html()
            return
        name = WIZARD_STEPS[self.step]
        self.step_label.value = t(
            "step",
            self.lang,
            n=self.step + 1,
            total=total,
            title=self.current.form.title(self.lang),
        )
        extra = []
        if name == "checklist":
            self.nda_note.value = self.nda_html()
            extra = [self.nda_note]
        elif name == "feedback":
            extra = [self.ask_feedback_button]
        elif name == "recommendation":
            extra = [self.send_reco_button]
        self.body.children = (self.current.box, *extra)
        self.back_button.disabled = self.step == 0
        self.next_button.disabled = False
        self.next_button.description = t("close" if name == "closing" else "next", self.lang)

    def next(self) -> bool:
        """Save the current step and go to the next one (True when saved)."""
        self.warnings: list[str] = []
        if self.current is None:
            return False
        if not self.current.submit():
            # the errors are beside their fields, up in the form: say so beside the button
            loose = self.current.message.value
            n = len(self.current.errors())
            said = ngettext("Not saved: {n} field to correct above.",
                            "Not saved: {n} fields to correct above.", n, self.lang).format(n=n)
            self.step_message.value = loose or (
                f'<span style="{ERROR_STYLE}">⚠ {html.escape(said)}</span>')  # fmt: skip
            return False
        self.step += 1
        self._show()
        # the invoice check: shown, but it does not block
        self.message.value = warnings_html(self.warnings)
        return True

    def back(self) -> None:
        if 0 < self.step <= len(self.forms) - 1:
            self.step -= 1
            self._show()

    def _saver(self, step: str):
        def save(values: dict[str, Any]) -> Any:
            if step == "checklist":  # with the plain PDF uploaded, when one waits
                if self.invoice_upload.pending:
                    out = self.invoice_upload.save_with(values)
                else:
                    out = offboarding.save_checklist(self.db, self.mission_id, values)
                self.warnings = out["invoice_check"]["warnings"]
                return out
            if step == "feedback":
                return offboarding.save_feedback(self.db, self.mission_id, values)
            if step == "recommendation":
                return offboarding.save_recommendation(self.db, self.mission_id, values)
            if step == "note":
                return offboarding.save_note(self.db, self.mission_id, values)
            self.result = close_offboarding(self.db, self.mission_id, values.get("lists"))
            return self.result

        return save

    # messages to the freelancer ---------------------------------------------------------------

    def _enqueue(self, queue) -> int | None:
        try:
            message_id = queue(self.db, self.mission_id)
        except FmsError as exc:
            self.message.value = (f'<div style="{ERROR_STYLE}">'
                                  f"{html.escape(exc.message(self.lang))}</div>")  # fmt: skip
            return None
        self.message.value = html.escape(t("queued", self.lang, id=message_id))
        return message_id

    def ask_feedback(self) -> int | None:
        """Queue the feedback request to the freelancer (the notifier sends it)."""
        return self._enqueue(messages.enqueue_feedback_request)

    def send_recommendation(self) -> int | None:
        """Queue the saved recommendation for the freelancer."""
        if offboarding.recommendation_of(self.db, self.mission_id) is None:
            self.message.value = html.escape(t("save_first", self.lang))
            return None
        return self._enqueue(messages.enqueue_recommendation)

    # summary --------------------------------------------------------------------------------

    def nda_html(self) -> str:
        """What the confidentiality item shows of the mission's NDA (fms contracts)."""
        row = contracts.document(self.db, self.mission_id, "nda")
        label = html.escape(offboarding.label("confidentiality", self.lang))
        said = html.escape(contracts.nda_sentence(row, self.lang))
        return f"<p><b>{label}</b> · {said}</p>"

    def summary_html(self) -> str:
        data = offboarding.get_offboarding(self.db, self.mission_id)
        rows = []
        for key, item in data["checklist"].items():
            state = html.escape(status_label("checklist", item["status"], self.lang))
            detail = html.escape(_checklist_detail(key, item, self.lang))
            if key == "confidentiality":
                nda = html.escape(contracts.nda_sentence(data["nda"], self.lang))
                detail = f"{detail} · {nda}" if detail else nda
            rows.append(
                f"<tr><td>{html.escape(offboarding.label(key, self.lang))}</td>"
                f"<td>{state}</td><td>{detail}</td></tr>"
            )
        check = data["invoice_check"]
        lang = self.lang
        expected = _("Expected amount: {amount} ({days} days x {rate})", lang).format(
            amount=format_money(check["expected_amount"], lang),
            days=check["working_days"],
            rate=format_money(check["agreed_rate"], lang),
        )
        parts = [
            f"<h3>{t('summary', lang)}</h3>",
            "<p>" + _("Status: {status}", lang).format(
                status=f"<b>{html.escape(status_label('offboarding', data['status'], lang))}</b>")
            + "</p>",
            "<table>" + "".join(rows) + "</table>",
            f"<p>{html.escape(expected)}</p>",
        ]
        parts += [f'<p style="{WARNING_STYLE}">⚠ {html.escape(x)}</p>' for x in check["warnings"]]
        for fb in data["feedback"]:
            text = _(
                "Feedback ({source}): {onboarding}/5, {integration}/5, {clarity}/5 — "
                "{suggestions}",
                lang,
            ).format(
                source=_(FEEDBACK_SOURCES.get(fb["source"], fb["source"]), lang),
                onboarding=fb["onboarding"],
                integration=fb["integration"], clarity=fb["clarity"],
                suggestions=fb["suggestions"] or "",
            )
            parts.append(f"<p>{html.escape(text)}</p>")
        if data["recommendation"]:
            parts.append(f"<blockquote>{html.escape(data['recommendation']['text'])}</blockquote>")
        note = data["note"]
        if note:
            text = _(
                "Note: {quality}/{communication}/{deadlines}/{autonomy} · {would_rehire} · "
                "{tags}",
                lang,
            ).format(
                quality=note["quality"], communication=note["communication"],
                deadlines=note["deadlines"], autonomy=note["autonomy"],
                would_rehire=_("would rehire: {answer}", lang).format(
                    answer=status_label("answer", note["would_rehire"], lang)),
                tags=", ".join(note["tags"]),
            )
            parts.append(f"<p>{html.escape(text)}</p>")
        if self.result:
            pub = self.result.get("publish", {})
            text = _(
                "Now alumni: {alumni} · news asked on {checkin} · notes database: {status}", lang
            ).format(
                alumni=status_label("boolean", bool(self.result["alumni"]), lang),
                checkin=format_date(self.result["checkin_date"], lang),
                status=status_label("publish", pub.get("status"), lang),
            )
            parts.append(f"<p>{html.escape(text.rstrip())}</p>")
        missing = offboarding.missing(self.db, self.mission_id)
        if missing:
            parts.append(
                f"<p>{html.escape(t('missing', lang))}</p><ul>"
                + "".join(f"<li>{html.escape(m.what(lang))}</li>" for m in missing)
                + "</ul>"
            )
        return "".join(parts)


class OffboardingApp:
    """Pick a due mission, then run its wizard. ``.box`` is what the notebook displays."""

    def __init__(
        self,
        db: sqlite_utils.Database | str | Path | None = None,
        *,
        within: int = 30,
        lang: str | None = None,
    ) -> None:
        self.db = database(db)
        self.lang = lang or get_settings().lang
        self.within = within
        self.picker = w.Dropdown(description="", layout=w.Layout(width="48em"))
        self.start_button = w.Button(description=t("start", self.lang), button_style="primary")
        self.start_button.on_click(lambda _b: self.start())
        self.wizard: OffboardingWizard | None = None
        self.wizard_box = w.VBox()
        self.info = w.HTML()
        self.refresh()
        self.box = w.VBox(
            [
                w.HTML(f"<b>{t('pick', self.lang)}</b>"),
                w.HBox([self.picker, self.start_button]),
                self.info,
                self.wizard_box,
            ]
        )

    def refresh(self) -> None:
        rows = offboarding.due(self.db, within=self.within)
        self.due = rows
        previous = self.picker.value
        self.picker.options = [(_mission_label(r, self.lang), r["mission_id"]) for r in rows]
        ids = [r["mission_id"] for r in rows]
        self.picker.value = previous if previous in ids else (ids[0] if ids else None)
        self.info.value = "" if rows else html.escape(t("none_due", self.lang))
        self.start_button.disabled = not rows

    def start(self, mission_id: int | None = None) -> OffboardingWizard:
        mission_id = mission_id or self.picker.value
        self.wizard = OffboardingWizard(self.db, mission_id, lang=self.lang)
        self.wizard_box.children = (self.wizard.box,)
        return self.wizard


def offboarding_app(db=None, *, within: int = 30) -> w.VBox:
    """The widget the notebook displays (the app object is at ``.app``)."""
    app = OffboardingApp(db, within=within)
    box = app.box
    box.app = app  # type: ignore[attr-defined]
    return box


# --- onboarding feedback trends -------------------------------------------------------------


def trends_figure(db=None, by: str = "month", lang: str | None = None) -> go.Figure:
    """Average onboarding, integration and clarity ratings per month (or quarter), in
    ``lang`` (default: ``FMS_LANG``)."""
    data = offboarding.feedback_trends(database(db), by=by)
    names = {
        "onboarding": _("Onboarding", lang),
        "integration": _("Integration", lang),
        "clarity": _("Clarity", lang),
    }
    # month names from Babel ("mars 2026"): plotly.js would read "2026-03" as an English date
    periods = [period_label(p["period"], lang) for p in data["periods"]]
    fig = go.Figure()
    for key, name in names.items():
        fig.add_trace(
            go.Scatter(
                x=periods, y=[p[key] for p in data["periods"]], mode="lines+markers", name=name
            )
        )
    fig.add_trace(
        go.Bar(
            x=periods,
            y=[p["responses"] for p in data["periods"]],
            name=_("Responses", lang),
            yaxis="y2",
            opacity=0.25,
        )
    )
    fig.update_layout(
        title=_("Freelancers' onboarding feedback", lang),
        yaxis={"range": [0.5, 5.5], "title": "1-5"},
        yaxis2={"overlaying": "y", "side": "right", "showgrid": False},
        xaxis={"type": "category"},
        legend={"orientation": "h"},
        height=420,
    )
    return fig


def themes_html(db=None) -> w.HTML:
    """The recurring themes of the suggestions, most frequent first, with examples."""
    data = offboarding.feedback_trends(database(db))
    head = _("Recurring themes in suggestions")
    rows = "".join(
        f"<tr><td>{html.escape(x['label'])}</td><td>{x['count']}</td>"
        f"<td><i>{html.escape(x['examples'][0])}</i></td></tr>"
        for x in data["themes"]
    )
    return w.HTML(f"<h4>{head} ({data['suggestions']})</h4><table>{rows}</table>")
