"""The planning notebook app: a staffing request, its ranked candidates, the actions on them.

The request form is in :mod:`fmstoolkit.ui.request_form`, the candidates' table in
:mod:`fmstoolkit.ui.candidates`, the request ledger in :mod:`fmstoolkit.ui.requests_report`.

The candidates come from :func:`fmstoolkit.planning.rank_candidates`, filtered by the domain
itself (minimum level, fully free only, under budget). "Ask availability" and "Assign" run the
shared actions (:mod:`fmstoolkit.actions.planning`): a poll and the question queued for each
selected candidate; the mission and its confirmation.
The schedule (Gantt) is in :mod:`fmstoolkit.ui.schedule`, the rate chart in
:mod:`fmstoolkit.ui.rates`. Nothing here reads or shows contact data.
"""

from __future__ import annotations

import html
from typing import Any

import ipywidgets as w

from .. import planning
from ..actions import planning as planning_actions
from ..config import get_settings
from ..errors import FmsError
from ..i18n import N_, _, format_date, format_money
from ..i18n_labels import status_label
from .candidates import availability_label, candidates_html
from .common import database, translate
from .forms import ERROR_STYLE
from .missions import MissionPanel
from .rates import rate_figure, update_rate_figure
from .request_form import RequestFormWidget, as_problems

TEXTS = {
    "create": N_("Create the request and rank candidates"),
    "open_request": N_("Or open a request"),
    "open": N_("Open"),
    "role": N_("Role"),
    "min_level": N_("Min. level"),
    "free_only": N_("Fully free only"),
    "under_budget": N_("Under budget"),
    "ask": N_("Ask availability"),
    "assign": N_("Assign"),
    "pick": N_("Candidates to act on"),
    "pick_first": N_("Select candidates in the list first."),
    "pick_one": N_("Select exactly one candidate to assign."),
    "no_request": N_("Create or open a request first."),
    "ends": N_("Ends on {end} ({days} working days from {start})."),
    "created": N_("Request #{id} created."),
    "polled": N_("Availability asked to {names}"),
    "queued": N_("question queued ({n} messages)."),
    "assigned": N_("{name} assigned: mission #{mission}."),
    "confirmation": N_("Mission confirmation queued (email with the .ics, or Telegram)."),
    "staffed": N_("The request is staffed."),
    "busy": N_("Busy ({n})"),
    "missions": N_("Move, extend or cancel a mission"),
    "busy_pick": N_("Busy candidates to act on"),
}  # fmt: skip

def t(key: str, lang: str | None = None, **params: Any) -> str:
    return translate(TEXTS, key, lang, **params)


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
        self.busy_table = w.HTML()
        self.busy_selection = w.SelectMultiple(
            description=t("busy_pick", self.lang), rows=4, layout=w.Layout(width="40em"),
            style={"description_width": "initial"},
        )
        self.busy_box = w.Accordion([w.VBox([self.busy_table, self.busy_selection])],
                                    selected_index=None)  # fmt: skip
        self.ask_button = w.Button(description=t("ask", self.lang), icon="question",
                                   layout=w.Layout(width="auto"))  # labels never cut
        self.assign_button = w.Button(
            description=t("assign", self.lang), button_style="success", icon="check",
            layout=w.Layout(width="auto"),
        )
        self.ask_button.on_click(lambda _b: self.ask_availability())
        self.assign_button.on_click(lambda _b: self.assign())
        self.ask_message = w.HTML()
        self.assign_message = w.HTML()
        self.chart = None
        self.chart_box = w.VBox()
        self.missions = MissionPanel(self.db, self.lang, on_change=self._mission_changed)
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
                self.busy_box,
                w.HBox([self.ask_button, self.ask_message]),
                w.HBox([self.assign_button, self.assign_message]),
                self.chart_box,
                w.HTML(f"<h3>{html.escape(t('missions', self.lang))}</h3>"),
                self.missions,
            ]
        )

    # requests -------------------------------------------------------------------------------

    def refresh_requests(self) -> None:
        rows = planning.list_requests(self.db, status=("open", "polling"))
        rows.sort(key=lambda r: (r["start_date"], r["id"]))  # the most urgent first
        options = [
            (f"#{r['id']} · {r['project']} · {format_date(r['start_date'], self.lang)} → "
             f"{format_date(r['end_date'], self.lang)}", r["id"])
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
            raise as_problems(exc) from exc
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
        lang = self.lang
        head = _("Request #{id}", lang).format(id=req["id"])
        parts = [
            f"<b>{html.escape(head)}</b>",
            html.escape(req["project"]),
            html.escape(
                _("{start} → {end} ({days} working days)", lang).format(
                    start=format_date(req["start_date"], lang),
                    end=format_date(req["end_date"], lang),
                    days=req["days"],
                )
            ),
        ]
        if req.get("max_rate"):
            parts.append(
                html.escape(_("max {rate}", lang).format(rate=format_money(req["max_rate"], lang)))
            )
        head = " · ".join([*parts, html.escape(status_label("request", req["status"], lang))])
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
            self.busy_selection.options = []
            return
        # the people already holding a role of this request are not offered again
        taken = {r["freelancer_id"] for r in self.request["roles"] if r.get("freelancer_id")}
        self.candidates = [c for c in self.candidates if c.freelancer_id not in taken]
        polls = {p["freelancer_id"]: p for p in planning.polls_for(self.db, self.request["id"])}
        free = [c for c in self.candidates if c.availability != "busy"]
        busy = [c for c in self.candidates if c.availability == "busy"]
        self.table.value = candidates_html(free, self.lang, polls)
        self.busy_table.value = candidates_html(busy, self.lang, polls, start=len(free) + 1)
        self.busy_box.set_title(0, t("busy", self.lang, n=len(busy)))
        self.busy_box.layout.display = "" if busy else "none"
        self.selection.options = self._options(free)
        self.busy_selection.options = self._options(busy)
        self.busy_selection.value = ()
        self.selection.value = ()
        self.ask_message.value = ""
        self.assign_message.value = ""
        self._draw_chart()

    def _mission_changed(self) -> None:
        """A mission moved, changed length or was cancelled: the request's roles and the
        candidates' availability change with it."""
        if self.request is not None:
            self.open_request(self.request["id"])
            self.refresh_requests()

    def _options(self, candidates: list[Any]) -> list[tuple[str, int]]:
        lang = self.lang
        return [
            (f"{c.name} · {c.score:.0f} · {availability_label(c.availability, lang)}"
             + (" · " + _("asked: {answer}", lang).format(
                 answer=status_label("answer", c.poll_answer, lang)) if c.poll_answer else ""),
             c.freelancer_id)
            for c in candidates
        ]  # fmt: skip

    def chosen(self) -> list[int]:
        """The candidates selected, free ones and busy ones."""
        return [*self.selection.value, *self.busy_selection.value]

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
        free = {v for _label, v in self.selection.options}
        self.selection.value = tuple(i for i in freelancer_ids if i in free)
        self.busy_selection.value = tuple(i for i in freelancer_ids if i not in free)

    # actions --------------------------------------------------------------------------------

    def ask_availability(self) -> list[int]:
        """Ask the selected candidates (a poll each, the question queued by their preferred
        channel: the one action the CLI's ``fms ask`` runs too). Returns the poll ids."""
        self.ask_message.value = ""
        if self.request is None:
            self.ask_message.value = _error(t("no_request", self.lang))
            return []
        chosen = self.chosen()
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
        chosen = self.chosen()
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
        text += " " + t("confirmation", self.lang)
        self.open_request(self.request["id"])
        self.refresh_requests()
        self.missions.refresh()
        self.missions.pick(mission_id)
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


