"""The staffing request form of the planning app, with autocompletion.

The declarative ``request`` form of :mod:`fmstoolkit.forms.definitions` rendered by
:mod:`fmstoolkit.ui.forms` (errors beside the fields as you type), with the skill and project
fields turned into Comboboxes. A Combobox only restricts its value in the browser, so the skill
is checked again here against the catalogue (the same resolution as the CLI, with the closest
skill suggested). The end date of the working days asked for shows as you type.
"""

from __future__ import annotations

import html
from dataclasses import fields as dataclass_fields
from typing import Any

import ipywidgets as w
import sqlite_utils

from .. import clock, planning, pool
from ..errors import FmsError, Problem
from ..forms.definitions import REQUEST, FormDef
from ..i18n import N_, format_date
from .common import translate
from .forms import FormWidget

TEXTS = {
    "create": N_("Create the request and rank candidates"),
    "ends": N_("Ends on {end} ({days} working days from {start})."),
}  # fmt: skip


def t(key: str, lang: str | None = None, **params: Any) -> str:
    return translate(TEXTS, key, lang, **params)


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
                out += exc.problems or [exc.as_problem("skill")]
        return out


def request_form(db: sqlite_utils.Database) -> FormDef:
    """The ``request`` form definition bound to ``db`` for the skill check."""
    values = {f.name: getattr(REQUEST, f.name) for f in dataclass_fields(REQUEST)}
    form = _CheckedRequestForm(**values)
    object.__setattr__(form, "db", db)  # a frozen dataclass: set once, here
    return form


def as_problems(exc: FmsError) -> FmsError:
    """A domain error naming a field but without problems gets one, so that the form shows it
    beside that field."""
    if not exc.problems and exc.field:
        exc.problems = [exc.as_problem()]
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
        self.set_values({"start": clock.days_from_today(6)})  # a default: not a touch

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
            t("ends", self.lang, end=format_date(last, self.lang), days=days,
              start=format_date(first, self.lang))
        )


