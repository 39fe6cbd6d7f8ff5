"""The answers of the forms (:mod:`fmstoolkit.forms` declares them, the domain saves them):
the offboarding steps (checklist, feedback, recommendation, note, closing) and the staffing
request. Each model also holds the rules between its fields (``problems()``)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from pydantic import Field, field_validator

from ..errors import Problem
from ..i18n import N_
from .base import (
    DaysCount,
    Level,
    LongText,
    Name,
    Rate,
    Rating,
    Record,
    Text,
    empty_to_none,
    split_commas,
)
from .enums import ChecklistStatus, FeedbackSource, ItemState, Objectives, Rehire
from .limits import FUTURE_YEARS


def _need(fields: dict[str, Any], text: str) -> list[Problem]:
    """``text`` (a msgid marked with ``N_``) beside each of ``fields`` left empty."""
    return [Problem(text, field=name) for name, value in fields.items() if not value]


class ChecklistAnswers(Record):
    """The offboarding checklist as one form (``pending`` = not done yet; saved as it is)."""

    objectives: Objectives = Objectives.pending
    objectives_comment: Text | None = None
    deliverables_comment: Text | None = None
    handover: ItemState = ItemState.pending
    handover_to: Text | None = None
    handover_doc: Text | None = None
    handover_comment: Text | None = None
    accesses: ItemState = ItemState.pending
    accesses_systems: Text | None = None
    accesses_comment: Text | None = None
    equipment: ItemState = ItemState.pending
    equipment_comment: Text | None = None
    invoice_received: ItemState = ItemState.pending
    invoice_amount: Annotated[int, Field(gt=0, le=10_000_000)] | None = None
    invoice_daily_rate: Rate | None = None
    invoice_days: Annotated[float, Field(gt=0, le=1000)] | None = None
    invoice_last_day: dt.date | None = None
    invoice_comment: Text | None = None
    invoice_paid: ItemState = ItemState.pending
    invoice_paid_on: dt.date | None = None
    invoice_paid_comment: Text | None = None
    confidentiality: ItemState = ItemState.pending
    confidentiality_comment: Text | None = None

    _blank = field_validator(
        "objectives_comment",
        "deliverables_comment",
        "handover_to",
        "handover_doc",
        "handover_comment",
        "accesses_systems",
        "accesses_comment",
        "equipment_comment",
        "invoice_amount",
        "invoice_daily_rate",
        "invoice_days",
        "invoice_last_day",
        "invoice_comment",
        "invoice_paid_on",
        "invoice_paid_comment",
        "confidentiality_comment",
        mode="before",
    )(empty_to_none)

    def problems(self) -> list[Problem]:
        """What a field-by-field check cannot see: answers that need another field filled."""
        out: list[Problem] = []
        if self.objectives in (Objectives.partly, Objectives.no, Objectives.not_applicable):
            out += _need(
                {"objectives_comment": self.objectives_comment},
                N_("say what was not met (or why the objectives do not apply)"),
            )
        if self.handover == ChecklistStatus.done:
            out += _need(
                {"handover_to": self.handover_to, "handover_doc": self.handover_doc},
                N_("needed when the handover is done: to whom, and where the document is"),
            )
        if self.accesses == ChecklistStatus.done:
            out += _need(
                {"accesses_systems": self.accesses_systems},
                N_("list the systems whose accesses were revoked"),
            )
        if self.invoice_received == ChecklistStatus.done:
            out += _need(
                {"invoice_amount": self.invoice_amount},
                N_("the invoice amount is needed to check it"),
            )
        if (self.invoice_paid == ChecklistStatus.done
                and self.invoice_received == ChecklistStatus.pending):  # fmt: skip
            out.append(
                Problem(
                    "an invoice cannot be paid before it is received",
                    field="invoice_paid",
                )
            )
        for item in ("objectives", "handover", "accesses", "equipment", "invoice_received",
                     "invoice_paid", "confidentiality"):  # fmt: skip
            comment = "invoice" if item == "invoice_received" else item
            if getattr(self, item) == ChecklistStatus.not_applicable:
                out += _need(
                    {f"{comment}_comment": getattr(self, f"{comment}_comment")},
                    N_("give the reason why this item does not apply"),
                )
        return out


class FeedbackAnswers(Record):
    """The freelancer's view: onboarding, integration, clarity of the mission, suggestions."""

    source: FeedbackSource = FeedbackSource.interview
    onboarding: Rating
    integration: Rating
    clarity: Rating
    suggestions: Text | None = None

    _blank = field_validator("suggestions", mode="before")(empty_to_none)


class RecommendationAnswers(Record):
    text: LongText
    author: Text | None = None

    _blank = field_validator("author", mode="before")(empty_to_none)


class NoteAnswers(Record):
    """The collaboration note; ``end_reason`` is private (kept in offboardings, never published)."""

    author: Name
    quality: Rating
    communication: Rating
    deadlines: Rating
    autonomy: Rating
    would_rehire: Rehire
    text: Text | None = None
    tags: list[Name] = Field(default_factory=list)
    end_reason: Text | None = None

    _blank = field_validator("text", "end_reason", mode="before")(empty_to_none)
    _split_tags = field_validator("tags", mode="before")(split_commas)


class ClosingAnswers(Record):
    """Closing: the named talent lists the freelancer joins (optional)."""

    lists: list[Name] = Field(default_factory=list)

    _split_lists = field_validator("lists", mode="before")(split_commas)


def _id_as_text(value: Any) -> Any:
    """A skill given by its id (a number) is looked up as text, like a name."""
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


#: How far ahead a request may be placed by a number of days from today.
InDays = Annotated[int, Field(ge=0, le=366 * FUTURE_YEARS)]


class RoleAnswers(Record):
    """One role of a request: a skill (a name, a label, an alias or an id, resolved against the
    catalogue by the planning domain), a minimum level, a budget, a label."""

    skill: Name
    min_level: Level | None = 1
    max_rate: Rate | None = None
    label: Name | None = None

    _skill_text = field_validator("skill", mode="before")(_id_as_text)
    _blank = field_validator("min_level", "max_rate", "label", mode="before")(empty_to_none)
    _level = field_validator("min_level", mode="after")(lambda v: v or 1)


class RequestAnswers(Record):
    """A staffing request as typed: the one model of the request form and of
    :func:`fmstoolkit.planning.create_request` (the command line, the notebook). The skill
    shortcut (``skill``, ``min_level``) and ``roles`` both give roles. What needs the database
    (the project, the skill in the catalogue) and the clock (a start in the past, the date
    window) is checked by the planning domain."""

    project: Name
    skill: Name | None = None
    min_level: Level | None = 1
    start: dt.date | None = None
    in_days: InDays | None = None
    days: DaysCount
    max_rate: Rate | None = None
    roles: list[RoleAnswers] = Field(default_factory=list)
    notes: Text | None = None

    _blank = field_validator(
        "skill", "min_level", "start", "in_days", "max_rate", "notes", mode="before"
    )(empty_to_none)
    _skill_text = field_validator("skill", mode="before")(_id_as_text)

    def problems(self) -> list[Problem]:
        out = []
        if self.start is not None and self.in_days is not None:
            out.append(
                Problem(
                    "give a start date or a number of days from today, not both",
                    field="start",
                )
            )
        elif self.start is None and self.in_days is None:
            out.append(Problem("give a start date (or a number of days from today)",
                               field="start"))  # fmt: skip
        if not self.skill and not self.roles:
            out.append(Problem("say which skill is needed", field="skill"))
        return out

    def all_roles(self) -> list[RoleAnswers]:
        """The roles asked for: the skill shortcut's, then ``roles``."""
        first = [RoleAnswers(skill=self.skill, min_level=self.min_level or 1)] if self.skill else []
        return first + list(self.roles)
