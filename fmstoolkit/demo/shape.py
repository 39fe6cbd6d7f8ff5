"""The shape of the demo agency: how far its history goes, its proportions (seniorities,
deliverable states, the quality of collaborations) and the tables it writes, in foreign-key
order, with the columns of each insert."""

from __future__ import annotations

from .. import resources
from ..models import DeliverableStatus

#: The texts of the demo agency, shipped in the package (see :mod:`fmstoolkit.resources`).
TEXTS_FILE = resources.demo_texts()
#: (seniority, share of the pool, factor on the skill's base rate).
SENIORITY = (("junior", 0.25, 0.78), ("confirmed", 0.45, 1.0), ("senior", 0.30, 1.32))
#: What the deliverables of a mission being offboarded are (drawn uniformly).
DELIVERABLE_STATES = (
    DeliverableStatus.delivered, DeliverableStatus.accepted, DeliverableStatus.changes_requested,
    DeliverableStatus.pending,
)  # fmt: skip
GRADE_RATINGS = {"good": (4, 5), "mixed": (3, 4), "bad": (1, 3)}
FEEDBACK_RATINGS = (2, 3, 3, 4, 4, 4, 4, 5, 5, 5)  # how freelancers rate their welcome
HISTORY_DAYS = 730
#: Working days of history whose closed offboardings carry their checklist ticks (about a year):
#: the agency adopted the checklist a year ago; older offboardings keep their note, feedback,
#: recommendation and invoice. It also keeps `fms demo --freelancers 10000` under a minute.
CHECKLIST_HISTORY = 250
FUTURE_DAYS = 75
#: Tables written, in foreign-key order, with the columns of each insert.
COLUMNS: dict[str, tuple[str, ...]] = {
    "projects": ("id", "name", "client", "lead_name", "description", "created_at"),
    "freelancers": (
        "id", "name", "headline", "city", "seniority", "daily_rate", "status", "lang",
        "opted_out_at", "availability_confirmed_at", "availability_confirmed_by", "created_at",
    ),
    "contacts": (
        "freelancer_id", "email", "phone", "telegram_chat_id", "preferred_channel", "updated_at",
    ),
    "freelancer_skills": ("freelancer_id", "skill_id", "level"),
    "requests": (
        "id", "project_id", "start_date", "end_date", "days", "max_rate", "status", "outcome",
        "notes", "requested_by", "created_at", "staffed_at", "closed_at",
    ),
    "request_roles": (
        "id", "request_id", "skill_id", "min_level", "max_rate", "label", "mission_id",
        "filled_outside",
    ),
    "missions": (
        "id", "freelancer_id", "project_id", "request_id", "role_id", "skill_id", "title",
        "start_date", "end_date", "days", "daily_rate", "status", "cancel_reason", "created_at",
    ),
    "polls": (
        "request_id", "role_id", "freelancer_id", "channel", "asked_at", "answer", "answered_at",
    ),
    "unavailability": ("freelancer_id", "start_date", "end_date", "reason", "source", "created_at"),
    "deliverables": ("mission_id", "title", "status", "due_date", "delivered_at", "comment"),
    "documents": (
        "mission_id", "kind", "lang", "state", "created_at", "sent_at", "signed_at",
    ),
    "offboardings": (
        "mission_id", "status", "opened_at", "closed_at", "end_reason", "updated_at",
    ),
    "checklist_items": ("mission_id", "item", "status", "value", "comment", "updated_at"),
    "invoices": (
        "mission_id", "amount", "daily_rate", "days", "last_billed_day", "received_at",
        "checked_at", "paid_at",
    ),
    "feedback": (
        "mission_id", "source", "onboarding", "integration", "clarity", "suggestions",
        "created_at",
    ),
    "recommendations": ("mission_id", "author", "text", "created_at", "delivered_at"),
    "notes": (
        "mission_id", "author", "quality", "communication", "deadlines", "autonomy",
        "would_rehire", "text", "tags", "created_at",
    ),
    "lists": ("id", "name", "description"),
    "list_members": ("list_id", "freelancer_id", "added_at"),
    "followups": ("freelancer_id", "mission_id", "kind", "due_date", "status", "done_at"),
    "outbox": (
        "dedupe_key", "freelancer_id", "channel", "kind", "lang", "subject", "body", "status",
        "attempts", "next_attempt_at", "sent_channel", "sent_at", "created_at",
    ),
}
