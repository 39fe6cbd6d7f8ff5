"""The schedule as an interactive timeline (Gantt): freelancers' missions and declared
unavailability, and the open requests, over a chosen window. Clicking a bar shows its detail.

The rows come from :func:`fmstoolkit.planning.schedule`. Only the ``top`` busiest freelancers
of the window get a row (the agency has thousands; a chart with thousands of rows is neither
fast nor readable), open requests always come first. The chart is a plotly ``FigureWidget``:
it is an ipywidget, so its click events reach Python in JupyterLab, and plain pytest can send it
the same click message the browser sends.
"""

from __future__ import annotations

import datetime as dt
import html
from collections import Counter
from typing import Any

import ipywidgets as w
import plotly.graph_objects as go
from IPython.display import HTML

from .. import clock, planning
from ..config import get_settings
from ..dates import parse_date
from ..errors import FmsError
from ..i18n import N_, _, format_date
from ..i18n_labels import status_label
from .chart_dates import date_ticks
from .common import database, figure_ready
from .forms import ERROR_STYLE

DAY_MS = 86_400_000
#: One trace (and legend entry) per kind of bar: (kind, mission status, colour, names).
SERIES = (
    ("request", None, "#fc8d62", N_("Open requests")),
    ("mission", "planned", "#8da0cb", N_("Missions planned")),
    ("mission", "active", "#66c2a5", N_("Missions under way")),
    ("mission", "ending", "#e78ac3", N_("Missions ending")),
    ("unavailability", None, "#b3b3b3", N_("Unavailable")),
)
#: What a click may show of a mission: never any contact data.
MISSION_FIELDS = (
    ("freelancer", N_("Freelancer")),
    ("project", N_("Project")),
    ("skill", N_("Skill")),
    ("title", N_("Title")),
    ("start_date", N_("Start")),
    ("end_date", N_("End")),
    ("days", N_("Working days")),
    ("daily_rate", N_("Daily rate (€)")),
    ("status", N_("Status")),
    ("request_id", N_("Request")),
)


TEXTS = {
    "from": N_("From"),
    "to": N_("To"),
    "rows": N_("Rows"),
    "show": N_("Show"),
    "bad_window": N_("The end of the window is before its start."),
    "unavailable": N_("Unavailable"),
    "reason": N_("Reason"),
}


def tr(key: str, lang: str | None = None) -> str:
    return _(TEXTS[key], lang)


_date = parse_date


def _overlap_days(row: dict[str, Any], start: dt.date, end: dt.date) -> int:
    first = max(_date(row["start"]), start)
    last = min(_date(row["end"]), end)
    return max((last - first).days + 1, 0)


def select_rows(
    rows: list[dict[str, Any]], start: dt.date, end: dt.date, top: int
) -> list[dict[str, Any]]:
    """The rows of the open requests and of the ``top`` freelancers with the most booked
    (mission or unavailable) days in the window; each row gets its ``lane`` label."""
    load: Counter[int] = Counter()
    names: dict[int, str] = {}
    for row in rows:
        if row["freelancer_id"] is not None:
            load[row["freelancer_id"]] += _overlap_days(row, start, end)
            names[row["freelancer_id"]] = row["lane"]
    keep = {fid for fid, _load in sorted(load.items(), key=lambda x: (-x[1], names[x[0]]))[:top]}
    twice = {n for n, c in Counter(names[f] for f in keep).items() if c > 1}
    out = []
    for row in rows:
        fid = row["freelancer_id"]
        if fid is None and row["kind"] == "request":
            out.append(dict(row))
        elif fid in keep:
            lane = f"{row['lane']} (#{fid})" if row["lane"] in twice else row["lane"]
            out.append(dict(row, lane=lane))
    return out


def lanes_of(rows: list[dict[str, Any]]) -> list[str]:
    """Lane order, top to bottom: requests first (by start), then freelancers by name."""
    requests = sorted(
        {(r["start"], r["lane"]) for r in rows if r["freelancer_id"] is None}, key=lambda x: x
    )
    people = sorted({r["lane"] for r in rows if r["freelancer_id"] is not None}, key=str.lower)
    seen: list[str] = []
    for lane in [lane for _request, lane in requests] + people:
        if lane not in seen:
            seen.append(lane)
    return seen


def _hover(row: dict[str, Any], lang: str) -> str:
    dates = f"{format_date(row['start'], lang)} → {format_date(row['end'], lang)}"
    parts = [row.get("label") or "", dates]
    if row.get("status") and row["kind"] in ("mission", "request"):
        parts.append(status_label(row["kind"], row["status"], lang))
    return "<br>".join(html.escape(str(p)) for p in parts if p)


def _status(row: dict[str, Any]) -> str | None:
    if row["kind"] != "mission":
        return None
    return row.get("status") if row.get("status") in ("active", "ending") else "planned"


def series_values(rows: list[dict[str, Any]], lang: str) -> list[dict[str, Any]]:
    """Per series of :data:`SERIES`, the values of its bar trace (empty and hidden when the
    window has none of that kind); each bar's customdata is ``[kind, id]``, which a click turns
    into the detail."""
    out = []
    for kind, status, _color, names in SERIES:
        mine = [r for r in rows if r["kind"] == kind and _status(r) == status]
        out.append({
            "name": _(names, lang),
            "visible": bool(mine),
            "y": [r["lane"] for r in mine],
            "base": [str(r["start"])[:10] for r in mine],
            "x": [(_date(r["finish"]) - _date(r["start"])).days * DAY_MS for r in mine],
            # a request's bar is one of its roles: the click opens the request, not the
            # request whose id is the role's (the bar used to carry the role's id)
            "customdata": [[kind, r["request_id"] if kind == "request" else r["id"]]
                           for r in mine],
            "hovertext": [_hover(r, lang) for r in mine],
            "text": [r.get("label") or "" for r in mine],
        })  # fmt: skip
    return out


def timeline_traces(
    rows: list[dict[str, Any]], lang: str, keep_empty: bool = False
) -> list[go.Bar]:
    """One horizontal bar trace per series (open requests, missions by status, unavailability),
    the empty ones left out unless ``keep_empty`` (the view keeps one trace per series, hidden
    when empty, so that a new window only restyles them)."""
    return [
        go.Bar(
            **values,
            orientation="h",
            hoverinfo="text",
            marker={"color": color, "line": {"width": 0}},
            textposition="inside",
            insidetextanchor="start",
        )
        for (_kind, _status, color, _names), values in zip(
            SERIES, series_values(rows, lang), strict=True)
        if keep_empty or values["visible"]
    ]


def _layout(fig: go.Figure, lanes: list[str], start: dt.date, end: dt.date, lang: str) -> None:
    today = clock.today()
    shapes = []
    if start <= today <= end:
        shapes.append(
            {
                "type": "line",
                "xref": "x",
                "yref": "paper",
                "x0": today.isoformat(),
                "x1": today.isoformat(),
                "y0": 0,
                "y1": 1,
                "line": {"color": "#d62728", "width": 1, "dash": "dot"},
            }
        )
    fig.update_layout(
        barmode="overlay",
        xaxis={
            "type": "date",
            # tick labels from Babel ("7 déc."): plotly.js would name months in English
            **date_ticks(start, end, lang),
            "range": [start.isoformat(), (end + dt.timedelta(days=1)).isoformat()],
        },
        yaxis={
            "type": "category",
            "categoryorder": "array",
            "categoryarray": lanes,
            "autorange": "reversed",
        },
        shapes=shapes,
        height=170 + 24 * max(len(lanes), 3),
        margin={"t": 90, "b": 30, "l": 10, "r": 10},
        legend={"orientation": "h", "y": 1.0, "yanchor": "bottom", "x": 0},
        uniformtext={"minsize": 9, "mode": "hide"},  # labels too long for a bar are hidden
        title={
            "text": _("Schedule {start} → {end}", lang).format(
                start=format_date(start, lang), end=format_date(end, lang)),
            "y": 0.98,
            "yanchor": "top",
        },
        clickmode="event",
    )


def timeline_figure(
    db, start: dt.date | str, end: dt.date | str, *, top: int = 30, lang: str | None = None
) -> go.FigureWidget:
    """The timeline of the window as a FigureWidget (without the click handling of
    :class:`ScheduleView`)."""
    lang = lang or get_settings().lang
    start, end = _date(start), _date(end)
    rows = select_rows(planning.schedule(database(db), start, end), start, end, top)
    fig = go.FigureWidget(data=timeline_traces(rows, lang))
    _layout(fig, lanes_of(rows), start, end, lang)
    return figure_ready(fig)


def _table(pairs: list[tuple[str, Any]]) -> str:
    return (
        "<table>"
        + "".join(
            f"<tr><th style='text-align:left;padding-right:1em'>{html.escape(k)}</th>"
            f"<td>{html.escape('' if v is None else str(v))}</td></tr>"
            for k, v in pairs
        )
        + "</table>"
    )


def mission_html(db, mission_id: int, lang: str | None = None) -> str:
    """What clicking a mission bar shows (names, dates, rate, status; no contact data)."""
    lang = lang or get_settings().lang
    mission = planning.get_mission(db, mission_id)
    shown = {"start_date": lambda v: format_date(v, lang),
             "end_date": lambda v: format_date(v, lang),
             "status": lambda v: status_label("mission", v, lang)}  # fmt: skip
    pairs = [
        (_(label, lang), shown.get(key, lambda v: v)(mission.get(key)))
        for key, label in MISSION_FIELDS
        if mission.get(key) is not None
    ]
    head = _("Mission #{id}", lang).format(id=mission_id)
    return f"<h4>{html.escape(head)}</h4>{_table(pairs)}"


def request_html(db, request_id: int, lang: str | None = None) -> str:
    lang = lang or get_settings().lang
    req = planning.get_request(db, request_id)
    pairs = [
        (_("Project", lang), req.get("project")),
        (_("Dates", lang), _("{start} → {end} ({days} working days)", lang).format(
            start=format_date(req["start_date"], lang), end=format_date(req["end_date"], lang),
            days=req["days"])),
        (_("Status", lang), status_label("request", req.get("status"), lang)),
        (_("Max daily rate (€)", lang), req.get("max_rate")),
    ]
    for role in req.get("roles", []):
        who = role.get("freelancer") or _("to fill", lang)
        pairs.append((role.get("skill_label") or role.get("skill") or "", who))
    head = _("Request #{id}", lang).format(id=request_id)
    return f"<h4>{html.escape(head)}</h4>{_table(pairs)}"


class ScheduleView:
    """The schedule over a window with its controls; ``.box`` is what the notebook displays.

    ``.figure`` is the timeline, ``.detail`` the Output that shows the clicked bar,
    ``.summary`` the agency at a glance over the window."""

    def __init__(
        self,
        db=None,
        *,
        start: dt.date | str | None = None,
        end: dt.date | str | None = None,
        weeks: int = 6,
        top: int = 30,
        lang: str | None = None,
    ) -> None:
        self.db = database(db)
        self.lang = lang or get_settings().lang
        first = _date(start) if start else clock.today() - dt.timedelta(days=7)
        last = _date(end) if end else first + dt.timedelta(weeks=weeks)
        self.start_picker = w.DatePicker(value=first, description=tr("from", self.lang))
        self.end_picker = w.DatePicker(value=last, description=tr("to", self.lang))
        self.top_input = w.BoundedIntText(
            value=top, min=1, max=1000, description=tr("rows", self.lang)
        )
        self.show_button = w.Button(description=tr("show", self.lang), icon="calendar")
        self.show_button.on_click(lambda _b: self.refresh())
        self.message = w.HTML()
        self.summary = w.HTML()
        self.figure = go.FigureWidget()  # replaced by refresh() with the window's
        self.detail = w.Output()
        self.rows: list[dict[str, Any]] = []
        self.box = w.VBox(
            [
                w.HBox([self.start_picker, self.end_picker, self.top_input, self.show_button]),
                self.message,
                self.summary,
                self.figure,
                self.detail,
            ]
        )
        self.refresh()

    def refresh(self) -> None:
        """Redraw the timeline for the window and row count in the controls."""
        start, end = self.start_picker.value, self.end_picker.value
        if start is None or end is None or end < start:
            self.message.value = (
                f'<span style="{ERROR_STYLE}">⚠ {tr("bad_window", self.lang)}</span>'
            )
            return
        self.message.value = ""
        rows = planning.schedule(self.db, start, end)
        self.rows = select_rows(rows, start, end, self.top_input.value)
        lanes = lanes_of(self.rows)
        self.lanes = lanes
        # A new figure per window, drawn whole from its state. Editing the drawn one (its
        # traces restyled in one batch_update message) was faster but, at 10,000 freelancers,
        # the update sometimes never reached the chart and every later window stayed undrawn.
        figure = go.FigureWidget(data=timeline_traces(self.rows, self.lang, keep_empty=True))
        for trace in figure.data:
            trace.on_click(self._clicked)
        _layout(figure, lanes, start, end, self.lang)
        old, self.figure = getattr(self, "figure", None), figure_ready(figure)
        if old is not None:
            self.box.children = tuple(figure if c is old else c for c in self.box.children)
            old.close()
        self.summary.value = self.summary_html(start, end, hidden=self._hidden(rows))

    def _hidden(self, rows: list[dict[str, Any]]) -> int:
        shown = {r["freelancer_id"] for r in self.rows}
        return len({r["freelancer_id"] for r in rows if r["freelancer_id"] is not None} - shown)

    def summary_html(self, start: dt.date, end: dt.date, hidden: int = 0) -> str:
        data = planning.schedule_summary(self.db, start, end)
        labels = {
            "freelancers_booked": N_("freelancers booked"),
            "missions": N_("missions"),
            "booked_days": N_("booked days"),
            "open_requests": N_("open requests"),
            "open_roles": N_("roles to fill"),
            "unavailability": N_("unavailability periods"),
        }
        parts = [
            f"<b>{data[k]}</b> {html.escape(_(v, self.lang))}"
            for k, v in labels.items()
            if k in data
        ]
        if hidden:
            more = _("{n} more freelancers not shown", self.lang).format(n=hidden)
            parts.append(html.escape(more))
        return " · ".join(parts)

    def _clicked(self, trace, points, _state) -> None:
        if not points.point_inds:
            return
        kind, obj_id = trace.customdata[points.point_inds[0]]
        self.show(kind, int(obj_id))

    def show(self, kind: str, obj_id: int) -> None:
        """Show the detail of one bar (what a click does)."""
        try:
            if kind == "mission":
                body = mission_html(self.db, obj_id, self.lang)
            elif kind == "request":
                body = request_html(self.db, obj_id, self.lang)
            else:
                row = next(r for r in self.rows if r["kind"] == kind and r["id"] == obj_id)
                body = _table(
                    [
                        (tr("unavailable", self.lang), row["lane"]),
                        (_("Dates", self.lang), f"{format_date(row['start'], self.lang)} → "
                                                f"{format_date(row['end'], self.lang)}"),
                        (tr("reason", self.lang), row.get("label")),
                    ]
                )
        except FmsError as exc:
            body = f'<span style="{ERROR_STYLE}">{html.escape(exc.message(self.lang))}</span>'
        self.detail.outputs = ()
        self.detail.append_display_data(HTML(body))

    def detail_text(self) -> str:
        """The HTML currently shown in the detail Output (for tests and scripts)."""
        return "".join(o.get("data", {}).get("text/html", "") for o in self.detail.outputs)


def schedule_view(db=None, *, weeks: int = 6, top: int = 30, start=None, end=None) -> w.VBox:
    """The widget the notebook displays (the view object is at ``.view``)."""
    view = ScheduleView(db, start=start, end=end, weeks=weeks, top=top)
    box = view.box
    box.view = view  # type: ignore[attr-defined]
    return box
