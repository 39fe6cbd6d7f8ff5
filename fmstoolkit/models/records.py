"""The domain records: one validated pydantic model per row a manager writes (freelancer,
contact, project, request and role, mission, unavailability, poll, deliverable, feedback,
recommendation, note, talent list, follow-up)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import EmailStr, Field, StringConstraints, field_validator, model_validator

from ..i18n import N_
from .base import DaysCount, Level, LongText, Name, Rate, Rating, Record, Text, empty_to_none
from .enums import (
    Channel,
    DeliverableStatus,
    FeedbackSource,
    FollowupKind,
    FreelancerStatus,
    MissionStatus,
    PollAnswer,
    Rehire,
    Seniority,
)

#: The sentences of the rules between fields (msgids: ``validate`` translates them when shown).
END_BEFORE_START = N_("the end date is before the start date")
TELEGRAM_WITHOUT_CHAT_ID = N_("telegram is preferred but no Telegram chat id is known")


class Freelancer(Record):
    name: Name
    headline: Text | None = None
    city: Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)] | None = None
    seniority: Seniority = Seniority.confirmed
    daily_rate: Rate | None = None
    status: FreelancerStatus = FreelancerStatus.active
    lang: str | None = Field(None, pattern="^(fr|en)$")

    _blank = field_validator("headline", "city", "daily_rate", "lang", mode="before")(
        empty_to_none
    )


class Contact(Record):
    email: EmailStr | None = None
    phone: Annotated[str, StringConstraints(pattern=r"^\+?[0-9 .()-]{6,20}$")] | None = None
    telegram_chat_id: int | None = None
    preferred_channel: Channel = Channel.email

    _blank = field_validator("email", "phone", "telegram_chat_id", mode="before")(empty_to_none)

    @model_validator(mode="after")
    def _channel_reachable(self) -> Contact:
        if self.preferred_channel == Channel.telegram and self.telegram_chat_id is None:
            raise ValueError(TELEGRAM_WITHOUT_CHAT_ID)
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
            raise ValueError(END_BEFORE_START)
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
            raise ValueError(END_BEFORE_START)
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
    text: LongText


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
