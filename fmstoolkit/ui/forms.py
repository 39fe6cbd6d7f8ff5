"""Any form definition (:mod:`fmstoolkit.forms.definitions`) rendered as ipywidgets.

Each field gets its control, its label, its help and an error label beside it. Values are
checked when a field changes (only that field's error is shown) and again on submit (every
error is shown). A required field's error shows only once the user touched it or pressed
submit: a pristine form says nothing is wrong (its defaults, set by the code, are not touches);
a rule that a change brings on an optional field (a comment once "partly" is picked) shows at
once.
Errors raised by the domain when saving (an :class:`~fmstoolkit.errors.FmsError` whose
problems name fields) are shown beside those fields too. ipywidgets is what JupyterLab users
already have; it works in plain Python as well (set ``.value``, call ``.click()``), which
is how the tests drive these forms.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable
from typing import Any

import ipywidgets as w

from ..config import get_settings
from ..errors import FmsError, Problem
from ..forms.fields import FieldDef, FormDef
from ..i18n import _

ERROR_STYLE = "color:#b00020;font-size:90%"
#: Warnings (the invoice check) do not block: their own colour, not the errors' red.
WARNING_STYLE = "color:#8a5a00;background:#fff4e0;padding:2px 6px;font-size:90%"
HELP_STYLE = "color:#666;font-size:85%"


def _control(field: FieldDef, lang: str) -> w.Widget:
    layout = w.Layout(width="auto")
    if field.type == "rating":
        return w.ToggleButtons(
            options=[(str(c.value), c.value) for c in field.options()],
            value=field.default,
            style={"button_width": "3em"},
        )
    if field.type == "yesno":
        return w.ToggleButtons(
            options=[(c.label(lang), c.value) for c in field.options()], value=field.default
        )
    if field.type == "choice":
        return w.Dropdown(
            options=[(c.label(lang), c.value) for c in field.options()],
            value=field.default,
            layout=w.Layout(width="24em"),
        )
    if field.type == "longtext":
        return w.Textarea(value=field.default or "", layout=w.Layout(width="40em", height="5em"))
    if field.type == "date":
        return w.DatePicker(value=field.default)
    if field.type == "list":
        return w.TagsInput(value=list(field.default or []), allow_duplicates=False)
    return w.Text(value="" if field.default is None else str(field.default), layout=layout)


def _to_widget_value(field: FieldDef, value: Any) -> Any:
    if field.type == "date":
        if isinstance(value, str) and value:
            return dt.date.fromisoformat(value[:10])
        return value or None
    if field.type == "list":
        return list(value or [])
    if field.type in ("text", "longtext", "number"):
        if value is None:
            return ""
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return str(value)
    return value


def warnings_html(warnings: list[str]) -> str:
    """Warnings that do not block (the invoice check), in their colour; empty when none."""
    if not warnings:
        return ""
    lines = "<br>".join("⚠ " + html.escape(x[:1].upper() + x[1:]) for x in warnings)
    return f'<div style="{WARNING_STYLE}">{lines}</div>'


def _error_html(problems: list[Problem], lang: str) -> str:
    return "<br>".join(
        f'<span style="{ERROR_STYLE}">⚠ {html.escape(p.what(lang))}</span>'
        for p in problems
    )


class FormWidget:
    """A form as widgets: ``.box`` to display, ``.values()``, ``.set_values()``,
    ``.submit()``; ``.error_labels[name].value`` holds the error shown beside a field."""

    def __init__(
        self,
        form: FormDef,
        values: dict[str, Any] | None = None,
        *,
        on_submit: Callable[[dict[str, Any]], Any] | None = None,
        submit_label: str | None = None,
        lang: str | None = None,
    ) -> None:
        self.form = form
        self.lang = lang or get_settings().lang
        self.on_submit = on_submit
        self.controls: dict[str, w.Widget] = {}
        self.error_labels: dict[str, w.HTML] = {}
        self.rows: dict[str, w.VBox] = {}  # each field's row (label, control, help, error)
        #: The fields the user changed; every field once submit was pressed.
        self.touched: set[str] = set()
        self._setting = False  # values set by the code (defaults), not by the user
        self.message = w.HTML("")
        rows = []
        if form.intro(self.lang):
            rows.append(w.HTML(f"<i>{html.escape(form.intro(self.lang))}</i>"))
        for field in form.fields:
            control = _control(field, self.lang)
            self.controls[field.name] = control
            self.error_labels[field.name] = w.HTML("")
            star = " *" if field.required else ""
            parts = [
                w.HTML(f"<b>{html.escape(field.label(self.lang))}</b>{star}"),
                control,
            ]
            if field.help(self.lang):
                tip = html.escape(field.help(self.lang))
                parts.append(w.HTML(f'<span style="{HELP_STYLE}">{tip}</span>'))
            parts.append(self.error_labels[field.name])
            self.rows[field.name] = w.VBox(parts, layout=w.Layout(margin="0 0 0.6em 0"))
            rows.append(self.rows[field.name])
            control.observe(self._changed(field.name), names="value")
        self.submit_button = None
        if submit_label or on_submit:
            self.submit_button = w.Button(
                description=submit_label or _("Save", self.lang),
                button_style="primary",
                layout=w.Layout(width="auto"),  # the label is never cut ("Créer la demand…")
            )
            self.submit_button.on_click(lambda _b: self.submit())
            rows.append(self.submit_button)
        rows.append(self.message)
        self.box = w.VBox(rows)
        if values:
            self.set_values(values)

    def insert_before(self, name: str, widget: w.Widget) -> None:
        """Show ``widget`` (an app's own control, such as the invoice upload) just above the
        row of field ``name``."""
        children = list(self.box.children)
        children.insert(children.index(self.rows[name]), widget)
        self.box.children = tuple(children)

    # values ---------------------------------------------------------------------------------

    def values(self) -> dict[str, Any]:
        out = {}
        for field in self.form.fields:
            value = self.controls[field.name].value
            if field.type == "list":
                value = list(value)
            out[field.name] = value
        return out

    def set_values(self, values: dict[str, Any]) -> None:
        """Fill fields from the code: they count as untouched, no error shows for them."""
        self._setting = True
        try:
            for field in self.form.fields:
                if field.name in values and values[field.name] is not None:
                    self.controls[field.name].value = _to_widget_value(field, values[field.name])
        finally:
            self._setting = False
        self.clear_errors()

    # errors ---------------------------------------------------------------------------------

    def clear_errors(self) -> None:
        for label in self.error_labels.values():
            label.value = ""
        self.message.value = ""

    def errors(self) -> dict[str, str]:
        """The error text shown beside each field (only fields with an error)."""
        return {k: v.value for k, v in self.error_labels.items() if v.value}

    def show_problems(self, problems: list[Problem], head: str | None = None) -> None:
        self.clear_errors()
        by_field: dict[str, list[Problem]] = {}
        loose: list[Problem] = []
        for p in problems:
            name = (p.field or "").split(".")[-1]
            (by_field.setdefault(name, []) if name in self.error_labels else loose).append(p)
        for name, probs in by_field.items():
            self.error_labels[name].value = _error_html(probs, self.lang)
        lines = [html.escape(head)] if head else []
        lines += [html.escape(p.message(self.lang)) for p in loose]
        if lines:
            self.message.value = f'<div style="{ERROR_STYLE}">' + "<br>".join(lines) + "</div>"

    def _changed(self, name: str) -> Callable[[dict], None]:
        def handler(_change: dict) -> None:
            if self._setting:
                return
            self.touched.add(name)
            values = self.values()
            problems = self.form.problems(values)
            rule_problems = self.form.rule_problems(values)
            rules = {p.field for p in rule_problems}
            required = {f.name for f in self.form.fields if f.required}
            # the changed field, fields a rule now concerns, and fields already in error
            shown = {name} | rules | {k for k, v in self.error_labels.items() if v.value}
            for field in shown & set(self.error_labels):
                if field in self.touched:
                    probs = [p for p in problems if p.field == field]
                elif field not in required:  # "say what was not met" once "partly" is picked
                    probs = [p for p in rule_problems if p.field == field]
                else:  # a required field the user has not reached yet: nothing, until submit
                    continue
                self.error_labels[field].value = _error_html(probs, self.lang)

        return handler

    # submit ---------------------------------------------------------------------------------

    def submit(self) -> bool:
        """Validate every field; when valid call ``on_submit`` (errors it raises are shown
        beside their fields). True when saved."""
        self.touched |= set(self.controls)
        problems = self.form.problems(self.values())
        if problems:
            self.show_problems(problems)
            return False
        values = self.form.clean(self.values())
        if self.on_submit is not None:
            try:
                self.on_submit(values)
            except FmsError as exc:
                problems = exc.problems
                if not problems and exc.field in self.error_labels:  # one sentence, one field
                    problems = [exc.as_problem()]
                self.show_problems(problems, head=exc.message(self.lang).split("\n")[0])
                return False
        self.clear_errors()
        self.message.value = "✓ " + _("Saved.", self.lang)
        return True
