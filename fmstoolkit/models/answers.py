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


class RequestAnswers(Record):
    """The values of the request form. The skill and the project are checked against the
    database by the notebook app (``fmstoolkit.ui.planning``), which knows the catalogue."""

    project: Name
    skill: Name
    start: dt.date
    days: DaysCount
    max_rate: Rate | None = None
    min_level: Level = 1
    notes: Text | None = None
