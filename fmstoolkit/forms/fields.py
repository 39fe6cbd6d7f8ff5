"""The building blocks of a declarative form: :class:`Choice`, :class:`FieldDef` (type, French
and English label and help, required flag, choices, default) and :class:`FormDef` (its fields,
the pydantic answer model that holds its rules, and the checks the definition itself states).
No UI code here: :mod:`fmstoolkit.ui.forms` renders a definition as ipywidgets, the assistant
as a conversation, ``fms offboard --template`` as a JSON skeleton.

Plain frozen dataclasses are enough to declare forms; a form library would bring its own UI
assumptions. Field types: ``rating`` (1-5), ``choice``, ``yesno``, ``text``, ``longtext``,
``date``, ``number`` and ``list`` (of short texts).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import Any

from pydantic import BaseModel, ValidationError

from ..errors import Problem
from ..i18n import N_, _
from ..models import invalid, problems_of

FIELD_TYPES = ("rating", "choice", "yesno", "text", "longtext", "date", "number", "list")


@dataclass(frozen=True)
class Choice:
    """One answer of a choice field: the value stored, and its label (an English source
    sentence, shown translated)."""

    value: Any
    text: str

    def label(self, lang: str | None = None) -> str:
        return _(self.text, lang) if self.text else ""


@dataclass(frozen=True)
class FieldDef:
    """A field: its name, type, label and help (English source sentences, shown translated)."""

    name: str
    type: str
    text: str
    help_text: str = ""
    required: bool = False
    choices: tuple[Choice, ...] = ()
    default: Any = None
    #: The values of the label's ``{placeholders}`` ("Deliverable: {title}"), as (name, value)
    #: pairs: the label is translated first, then filled.
    label_params: tuple[tuple[str, Any], ...] = ()

    def __post_init__(self) -> None:
        if self.type not in FIELD_TYPES:
            raise ValueError(f"unknown field type {self.type!r}")

    def label(self, lang: str | None = None) -> str:
        text = _(self.text, lang)
        return text.format(**dict(self.label_params)) if self.label_params else text

    def help(self, lang: str | None = None) -> str:
        return _(self.help_text, lang) if self.help_text else ""

    def options(self) -> tuple[Choice, ...]:
        """The choices, including the implicit ones of ratings and yes/no fields."""
        if self.type == "rating":
            return tuple(Choice(i, str(i)) for i in range(1, 6))
        if self.type == "yesno" and not self.choices:
            return (Choice("yes", N_("yes")), Choice("no", N_("no")))
        return self.choices

    def describe(self, lang: str | None = None) -> dict[str, Any]:
        """The field as the JSON skeleton of ``fms offboard --template``."""
        out: dict[str, Any] = {
            "type": self.type,
            "required": self.required,
            "label": self.label(lang),
        }
        if self.help(lang):
            out["help"] = self.help(lang)
        if self.options():
            out["choices"] = [c.value for c in self.options()]
            out["choice_labels"] = {str(c.value): c.label(lang) for c in self.options()}
        out["value"] = self.default
        return out


@dataclass(frozen=True)
class FormDef:
    """A form: its name, title and intro (English source sentences, shown translated), its
    fields and the pydantic model of its answers."""

    name: str
    text: str
    fields: tuple[FieldDef, ...]
    model: type[BaseModel]
    intro_text: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def title(self, lang: str | None = None) -> str:
        return _(self.text, lang)

    def intro(self, lang: str | None = None) -> str:
        return _(self.intro_text, lang) if self.intro_text else ""

    def field(self, name: str) -> FieldDef:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)

    def with_fields(self, *more: FieldDef, after: str | None = None) -> FormDef:
        """A copy of the form with ``more`` fields inserted after the field ``after``."""
        fields = list(self.fields)
        at = len(fields) if after is None else [f.name for f in fields].index(after) + 1
        return replace(self, fields=tuple(fields[:at] + list(more) + fields[at:]))

    def defaults(self) -> dict[str, Any]:
        return {f.name: f.default for f in self.fields}

    def clean(self, values: dict[str, Any]) -> dict[str, Any]:
        """Blank texts and empty lists become None; dates become ISO text."""
        out = {}
        for f in self.fields:
            value = values.get(f.name, f.default)
            if isinstance(value, str) and not value.strip():
                value = None
            if isinstance(value, (list, tuple)) and not value:
                value = None if f.type != "list" else []
            if isinstance(value, dt.date):
                value = value.isoformat()
            out[f.name] = value
        return out

    def problems(self, values: dict[str, Any]) -> list[Problem]:
        """Every problem of ``values`` (required, choices, then the answer model's rules)."""
        data = self.clean(values)
        out: list[Problem] = []
        for f in self.fields:
            value = data[f.name]
            if f.required and (value is None or value == []):
                out.append(
                    Problem(
                        "this field is required",
                        field=f.name,
                    )
                )
            elif value is not None and f.type == "choice" and f.choices:
                if value not in [c.value for c in f.choices]:
                    choices = ", ".join(str(c.value) for c in f.choices)
                    out.append(
                        Problem(
                            "unknown value; possible values: {choices}",
                            field=f.name,
                            params={"choices": choices},
                        )
                    )
        known = set(self.model.model_fields)
        model_data = {k: v for k, v in data.items() if k in known and v is not None}
        missing_reported = {p.field for p in out}
        try:
            instance = self.model.model_validate(model_data)
        except ValidationError as exc:
            out += [p for p in problems_of(exc) if p.field not in missing_reported]
            # the rules between fields still apply to the values as typed
            instance = self.model.model_construct(**model_data)
        out += self.related_problems(instance, {p.field for p in out})
        return out

    def related_problems(self, instance: BaseModel, reported: set[str | None]) -> list[Problem]:
        """Rules between fields (a reason when "not applicable"...), from the model's
        ``problems()`` method when it has one."""
        rules = getattr(instance, "problems", None)
        if rules is None:
            return []
        try:
            return [p for p in rules() if p.field not in reported]
        except (AttributeError, TypeError, ValueError):  # values too broken to compare
            return []

    def rule_problems(self, values: dict[str, Any]) -> list[Problem]:
        """Only the problems of rules between fields (what a change may cause elsewhere)."""
        data = self.clean(values)
        known = set(self.model.model_fields)
        model_data = {k: v for k, v in data.items() if k in known and v is not None}
        return self.related_problems(self.model.model_construct(**model_data), set())

    def validate(self, values: dict[str, Any]) -> dict[str, Any]:
        """The cleaned values, or :class:`InvalidInput` listing every problem."""
        problems = self.problems(values)
        if problems:
            raise invalid(problems)
        return self.clean(values)

    def describe(self, lang: str | None = None) -> dict[str, Any]:
        return {f.name: f.describe(lang) for f in self.fields}


def choice_field(
    name: str,
    text: str,
    options: tuple[tuple[Any, str], ...],
    help_text: str = "",
    *,
    default: Any = None,
) -> FieldDef:
    """A required choice field; ``options`` are (value, label) pairs."""
    return FieldDef(
        name,
        "choice",
        text,
        help_text,
        required=True,
        choices=tuple(Choice(*option) for option in options),
        default=default,
    )
