"""Every closed set of values of the schema, once: the status of each lifecycle (DESIGN.md,
"Lifecycles"), the other vocabularies (seniority, channel, skill category...), and the groups
of statuses that rules share (the open requests, the missions under way...).

The enums are ``StrEnum``: a member *is* its string (``RequestStatus.open == "open"``), so it
binds as text in SQL, formats as its value and compares equal to what the database returns.
A rule that needs a group of statuses imports the tuple below instead of spelling the words
again; the tuples keep the order of their enum.
"""

from __future__ import annotations

from enum import StrEnum


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


class DocumentKind(StrEnum):
    """The paperwork made for a mission (``fmstoolkit.contracts``)."""

    contract = "contract"
    nda = "nda"


class DocumentState(StrEnum):
    """draft (made, not sent) → sent (the e-mail went out) → signed (the copy came back)."""

    draft = "draft"
    sent = "sent"
    signed = "signed"


class FollowupKind(StrEnum):
    alumni_checkin = "alumni_checkin"
    feedback_request = "feedback_request"
    recommendation_delivery = "recommendation_delivery"


# --- offboarding answers --------------------------------------------------------------------


class Objectives(StrEnum):
    """The answer to "were the mission's objectives met?" (``pending`` = not assessed yet)."""

    pending = "pending"
    yes = "yes"
    partly = "partly"
    no = "no"
    not_applicable = "not_applicable"


#: A checklist answer's state is the checklist_items.status itself.
ItemState = ChecklistStatus


class DeliverableVerdict(StrEnum):
    """What the manager says of a deliverable at offboarding (a subset of its statuses)."""

    pending = "pending"
    accepted = "accepted"
    changes_requested = "changes_requested"
    not_applicable = "not_applicable"


# --- groups of statuses the rules share -----------------------------------------------------

#: Every seniority, from junior to senior (the order of charts and tables).
SENIORITIES: tuple[Seniority, ...] = tuple(Seniority)
#: Freelancers the matching ranks (inactive and forgotten ones are never proposed).
RANKED_STATUSES: tuple[FreelancerStatus, ...] = (FreelancerStatus.active, FreelancerStatus.alumni)
#: Freelancers who get no follow-up at all (their data was erased).
SILENT_STATUSES: tuple[FreelancerStatus, ...] = (FreelancerStatus.forgotten,)
#: Requests still looking for someone.
OPEN_REQUEST_STATUSES: tuple[RequestStatus, ...] = (RequestStatus.open, RequestStatus.polling)
#: The outcomes a manager gives by hand when closing a request (``network`` comes from
#: assigning someone of the pool).
CLOSING_OUTCOMES: tuple[RequestOutcome, ...] = (
    RequestOutcome.outside, RequestOutcome.unfilled, RequestOutcome.cancelled)  # fmt: skip
#: Outcomes where the need was met (by the network or outside it).
STAFFED_OUTCOMES: tuple[RequestOutcome, ...] = (RequestOutcome.network, RequestOutcome.outside)
#: Outcomes that say something of the network's reach (a cancelled need says nothing).
DECIDED_OUTCOMES: tuple[RequestOutcome, ...] = (*STAFFED_OUTCOMES, RequestOutcome.unfilled)
#: Missions under way or to come: they book the freelancer's days.
OPEN_MISSION_STATUSES: tuple[MissionStatus, ...] = (
    MissionStatus.planned, MissionStatus.active, MissionStatus.ending)  # fmt: skip
#: Missions that count as a collaboration (planned and cancelled ones are not one yet).
WORKED_MISSION_STATUSES: tuple[MissionStatus, ...] = (
    MissionStatus.active, MissionStatus.ending, MissionStatus.offboarded)  # fmt: skip
#: Deliverables that no longer hold an offboarding back.
SETTLED_DELIVERABLE_STATUSES: tuple[DeliverableStatus, ...] = (
    DeliverableStatus.accepted, DeliverableStatus.not_applicable)  # fmt: skip
#: Every outbox status, in the order of its lifecycle.
OUTBOX_STATUSES: tuple[OutboxStatus, ...] = tuple(OutboxStatus)


def sql_list(values: tuple[StrEnum, ...]) -> str:
    """Status words as an SQL list, ``('planned', 'active', 'ending')``, for queries written as
    text: built from the enums, so a query names the statuses the enums define (the words are
    fixed identifiers, never user input)."""
    return "(" + ", ".join(f"'{value.value}'" for value in values) + ")"


OPEN_MISSIONS_SQL = sql_list(OPEN_MISSION_STATUSES)
OPEN_REQUESTS_SQL = sql_list(OPEN_REQUEST_STATUSES)
RANKED_SQL = sql_list(RANKED_STATUSES)
