"""Move, extend or cancel a mission from the planning app.

A searchable picker of the missions still open (planned, under way, ending), then three rows,
each with its own message beside its button: a new start (same working days), a new end
(longer or shorter), a reason and "Cancel the mission". They run the shared actions
(:mod:`fmstoolkit.actions.planning`: move_mission, extend_mission, cancel_mission), which check
double bookings inside their transaction and queue the freelancer's new confirmation or the
cancellation message; the CLI's ``fms mission move|extend|cancel`` runs the same functions.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable
from typing import Any

import ipywidgets as w
import sqlite_utils

from ..actions import planning as planning_actions
from ..errors import FmsError
from ..i18n import N_, current_lang, format_date
from ..models.enums import OPEN_MISSIONS_SQL
from .common import database, translate
from .forms import ERROR_STYLE

TEXTS = {
    "mission": N_("Mission"),
    "search": N_("Type a name, a project or a number"),
    "unknown": N_("Pick a mission in the list (type a name, a project or its number)."),
    "option": N_("#{id} · {freelancer} · {project} · {start} → {end}"),
    "new_start": N_("New start"),
    "move": N_("Move"),
    "new_end": N_("New end"),
    "extend": N_("Extend or shorten"),
    "reason": N_("Reason (the freelancer reads it)"),
    "cancel": N_("Cancel the mission"),
    "need_date": N_("Choose a date first."),
    "moved": N_("Mission #{id} moved: {start} → {end}; the new dates are sent to {name}."),
    "extended": N_("Mission #{id} now ends on {end}; the new dates are sent to {name}."),
    "cancelled": N_("Mission #{id} cancelled; {name} is told."),
}  # fmt: skip


def t(key: str, lang: str, **params: Any) -> str:
    return translate(TEXTS, key, lang, **params)


def _error(text: str) -> str:
    return f'<span style="{ERROR_STYLE}">⚠ {html.escape(text)}</span>'


def _done(text: str) -> str:
    return f'<span style="color:#1b5e20">✓ {html.escape(text)}</span>'


def open_missions(db: sqlite_utils.Database) -> list[dict[str, Any]]:
    """The missions that can still move, soonest first (public columns only)."""
    return list(db.query(
        "SELECT m.id, f.name AS freelancer, p.name AS project, m.start_date, m.end_date "
        "FROM missions m JOIN freelancers f ON f.id = m.freelancer_id JOIN projects p "
        f"ON p.id = m.project_id WHERE m.status IN {OPEN_MISSIONS_SQL} "
        "ORDER BY m.start_date, m.id"))  # fmt: skip


def why(exc: FmsError, lang: str) -> str:
    """The error's sentences without field names."""
    return " ".join(p.what(lang) for p in exc.problems) or exc.head(lang)


class MissionPanel(w.VBox):
    """The picker and the three actions; ``on_change`` runs after a mission changed (to redraw
    the schedule, the candidates)."""

    def __init__(self, db: sqlite_utils.Database, lang: str | None = None,
                 on_change: Callable[[], None] | None = None) -> None:  # fmt: skip
        self.db, self.lang, self.on_change = db, current_lang(lang), on_change
        lang = self.lang
        auto = w.Layout(width="auto", flex="0 0 auto")
        self.picker = w.Combobox(placeholder=t("search", lang), ensure_option=True,
                                 description=t("mission", lang),
                                 layout=w.Layout(width="44em"))  # fmt: skip
        self.picker_message = w.HTML()
        self.new_start = w.DatePicker(description=t("new_start", lang),
                                      style={"description_width": "8em"})  # fmt: skip
        self.move_button = w.Button(description=t("move", lang), icon="arrows-h", layout=auto)
        self.move_message = w.HTML()
        self.new_end = w.DatePicker(description=t("new_end", lang),
                                    style={"description_width": "8em"})  # fmt: skip
        self.extend_button = w.Button(description=t("extend", lang), icon="expand", layout=auto)
        self.extend_message = w.HTML()
        self.reason = w.Text(placeholder=t("reason", lang), layout=w.Layout(width="24em"))
        self.cancel_button = w.Button(description=t("cancel", lang), icon="times",
                                      button_style="danger", layout=auto)  # fmt: skip
        self.cancel_message = w.HTML()
        self.move_button.on_click(lambda _b: self.move())
        self.extend_button.on_click(lambda _b: self.extend())
        self.cancel_button.on_click(lambda _b: self.cancel())
        super().__init__([
            w.HBox([self.picker, self.picker_message]),
            w.HBox([self.new_start, self.move_button, self.move_message]),
            w.HBox([self.new_end, self.extend_button, self.extend_message]),
            w.HBox([self.reason, self.cancel_button, self.cancel_message]),
        ])  # fmt: skip
        self.refresh()

    def refresh(self) -> None:
        self._ids = {
            t("option", self.lang, id=m["id"], freelancer=m["freelancer"], project=m["project"],
              start=format_date(m["start_date"], self.lang),
              end=format_date(m["end_date"], self.lang)): m["id"]
            for m in open_missions(self.db)
        }  # fmt: skip
        self.picker.options = list(self._ids)
        if self.picker.value not in self._ids:
            self.picker.value = ""

    def pick(self, mission_id: int) -> None:
        """Choose mission ``mission_id`` in the picker (as typing its number would)."""
        self.picker.value = next((k for k, v in self._ids.items() if v == mission_id), "")

    def _clear(self) -> None:
        for box in (self.picker_message, self.move_message, self.extend_message,
                    self.cancel_message):  # fmt: skip
            box.value = ""

    def _mission(self) -> int | None:
        # ensure_option is only enforced in the browser: check the text again here
        mission_id = self._ids.get(self.picker.value)
        if mission_id is None:
            self.picker_message.value = _error(t("unknown", self.lang))
        return mission_id

    def _run(self, message: w.HTML, action: Callable[[int], dict], done: str,
             date: dt.date | None | bool = True) -> dict | None:  # fmt: skip
        self._clear()
        mission_id = self._mission()
        if mission_id is None:
            return None
        if date is None:
            message.value = _error(t("need_date", self.lang))
            return None
        try:
            mission = action(mission_id)
        except FmsError as exc:
            message.value = _error(why(exc, self.lang))
            return None
        self.refresh()
        if mission["status"] != "cancelled":
            self.pick(mission_id)
        message.value = _done(t(done, self.lang, id=mission_id, name=mission["freelancer"],
                                start=format_date(mission["start_date"], self.lang),
                                end=format_date(mission["end_date"], self.lang)))  # fmt: skip
        if self.on_change:
            self.on_change()
        return mission

    def move(self) -> dict | None:
        day = self.new_start.value
        return self._run(self.move_message, lambda mid: planning_actions.move_mission(
            self.db, mid, day.isoformat()), "moved", day)  # fmt: skip

    def extend(self) -> dict | None:
        day = self.new_end.value
        return self._run(self.extend_message, lambda mid: planning_actions.extend_mission(
            self.db, mid, end=day.isoformat()), "extended", day)  # fmt: skip

    def cancel(self) -> dict | None:
        reason = self.reason.value.strip() or None
        return self._run(self.cancel_message, lambda mid: planning_actions.cancel_mission(
            self.db, mid, reason=reason), "cancelled")  # fmt: skip


def mission_panel(db=None, lang: str | None = None) -> MissionPanel:
    """The panel on ``db`` (default: ``FMS_DB``)."""
    return MissionPanel(database(db), lang)
