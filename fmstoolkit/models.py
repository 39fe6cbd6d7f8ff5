"""Validated domain records (pydantic v2) and the enums of the schema.

Every write goes through one of these models, so that a bad value is refused with a sentence
naming the field before anything reaches the database. ``validate(Model, data, row=...)`` turns
pydantic's errors into an :class:`~fmstoolkit.errors.InvalidInput` whose problems are phrased in
French and English.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated, Any, TypeVar

from pydantic import (
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    StringConstraints,
    ValidationError,
    field_validator,
    model_validator,
)

from .errors import InvalidInput, Problem


class Seniority(StrEnum):
    junior = "junior"
    confirmed = "confirmed"
    senior = "senior"


class FreelancerStatus(StrEnum):
    active = "active"
    alumni = "alumni"
    inactive = "inactive"
    forgotten = "forgotten"


class Channel(StrEnum):
    email = "email"
    telegram = "telegram"


class SkillCategory(StrEnum):
    development = "development"
    design = "design"
    writing = "writing"
    marketing = "marketing"
    data = "data"
    consulting = "consulting"


class RequestStatus(StrEnum):
    open = "open"
    polling = "polling"
    staffed = "staffed"
    cancelled = "cancelled"


class RequestOutcome(StrEnum):
    network = "network"
    outside = "outside"
    unfilled = "unfilled"
    cancelled = "cancelled"


class MissionStatus(StrEnum):
    planned = "planned"
    active = "active"
    ending = "ending"
    offboarded = "offboarded"
    cancelled = "cancelled"


class PollAnswer(StrEnum):
    yes = "yes"
    no = "no"
    maybe = "maybe"


class DeliverableStatus(StrEnum):
    pending = "pending"
    delivered = "delivered"
    accepted = "accepted"
    changes_requested = "changes_requested"
    not_applicable = "not_applicable"


class OffboardingStatus(StrEnum):
    opened = "opened"
    checklist_done = "checklist_done"
    feedback_in = "feedback_in"
    recommendation_written = "recommendation_written"
    note_written = "note_written"
    closed = "closed"


class ChecklistStatus(StrEnum):
    pending = "pending"
    done = "done"
    not_applicable = "not_applicable"


class FeedbackSource(StrEnum):
    interview = "interview"
    freelancer = "freelancer"


class Rehire(StrEnum):
    yes = "yes"
    maybe = "maybe"
    no = "no"


class OutboxStatus(StrEnum):
    pending = "pending"
    sending = "sending"
    sent = "sent"
    dead = "dead"
    cancelled = "cancelled"


class FollowupKind(StrEnum):
    alumni_checkin = "alumni_checkin"
    feedback_request = "feedback_request"
    recommendation_delivery = "recommendation_delivery"


Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, max_length=20_000)]
Rate = Annotated[int, Field(gt=0, le=10_000)]
Rating = Annotated[int, Field(ge=1, le=5)]
Level = Annotated[int, Field(ge=1, le=5)]
DaysCount = Annotated[int, Field(gt=0, le=1000)]


class Record(BaseModel):
    model_config = ConfigDict(
        str_strip_whitespace=True, use_enum_values=True, extra="forbid", validate_default=True
    )

    def row(self, *, exclude_unset: bool = False) -> dict[str, Any]:
        """The record as a database row (dates as ISO text); ``exclude_unset`` keeps only the
        fields that were given (an update that leaves the other columns alone)."""
        out: dict[str, Any] = {}
        for key, value in self.model_dump(exclude_unset=exclude_unset).items():
            out[key] = value.isoformat() if isinstance(value, dt.date) else value
        return out


def _empty_to_none(value: Any) -> Any:
    return None if isinstance(value, str) and not value.strip() else value


class Freelancer(Record):
    name: Name
    headline: Text | None = None
    city: Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)] | None = None
    seniority: Seniority = Seniority.confirmed
    daily_rate: Rate | None = None
    status: FreelancerStatus = FreelancerStatus.active
    lang: str | None = Field(None, pattern="^(fr|en)$")

    _blank = field_validator("headline", "city", "daily_rate", "lang", mode="before")(
        _empty_to_none
    )


class Contact(Record):
    email: EmailStr | None = None
    phone: Annotated[str, StringConstraints(pattern=r"^\+?[0-9 .()-]{6,20}$")] | None = None
    telegram_chat_id: int | None = None
    preferred_channel: Channel = Channel.email

    _blank = field_validator("email", "phone", "telegram_chat_id", mode="before")(_empty_to_none)

    @model_validator(mode="after")
    def _channel_reachable(self) -> Contact:
        if self.preferred_channel == Channel.telegram and self.telegram_chat_id is None:
            raise ValueError("telegram is preferred but no Telegram chat id is known")
        return self


class SkillLevel(Record):
    skill: Name
    level: Level = 3


class Project(Record):
    name: Name
    client: Text | None = None
    lead_name: Text | None = None
    description: Text | None = None


class Role(Record):
    skill_id: int
    min_level: Level = 1
    max_rate: Rate | None = None
    label: Text | None = None


class Request(Record):
    project_id: int
    start_date: dt.date
    days: DaysCount
    max_rate: Rate | None = None
    notes: Text | None = None
    requested_by: Text | None = None


class Mission(Record):
    freelancer_id: int
    project_id: int
    request_id: int | None = None
    role_id: int | None = None
    skill_id: int | None = None
    title: Text | None = None
    start_date: dt.date
    end_date: dt.date
    days: DaysCount
    daily_rate: Rate
    status: MissionStatus = MissionStatus.planned

    @model_validator(mode="after")
    def _dates_in_order(self) -> Mission:
        if self.end_date < self.start_date:
            raise ValueError("the end date is before the start date")
        return self


class Unavailability(Record):
    freelancer_id: int
    start_date: dt.date
    end_date: dt.date
    reason: Text | None = None
    source: str = Field("manager", pattern="^(manager|freelancer|poll|import|demo)$")

    @model_validator(mode="after")
    def _dates_in_order(self) -> Unavailability:
        if self.end_date < self.start_date:
            raise ValueError("the end date is before the start date")
        return self


class Poll(Record):
    request_id: int
    freelancer_id: int
    role_id: int | None = None
    channel: str = Field("manager", pattern="^(manager|email|telegram)$")
    answer: PollAnswer | None = None


class Deliverable(Record):
    mission_id: int
    title: Name
    status: DeliverableStatus = DeliverableStatus.pending
    due_date: dt.date | None = None
    comment: Text | None = None


class Feedback(Record):
    mission_id: int
    source: FeedbackSource = FeedbackSource.interview
    onboarding: Rating
    integration: Rating
    clarity: Rating
    suggestions: Text | None = None


class Recommendation(Record):
    mission_id: int
    author: Text | None = None
    text: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=5000)]


class Note(Record):
    mission_id: int
    author: Name
    quality: Rating
    communication: Rating
    deadlines: Rating
    autonomy: Rating
    would_rehire: Rehire
    text: Text | None = None
    tags: list[Name] = Field(default_factory=list)


class TalentList(Record):
    name: Name
    description: Text | None = None


class Followup(Record):
    freelancer_id: int
    mission_id: int | None = None
    kind: FollowupKind
    due_date: dt.date


# --- turning pydantic errors into sentences -------------------------------------------------

_FR_BY_TYPE = {
    "missing": "ce champ est obligatoire",
    "string_too_short": "ce champ ne peut pas être vide",
    "string_too_long": "ce texte est trop long",
    "int_parsing": "un nombre entier est attendu",
    "int_from_float": "un nombre entier est attendu",
    "float_parsing": "un nombre est attendu",
    "greater_than": "la valeur doit être supérieure à {gt}",
    "greater_than_equal": "la valeur doit être au moins {ge}",
    "less_than": "la valeur doit être inférieure à {lt}",
    "less_than_equal": "la valeur doit être au plus {le}",
    "date_parsing": "une date AAAA-MM-JJ est attendue",
    "date_from_datetime_parsing": "une date AAAA-MM-JJ est attendue",
    "date_type": "une date AAAA-MM-JJ est attendue",
    "enum": "valeur inconnue ; valeurs possibles : {expected}",
    "literal_error": "valeur inconnue ; valeurs possibles : {expected}",
    "string_pattern_mismatch": "format invalide",
    "value_error": "{msg}",
    "extra_forbidden": "champ inconnu",
    "bool_parsing": "oui ou non est attendu",
}

_FR_VALUE_ERRORS = {
    "the end date is before the start date": "la date de fin est avant la date de début",
    "telegram is preferred but no Telegram chat id is known": (
        "Telegram est le canal préféré mais aucun identifiant Telegram n'est connu"
    ),
}


def _problem(err: dict[str, Any], row: int | None) -> Problem:
    field = ".".join(str(p) for p in err.get("loc", ()) if not isinstance(p, int)) or None
    ctx = dict(err.get("ctx") or {})
    msg = err.get("msg", "")
    if err["type"] == "value_error":
        msg = msg.removeprefix("Value error, ")
        fr = _FR_VALUE_ERRORS.get(msg)
        if fr is None and field == "email":
            fr, msg = "adresse e-mail invalide", "invalid email address"
        en = msg
        fr = fr or msg
    else:
        template = _FR_BY_TYPE.get(err["type"])
        try:
            fr = template.format(msg=msg, **ctx) if template else msg
        except (KeyError, IndexError):
            fr = msg
        en = msg[0].lower() + msg[1:] if msg else msg
    return Problem(en=en, fr=fr, field=field, row=row)


M = TypeVar("M", bound=BaseModel)


def problems_of(error: ValidationError, row: int | None = None) -> list[Problem]:
    return [_problem(e, row) for e in error.errors(include_url=False)]


def invalid(problems: list[Problem]) -> InvalidInput:
    """The error that lists ``problems`` (nothing was saved)."""
    return InvalidInput(
        "Some values are not valid; nothing was saved.",
        "Certaines valeurs ne sont pas valides ; rien n'a été enregistré.",
        field=problems[0].field if len({p.field for p in problems}) == 1 else None,
        problems=problems,
    )


def validate(model: type[M], data: dict[str, Any], *, row: int | None = None) -> M:
    """Validate ``data`` as ``model`` or raise :class:`InvalidInput` listing every problem."""
    return validate_all((model, data), row=row)[0]


def validate_all(
    *pairs: tuple[type[BaseModel], dict[str, Any]],
    row: int | None = None,
    extra: list[Problem] | None = None,
) -> list[Any]:
    """Validate several (model, data) pairs together, so that one error lists every problem
    (plus ``extra`` problems found by the caller)."""
    out, problems = [], list(extra or [])
    for model, data in pairs:
        try:
            out.append(model.model_validate(data))
        except ValidationError as exc:
            problems += problems_of(exc, row)
    if problems:
        raise invalid(problems)
    return out


# --- offboarding answers (the forms of fmstoolkit.forms.definitions validate through these) ----


class Objectives(StrEnum):
    pending = "pending"
    yes = "yes"
    partly = "partly"
    no = "no"
    not_applicable = "not_applicable"


#: A checklist answer's state is the checklist_items.status itself.
ItemState = ChecklistStatus


class DeliverableVerdict(StrEnum):
    pending = "pending"
    accepted = "accepted"
    changes_requested = "changes_requested"
    not_applicable = "not_applicable"


def _need(fields: dict[str, Any], en: str, fr: str) -> list[Problem]:
    return [Problem(en=en, fr=fr, field=name) for name, value in fields.items() if not value]


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
    )(_empty_to_none)

    def problems(self) -> list[Problem]:
        """What a field-by-field check cannot see: answers that need another field filled."""
        out: list[Problem] = []
        if self.objectives in ("partly", "no", "not_applicable"):
            out += _need(
                {"objectives_comment": self.objectives_comment},
                "say what was not met (or why the objectives do not apply)",
                "précisez ce qui n'a pas été atteint "
                "(ou pourquoi les objectifs ne s'appliquent pas)",
            )
        if self.handover == "done":
            out += _need(
                {"handover_to": self.handover_to, "handover_doc": self.handover_doc},
                "needed when the handover is done: to whom, and where the document is",
                "obligatoire quand la passation est faite : à qui, et où est le document",
            )
        if self.accesses == "done":
            out += _need(
                {"accesses_systems": self.accesses_systems},
                "list the systems whose accesses were revoked",
                "listez les systèmes dont les accès ont été révoqués",
            )
        if self.invoice_received == "done":
            out += _need(
                {"invoice_amount": self.invoice_amount},
                "the invoice amount is needed to check it",
                "le montant de la facture est nécessaire pour la vérifier",
            )
        if self.invoice_paid == "done" and self.invoice_received == "pending":
            out.append(
                Problem(
                    en="an invoice cannot be paid before it is received",
                    fr="une facture ne peut pas être payée avant d'être reçue",
                    field="invoice_paid",
                )
            )
        for item in ("objectives", "handover", "accesses", "equipment", "invoice_received",
                     "invoice_paid", "confidentiality"):  # fmt: skip
            comment = "invoice" if item == "invoice_received" else item
            if getattr(self, item) == "not_applicable":
                out += _need(
                    {f"{comment}_comment": getattr(self, f"{comment}_comment")},
                    "give the reason why this item does not apply",
                    "indiquez pourquoi ce point ne s'applique pas",
                )
        return out


class FeedbackAnswers(Record):
    """The freelancer's view: onboarding, integration, clarity of the mission, suggestions."""

    source: FeedbackSource = FeedbackSource.interview
    onboarding: Rating
    integration: Rating
    clarity: Rating
    suggestions: Text | None = None

    _blank = field_validator("suggestions", mode="before")(_empty_to_none)


class RecommendationAnswers(Record):
    text: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=5000)]
    author: Text | None = None

    _blank = field_validator("author", mode="before")(_empty_to_none)


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

    _blank = field_validator("text", "end_reason", mode="before")(_empty_to_none)

    @field_validator("tags", mode="before")
    @classmethod
    def _split_tags(cls, value: Any) -> Any:
        if value is None:
            return []
        if isinstance(value, str):
            return [t for t in (p.strip() for p in value.split(",")) if t]
        return value


class ClosingAnswers(Record):
    """Closing: the named talent lists the freelancer joins (optional)."""

    lists: list[Name] = Field(default_factory=list)

    @field_validator("lists", mode="before")
    @classmethod
    def _split_lists(cls, value: Any) -> Any:
        if value is None:
            return []
        if isinstance(value, str):
            return [t for t in (p.strip() for p in value.split(",")) if t]
        return value
