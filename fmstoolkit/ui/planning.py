"""The planning notebook app: a staffing request, its ranked candidates, the actions on them.

The request form is the declarative ``request`` form of :mod:`fmstoolkit.forms.definitions`
rendered by :mod:`fmstoolkit.forms.widgets` (errors beside the fields as you type), with the
skill and project fields turned into Comboboxes for autocompletion. A Combobox only restricts
its value in the browser, so the skill is checked again here against the catalogue (the same
resolution as the CLI, with the closest skill suggested).

The candidates come from :func:`fmstoolkit.planning.rank_candidates`, filtered by the domain
itself (minimum level, fully free only, under budget), shown as a table with the explanation of
each rank and the availability. "Ask availability" records a poll for each selected candidate
and, when the notifier is installed, queues the question to them; "Assign" creates the mission.
The schedule (Gantt) is in :mod:`fmstoolkit.ui.schedule`, the rate chart in
:mod:`fmstoolkit.ui.rates`. Nothing here reads or shows contact data.
"""

from __future__ import annotations

import datetime as dt
import html
from dataclasses import fields as dataclass_fields
from typing import Any

import ipywidgets as w
import sqlite_utils

from .. import clock, planning, pool
from ..actions import planning as planning_actions
from ..config import get_settings
from ..errors import FmsError, Problem
from ..forms.definitions import REQUEST, FormDef
from ..forms.widgets import ERROR_STYLE, FormWidget
from .common import database, translate
from .rates import rate_figure, seniority_label, update_rate_figure

TEXTS = {
    "create": ("Create the request and rank candidates", "Créer la demande et classer"),
    "open_request": ("Or open a request", "Ou ouvrir une demande"),
    "open": ("Open", "Ouvrir"),
    "role": ("Role", "Rôle"),
    "min_level": ("Min. level", "Niveau min."),
    "free_only": ("Fully free only", "Entièrement libres"),
    "under_budget": ("Under budget", "Dans le budget"),
    "ask": ("Ask availability", "Demander la dispo"),
    "assign": ("Assign", "Affecter"),
    "pick": ("Candidates to act on", "Candidats concernés"),
    "pick_first": ("Select candidates in the list first.", "Sélectionnez d'abord des candidats."),
    "pick_one": ("Select exactly one candidate to assign.", "Sélectionnez un seul candidat."),
    "no_request": ("Create or open a request first.", "Créez ou ouvrez d'abord une demande."),
    "no_candidates": ("No candidate matches these filters.", "Aucun candidat pour ces filtres."),
    "ends": ("Ends on {end} ({days} working days from {start}).",
             "Se termine le {end} ({days} jours ouvrés à partir du {start})."),
    "created": ("Request #{id} created.", "Demande n° {id} créée."),
    "polled": ("Availability asked to {names}", "Disponibilité demandée à {names}"),
    "queued": ("question queued ({n} messages).", "question mise en file d'attente ({n})."),
    "assigned": ("{name} assigned: mission #{mission}.",
                 "{name} affecté(e) : mission n° {mission}."),
    "confirmation": (" Mission confirmation queued (email with the .ics, or Telegram).",
                     " Confirmation de mission en file (e-mail avec le .ics, ou Telegram)."),
    "staffed": ("The request is staffed.", "La demande est pourvue."),
}  # fmt: skip

COLUMNS = (
    ("rank", ("#", "#")),
    ("name", ("Freelancer", "Freelance")),
    ("level", ("Level", "Niveau")),
    ("seniority", ("Seniority", "Séniorité")),
    ("score", ("Score", "Score")),
    ("rate", ("Rate (€)", "TJM (€)")),
    ("availability", ("Availability", "Disponibilité")),
    ("poll", ("Asked", "Sollicité")),
    ("explanation", ("Why", "Pourquoi")),
)
AVAILABILITY = {
    "free": ("free", "libre", "#1b7837"),
    "partial": ("partly free", "en partie libre", "#b35806"),
    "busy": ("busy", "occupé", "#b00020"),
}
RATE_POSITION = {
    "below": ("below the usual range", "sous la fourchette habituelle"),
    "low": ("low", "bas"),
    "typical": ("typical", "habituel"),
    "high": ("high", "élevé"),
    "above": ("above the usual range", "au-dessus de la fourchette habituelle"),
}


def t(key: str, lang: str | None = None, **params: Any) -> str:
    return translate(TEXTS, key, lang, **params)


def _pick(pair: tuple[str, str], lang: str) -> str:
    return pair[1] if lang == "fr" else pair[0]


# --- the request form ----------------------------------------------------------------------------


class _CheckedRequestForm(FormDef):
    """The request form, plus the check that needs the database: the skill must be in the
    catalogue (any label or alias; the closest one is suggested). Built by
    :func:`request_form`."""

    db: Any = None

    def problems(self, values: dict[str, Any]) -> list[Problem]:
        out = super().problems(values)
        skill = self.clean(values).get("skill")
        if skill and "skill" not in {p.field for p in out}:
            try:
                pool.resolve_skill(self.db, skill, field="skill")
            except FmsError as exc:
                out += exc.problems or [Problem(en=exc.en, fr=exc.fr, field="skill")]
        return out


def request_form(db: sqlite_utils.Database) -> FormDef:
    """The ``request`` form definition bound to ``db`` for the skill check."""
    values = {f.name: getattr(REQUEST, f.name) for f in dataclass_fields(REQUEST)}
    form = _CheckedRequestForm(**values)
    object.__setattr__(form, "db", db)  # a frozen dataclass: set once, here
    return form


def _as_problems(exc: FmsError) -> FmsError:
    """A domain error naming a field but without problems gets one, so that the form shows it
    beside that field."""
    if not exc.problems and exc.field:
        exc.problems = [Problem(en=exc.en, fr=exc.fr, field=exc.field)]
    return exc


def _combobox(options: list[str], value: str, placeholder: str) -> w.Combobox:
    return w.Combobox(
        options=options,
        value=value or "",
        placeholder=placeholder,
        ensure_option=False,  # the browser would only enforce it there: checked in Python
        layout=w.Layout(width="24em"),
    )


class RequestFormWidget(FormWidget):
    """The request form with autocompletion on the skill and the project."""

    def __init__(self, db: sqlite_utils.Database, *, on_submit=None, lang=None) -> None:
        self.db = db
        super().__init__(
            request_form(db), on_submit=on_submit, submit_label=t("create", lang), lang=lang
        )
        skills = pool.skills(db)
        skill_names = sorted({pool.skill_label(s, self.lang) for s in skills}, key=str.lower)
        projects = [r["name"] for r in db.query("SELECT name FROM projects ORDER BY name")]
        self._swap("skill", _combobox(skill_names, "", "web, React, SEO…"))
        self._swap("project", _combobox(projects, "", ""))
        self.end_label = w.HTML()
        for name in ("start", "days"):
            self.controls[name].observe(lambda _c: self._show_end(), names="value")
        self._insert_after("days", self.end_label)
        self.controls["start"].value = clock.days_from_today(6)

    def _row_of(self, control: w.Widget) -> w.VBox:
        return next(r for r in self.box.children if control in getattr(r, "children", ()))

    def _swap(self, name: str, control: w.Widget) -> None:
        row = self._row_of(self.controls[name])
        row.children = tuple(control if c is self.controls[name] else c for c in row.children)
        self.controls[name] = control
        control.observe(self._changed(name), names="value")

    def _insert_after(self, name: str, widget: w.Widget) -> None:
        row = self._row_of(self.controls[name])
        children = list(row.children)
        children.insert(children.index(self.controls[name]) + 1, widget)
        row.children = tuple(children)

    def _show_end(self) -> None:
        start, days = self.controls["start"].value, str(self.controls["days"].value).strip()
        if start is None or not days.isdigit() or not 0 < int(days) <= 1000:
            self.end_label.value = ""
            return
        first, last = planning.working_period(start, int(days))
        self.end_label.value = html.escape(
            t("ends", self.lang, end=last.isoformat(), days=days, start=first.isoformat())
        )


# --- candidates ----------------------------------------------------------------------------------


def _cell(
    candidate: Any, key: str, lang: str, rank: int, polls: dict[int, dict] | None = None
) -> str:
    fr = lang == "fr"
    if key == "rank":
        return str(rank)
    if key == "seniority":
        return html.escape(seniority_label(candidate.seniority or "", lang))
    if key == "score":
        return f"{candidate.score:.0f}"
    if key == "rate":
        if candidate.rate is None:
            return "?"
        text = str(candidate.rate)
        if candidate.rate_position in RATE_POSITION:
            text += f" <small>({_pick(RATE_POSITION[candidate.rate_position], lang)})</small>"
        if candidate.within_budget is False:
            text += " <small style='color:#b00020'>" + ("hors budget" if fr else "over budget")
            text += "</small>"
        return text
    if key == "availability":
        en, frl, color = AVAILABILITY.get(candidate.availability, (candidate.availability,) * 3)
        text = f"<b style='color:{color}'>{html.escape(frl if fr else en)}</b>"
        if candidate.availability == "partial" and candidate.free_days:
            free = ", ".join(d[5:] for d in candidate.free_days[:6])
            text += f"<br><small>{'libre' if fr else 'free'}: {html.escape(free)}</small>"
        if candidate.freshness:
            text += f"<br><small>{html.escape(candidate.freshness)}</small>"
        return text
    if key == "poll":
        poll = (polls or {}).get(candidate.freelancer_id)
        if poll is None:
            return html.escape(candidate.poll_answer or "")
        asked = str(poll.get("asked_at") or "")[:10]
        answer = poll.get("answer") or ("pas de réponse" if fr else "no answer yet")
        return f"{html.escape(answer)}<br><small>{asked} · {html.escape(poll['channel'])}</small>"
    return html.escape(str(getattr(candidate, key, "") or ""))


def candidates_html(
    candidates: list[Any], lang: str | None = None, polls: dict[int, dict] | None = None
) -> str:
    """The ranked candidates as an HTML table (rank, name, level, score, rate, availability,
    whether they were asked and what they answered, explanation). ``polls`` maps freelancer ids
    to their poll of the request. Names and facts only: no contact data."""
    lang = lang or get_settings().lang
    if not candidates:
        return f"<i>{html.escape(t('no_candidates', lang))}</i>"
    head = "".join(
        f"<th style='text-align:left;padding:2px 6px'>{html.escape(_pick(label, lang))}</th>"
        for _, label in COLUMNS
    )
    rows = "".join(
        "<tr>"
        + "".join(
            f"<td style='vertical-align:top;padding:2px 6px'>{_cell(c, key, lang, i, polls)}</td>"
            for key, _ in COLUMNS
        )
        + "</tr>"
        for i, c in enumerate(candidates, 1)
    )
    return f"<table class='fms-candidates'><thead><tr>{head}</tr></thead>{rows}</table>"


def _error(text: str) -> str:
    return f'<span style="{ERROR_STYLE}">⚠ {html.escape(text)}</span>'


class PlanningApp:
    """A request (new or existing), its ranked candidates, the actions and the rate chart.
    ``.box`` is what the notebook displays."""

    def __init__(self, db=None, *, top: int = 20, lang: str | None = None, today=None) -> None:
        self.db = database(db)
        self.lang = lang or get_settings().lang
        self.top = top
        self.today = today
        self.request: dict[str, Any] | None = None
        self.candidates: list[Any] = []
        self.form = RequestFormWidget(self.db, on_submit=self._create, lang=self.lang)
        self.request_picker = w.Dropdown(layout=w.Layout(width="36em"))
        self.open_button = w.Button(description=t("open", self.lang), icon="folder-open")
        self.open_button.on_click(lambda _b: self.open_request(self.request_picker.value))
        self.request_info = w.HTML()
        self.role_picker = w.Dropdown(description=t("role", self.lang))
        self.min_level = w.Dropdown(
            options=[1, 2, 3, 4, 5], value=1, description=t("min_level", self.lang)
        )
        self.free_only = w.Checkbox(value=False, description=t("free_only", self.lang))
        self.under_budget = w.Checkbox(value=False, description=t("under_budget", self.lang))
        self.role_picker.observe(lambda _c: self._role_changed(), names="value")
        for control in (self.min_level, self.free_only, self.under_budget):
            control.observe(lambda _c: self.refresh_candidates(), names="value")
        self.table = w.HTML()
        self.selection = w.SelectMultiple(
            description=t("pick", self.lang),
            rows=6,
            layout=w.Layout(width="40em"),
            style={"description_width": "initial"},
        )
        self.ask_button = w.Button(description=t("ask", self.lang), icon="question")
        self.assign_button = w.Button(
            description=t("assign", self.lang), button_style="success", icon="check"
        )
        self.ask_button.on_click(lambda _b: self.ask_availability())
        self.assign_button.on_click(lambda _b: self.assign())
        self.ask_message = w.HTML()
        self.assign_message = w.HTML()
        self.chart = None
        self.chart_box = w.VBox()
        self._loading = False
        self.refresh_requests()
        self.box = w.VBox(
            [
                self.form.box,
                w.HBox(
                    [
                        w.HTML(f"<b>{t('open_request', self.lang)}</b>&nbsp;"),
                        self.request_picker,
                        self.open_button,
                    ]
                ),
                self.request_info,
                w.HBox([self.role_picker, self.min_level, self.free_only, self.under_budget]),
                self.table,
                self.selection,
                w.HBox([self.ask_button, self.ask_message]),
                w.HBox([self.assign_button, self.assign_message]),
                self.chart_box,
            ]
        )

    # requests -------------------------------------------------------------------------------

    def refresh_requests(self) -> None:
        rows = planning.list_requests(self.db, status=("open", "polling"))
        rows.sort(key=lambda r: (r["start_date"], r["id"]))  # the most urgent first
        options = [
            (f"#{r['id']} · {r['project']} · {r['start_date']} → {r['end_date']}", r["id"])
            for r in rows
        ]
        self.request_picker.options = options
        self.open_button.disabled = not options

    def _create(self, values: dict[str, Any]) -> dict[str, Any]:
        try:
            request = planning.create_request(
                self.db,
                project=values["project"],
                skill=values["skill"],
                min_level=int(values["min_level"]),
                max_rate=int(values["max_rate"]) if values.get("max_rate") else None,
                start=values["start"],
                days=int(values["days"]),
                notes=values.get("notes"),
                today=self.today,
            )
        except FmsError as exc:
            raise _as_problems(exc) from exc
        self.refresh_requests()
        if request.get("project_created"):
            self.form.controls["project"].options = [
                r["name"] for r in self.db.query("SELECT name FROM projects ORDER BY name")
            ]
        self.open_request(request["id"])
        self.request_info.value = html.escape(t("created", self.lang, id=request["id"])) + (
            "<br>" + self.request_info.value
        )
        return request

    def create_request(self) -> bool:
        """Submit the form (what the button does): True when the request was created."""
        return self.form.submit()

    def open_request(self, request_id: int | None) -> None:
        """Show a request's roles and its ranked candidates."""
        if request_id is None:
            return
        self.request = planning.get_request(self.db, request_id)
        roles = self.request["roles"]
        self._loading = True
        try:
            self.role_picker.options = [
                (
                    f"{r.get('skill_label') or r['skill']} (≥ {r['min_level']})"
                    + (f" · {r['freelancer']}" if r.get("freelancer") else ""),
                    r["id"],
                )
                for r in roles
            ]
            first = next((r for r in roles if not r.get("filled")), roles[0] if roles else None)
            self.role_picker.value = first["id"] if first else None
            self._level_options(first)
        finally:
            self._loading = False
        self.request_info.value = self._request_html()
        self.refresh_candidates()

    def _request_html(self) -> str:
        req = self.request
        if req is None:
            return ""
        fr = self.lang == "fr"
        budget = f" · max {req['max_rate']} €" if req.get("max_rate") else ""
        head = (
            f"<b>{'Demande' if fr else 'Request'} #{req['id']}</b> · "
            f"{html.escape(req['project'])} · {req['start_date']} → {req['end_date']} "
            f"({req['days']} {'j ouvrés' if fr else 'working days'}){budget} · {req['status']}"
        )
        if req["status"] == "staffed":
            head += f" · <b>{html.escape(t('staffed', self.lang))}</b>"
        return head

    def _level_options(self, role: dict[str, Any] | None) -> None:
        """The minimum-level filter can only raise the role's own minimum."""
        low = role["min_level"] if role else 1
        self.min_level.options = list(range(low, 6))
        self.min_level.value = low

    def _role_changed(self) -> None:
        if self._loading:
            return
        self._loading = True
        try:
            self._level_options(self.role)
        finally:
            self._loading = False
        self.refresh_candidates()

    @property
    def role(self) -> dict[str, Any] | None:
        if self.request is None:
            return None
        return next((r for r in self.request["roles"] if r["id"] == self.role_picker.value), None)

    # candidates -----------------------------------------------------------------------------

    def refresh_candidates(self) -> None:
        """Rank the candidates of the selected role with the filters of the controls."""
        if self._loading or self.request is None:
            return
        try:
            self.candidates = planning.rank_candidates(
                self.db,
                self.request["id"],
                role_id=self.role_picker.value,
                top=self.top,
                today=self.today,
                min_level=self.min_level.value,
                free_only=self.free_only.value,
                under_budget=self.under_budget.value,
                lang=self.lang,
            )
        except FmsError as exc:  # a request without a role, a role gone...
            self.candidates = []
            self.table.value = _error(exc.message(self.lang))
            self.selection.options = []
            return
        polls = {p["freelancer_id"]: p for p in planning.polls_for(self.db, self.request["id"])}
        self.table.value = candidates_html(self.candidates, self.lang, polls)
        fr = self.lang == "fr"
        self.selection.options = [
            (
                f"{c.name} · {c.score:.0f} · "
                f"{_pick(AVAILABILITY.get(c.availability, (c.availability,) * 3)[:2], self.lang)}"
                + (
                    f" · {'sollicité' if fr else 'asked'}: {c.poll_answer}" if c.poll_answer else ""
                ),
                c.freelancer_id,
            )
            for c in self.candidates
        ]
        self.selection.value = ()
        self.ask_message.value = ""
        self.assign_message.value = ""
        self._draw_chart()

    def _draw_chart(self) -> None:
        role = self.role
        if role is None:
            return
        if self.chart is None:
            self.chart = rate_figure(
                self.db, role["skill_id"], self.candidates, lang=self.lang, widget=True
            )
            self.chart_box.children = (self.chart,)
        else:
            update_rate_figure(self.chart, self.db, role["skill_id"], self.candidates, self.lang)

    def shown(self) -> list[dict[str, Any]]:
        """The table's rows as plain values (what the manager sees)."""
        return [
            {
                "freelancer_id": c.freelancer_id,
                "name": c.name,
                "score": c.score,
                "level": c.level,
                "rate": c.rate,
                "availability": c.availability,
                "within_budget": c.within_budget,
                "explanation": c.explanation,
            }
            for c in self.candidates
        ]

    def select(self, *freelancer_ids: int) -> None:
        self.selection.value = tuple(freelancer_ids)

    # actions --------------------------------------------------------------------------------

    def ask_availability(self) -> list[int]:
        """Ask the selected candidates (a poll each, the question queued by their preferred
        channel: the one action the CLI's ``fms ask`` runs too). Returns the poll ids."""
        self.ask_message.value = ""
        if self.request is None:
            self.ask_message.value = _error(t("no_request", self.lang))
            return []
        chosen = list(self.selection.value)
        if not chosen:
            self.ask_message.value = _error(t("pick_first", self.lang))
            return []
        try:
            rows = planning_actions.ask_availability(
                self.db, self.request["id"], freelancer_ids=chosen, role_id=self.role_picker.value
            )
        except FmsError as exc:  # nothing was asked: say why beside the button
            self.ask_message.value = _error(exc.message(self.lang))
            return []
        self.request = planning.get_request(self.db, self.request["id"])
        self.request_info.value = self._request_html()
        self.refresh_candidates()
        queued = sum(r["status"] != "cancelled" for r in rows)
        tail = t("queued", self.lang, n=queued)
        text = t("polled", self.lang, names=", ".join(r["freelancer"] for r in rows))
        lines = ["✓ " + html.escape(text + " — " + tail)]
        lines += [_error(f"{r['freelancer']}: {r['note']}") for r in rows
                  if r["status"] == "cancelled"]
        self.ask_message.value = "<br>".join(lines)
        return [r["poll_id"] for r in rows]

    def assign(self) -> int | None:
        """Assign the one selected candidate to the selected role (creates the mission)."""
        self.assign_message.value = ""
        if self.request is None:
            self.assign_message.value = _error(t("no_request", self.lang))
            return None
        chosen = list(self.selection.value)
        if len(chosen) != 1:
            self.assign_message.value = _error(t("pick_one", self.lang))
            return None
        fid = chosen[0]
        name = next((c.name for c in self.candidates if c.freelancer_id == fid), str(fid))
        try:
            mission = planning_actions.assign_and_confirm(
                self.db, self.request["id"], fid, role_id=self.role_picker.value
            )
        except FmsError as exc:
            self.assign_message.value = _error(exc.message(self.lang))
            return None
        mission_id = mission["id"]
        text = t("assigned", self.lang, name=name, mission=mission_id)
        text += t("confirmation", self.lang)
        self.open_request(self.request["id"])
        self.refresh_requests()
        self.assign_message.value = "✓ " + html.escape(text)
        return mission_id


def planning_app(db=None, *, top: int = 20, request_id: int | None = None) -> w.VBox:
    """The widget the notebook displays (the app object is at ``.app``). Opens ``request_id``,
    or the open request that starts first when there is one."""
    app = PlanningApp(db, top=top)
    first = request_id or (app.request_picker.options[0][1] if app.request_picker.options else None)
    app.open_request(first)
    box = app.box
    box.app = app  # type: ignore[attr-defined]
    return box


def schedule_view(db=None, **kwargs: Any) -> w.VBox:
    """The schedule (see :mod:`fmstoolkit.ui.schedule`)."""
    from .schedule import schedule_view as view

    return view(db, **kwargs)


def rate_chart(db=None, skill: str | int = "web-development", request_id: int | None = None):
    """The rate benchmark of ``skill``, or of the first role of ``request_id`` with its
    candidates on it."""
    db = database(db)
    candidates: list[Any] = []
    if request_id is not None:
        request = planning.get_request(db, request_id)
        skill = request["roles"][0]["skill_id"]
        candidates = planning.rank_candidates(db, request_id, role_id=request["roles"][0]["id"])
    return rate_figure(db, skill, candidates)


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f} %"


def requests_report_html(db=None, *, days: int = 90, start=None, end=None) -> w.HTML:
    """The request ledger over a period (default: the last ``days`` days up to today plus the
    coming month): fill rate, time to staff, and one line per request."""
    db = database(db)
    today = clock.today()
    start = start or today - dt.timedelta(days=days)
    end = end or today + dt.timedelta(days=30)
    data = planning.requests_report(db, start=start, end=end)
    fr = get_settings().lang == "fr"
    times = data["time_to_staff_days"] or {}
    head = (
        f"<h4>{'Demandes du' if fr else 'Requests from'} {data['from']} "
        f"{'au' if fr else 'to'} {data['to']}</h4><p>"
        f"{data['requests']} {'demandes' if fr else 'requests'} · "
        f"{'pourvues' if fr else 'staffed'} {data['staffed']} "
        f"({'réseau' if fr else 'network'} {data['network']}, "
        f"{'extérieur' if fr else 'outside'} {data['outside']}) · "
        f"{'non pourvues' if fr else 'unfilled'} {data['unfilled']} · "
        f"{'ouvertes' if fr else 'open'} {data['open'] + data['polling']} · "
        f"{'taux de remplissage' if fr else 'fill rate'} {_percent(data['fill_rate'])} "
        f"({'réseau' if fr else 'network'} {_percent(data['network_fill_rate'])}) · "
        f"{'délai médian' if fr else 'median time to staff'} "
        f"{times.get('median', '—')} {'j' if fr else 'days'}</p>"
    )
    cols = ("id", "project", "skills", "start_date", "status", "outcome", "filled", "polls",
            "answers", "time_to_staff_days")  # fmt: skip
    rows = "".join(
        "<tr>"
        + "".join(f"<td>{html.escape('' if r.get(c) is None else str(r[c]))}</td>" for c in cols)
        + "</tr>"
        for r in data["rows"]
    )
    header = "".join(f"<th>{c.replace('_', ' ')}</th>" for c in cols)
    return w.HTML(head + f"<table><tr>{header}</tr>{rows}</table>")
