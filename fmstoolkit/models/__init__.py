"""Validated domain records (pydantic v2) and the enums of every status.

Every write goes through one of these models, so that a bad value is refused with a sentence
naming the field before anything reaches the database. ``validate(Model, data, row=...)`` turns
pydantic's errors into an :class:`~fmstoolkit.errors.InvalidInput` whose problems are phrased in
French and English.

- :mod:`.enums`: every status and vocabulary, and the groups of statuses rules share
  (``OPEN_REQUEST_STATUSES``, ``OPEN_MISSION_STATUSES``...);
- :mod:`.base`: the base :class:`Record` and the constrained field types;
- :mod:`.records`: one record per row a manager writes;
- :mod:`.answers`: the answers of the forms (offboarding steps, staffing request);
- :mod:`.validation`: ``validate``, ``validate_all`` and pydantic's errors as sentences.

Everything is importable from ``fmstoolkit.models`` itself.
"""

from __future__ import annotations

from .answers import (
    ChecklistAnswers,
    ClosingAnswers,
    FeedbackAnswers,
    NoteAnswers,
    RecommendationAnswers,
    RequestAnswers,
    RoleAnswers,
)
from .base import DaysCount, Level, LongText, Name, Rate, Rating, Record, Text
from .enums import (
    CLOSING_OUTCOMES,
    DECIDED_OUTCOMES,
    OPEN_MISSION_STATUSES,
    OPEN_REQUEST_STATUSES,
    OUTBOX_STATUSES,
    RANKED_STATUSES,
    SENIORITIES,
    SETTLED_DELIVERABLE_STATUSES,
    SILENT_STATUSES,
    STAFFED_OUTCOMES,
    WORKED_MISSION_STATUSES,
    Channel,
    ChecklistStatus,
    DeliverableStatus,
    DeliverableVerdict,
    DocumentKind,
    DocumentState,
    FeedbackSource,
    FollowupKind,
    FreelancerStatus,
    ItemState,
    MissionStatus,
    Objectives,
    OffboardingStatus,
    OutboxStatus,
    PollAnswer,
    Rehire,
    RequestOutcome,
    RequestStatus,
    Seniority,
    SkillCategory,
)
from .records import (
    Contact,
    Deliverable,
    Feedback,
    Followup,
    Freelancer,
    Mission,
    Note,
    Poll,
    Project,
    Recommendation,
    Request,
    Role,
    SkillLevel,
    TalentList,
    Unavailability,
)
from .validation import invalid, problems_of, validate, validate_all

__all__ = [
    "CLOSING_OUTCOMES", "DECIDED_OUTCOMES", "OPEN_MISSION_STATUSES", "OPEN_REQUEST_STATUSES",
    "OUTBOX_STATUSES", "RANKED_STATUSES", "SENIORITIES", "SETTLED_DELIVERABLE_STATUSES",
    "SILENT_STATUSES", "STAFFED_OUTCOMES", "WORKED_MISSION_STATUSES",
    "Channel", "ChecklistAnswers", "ChecklistStatus", "ClosingAnswers", "Contact", "DaysCount",
    "Deliverable", "DeliverableStatus", "DeliverableVerdict", "DocumentKind", "DocumentState",
    "Feedback", "FeedbackAnswers",
    "FeedbackSource", "Followup", "FollowupKind", "Freelancer", "FreelancerStatus", "ItemState",
    "Level", "LongText", "Mission", "MissionStatus", "Name", "Note", "NoteAnswers", "Objectives",
    "OffboardingStatus", "OutboxStatus", "Poll", "PollAnswer", "Project", "Rate", "Rating",
    "Recommendation", "RecommendationAnswers", "Record", "Rehire", "Request", "RequestAnswers",
    "RoleAnswers",
    "RequestOutcome", "RequestStatus", "Role", "Seniority", "SkillCategory", "SkillLevel",
    "TalentList", "Text", "Unavailability", "invalid", "problems_of", "validate", "validate_all",
]  # fmt: skip
