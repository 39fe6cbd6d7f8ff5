"""The words a manager reads for the values of the schema: statuses, answers, outcomes.

The database stores English words (``staffed``, ``partly``...); a screen never shows them raw
("La demande n° 361 est staffed"): :func:`status_label` gives the word in the reader's language.
Each value is a gettext msgid with a context (the kind of value), because the same English word
can need different French ones (a pending message is "en attente", pending objectives are "pas
encore évalués"). The keys are the enums of :mod:`fmstoolkit.models.enums`, so a new status
without its word fails ``tests/test_i18n_labels.py``.
"""

from __future__ import annotations

from .i18n import NC_, pgettext
from .models import enums

LABELS: dict[str, dict[str, str]] = {
    "request": {
        "open": NC_("request", "Open"),
        "polling": NC_("request", "Asking availability"),
        "staffed": NC_("request", "Staffed"),
        "cancelled": NC_("request", "Cancelled"),
    },
    "outcome": {
        "network": NC_("outcome", "Staffed from the network"),
        "outside": NC_("outcome", "Staffed outside the network"),
        "unfilled": NC_("outcome", "Not staffed"),
        "cancelled": NC_("outcome", "Cancelled"),
    },
    "mission": {
        "planned": NC_("mission", "Planned"),
        "active": NC_("mission", "Under way"),
        "ending": NC_("mission", "Ending"),
        "offboarded": NC_("mission", "Offboarded"),
        "cancelled": NC_("mission", "Cancelled"),
    },
    "offboarding": {
        "opened": NC_("offboarding", "Started"),
        "checklist_done": NC_("offboarding", "Checklist done"),
        "feedback_in": NC_("offboarding", "Feedback received"),
        "recommendation_written": NC_("offboarding", "Recommendation written"),
        "note_written": NC_("offboarding", "Note written"),
        "closed": NC_("offboarding", "Closed"),
    },
    "answer": {
        "yes": NC_("answer", "Yes"),
        "maybe": NC_("answer", "Maybe"),
        "no": NC_("answer", "No"),
    },
    "objectives": {
        "pending": NC_("objectives", "Not assessed yet"),
        "yes": NC_("objectives", "Met"),
        "partly": NC_("objectives", "Partly met"),
        "no": NC_("objectives", "Not met"),
        "not_applicable": NC_("objectives", "Not applicable"),
    },
    "deliverable": {
        "pending": NC_("deliverable", "Awaited"),
        "delivered": NC_("deliverable", "Delivered"),
        "accepted": NC_("deliverable", "Accepted"),
        "changes_requested": NC_("deliverable", "Changes requested"),
        "not_applicable": NC_("deliverable", "Not applicable"),
    },
    "checklist": {
        "pending": NC_("checklist", "To do"),
        "done": NC_("checklist", "Done"),
        "not_applicable": NC_("checklist", "Not applicable"),
    },
    "outbox": {
        "pending": NC_("outbox", "Waiting"),
        "sending": NC_("outbox", "Sending"),
        "sent": NC_("outbox", "Sent"),
        "dead": NC_("outbox", "Failed for good"),
        "cancelled": NC_("outbox", "Cancelled"),
    },
    "document": {
        "draft": NC_("document", "Drafted, not sent"),
        "sent": NC_("document", "Sent, not signed yet"),
        "signed": NC_("document", "Signed"),
    },
    "channel": {
        "email": NC_("channel", "E-mail"),
        "telegram": NC_("channel", "Telegram"),
        "preferred": NC_("channel", "Their preferred channel"),
    },
    "seniority": {
        "junior": NC_("seniority", "Junior"),
        "confirmed": NC_("seniority", "Confirmed"),
        "senior": NC_("seniority", "Senior"),
    },
    "freelancer": {
        "active": NC_("freelancer", "Active"),
        "alumni": NC_("freelancer", "Alumni"),
        "inactive": NC_("freelancer", "Inactive"),
        "forgotten": NC_("freelancer", "Erased"),
    },
    "publish": {
        "published": NC_("publish", "Published"),
        "pending": NC_("publish", "Not published yet"),
        "failed": NC_("publish", "Publication failed"),
    },
    "boolean": {
        "True": NC_("boolean", "Yes"),
        "False": NC_("boolean", "No"),
    },
}

#: The enum behind each kind, for the completeness test.
ENUMS = {
    "request": enums.RequestStatus, "outcome": enums.RequestOutcome,
    "mission": enums.MissionStatus, "offboarding": enums.OffboardingStatus,
    "answer": enums.PollAnswer, "objectives": enums.Objectives,
    "deliverable": enums.DeliverableStatus, "checklist": enums.ChecklistStatus,
    "outbox": enums.OutboxStatus, "channel": enums.Channel, "seniority": enums.Seniority,
    "freelancer": enums.FreelancerStatus, "document": enums.DocumentState,
}  # fmt: skip


def status_label(kind: str, value: object, lang: str | None = None) -> str:
    """The word for ``value`` of ``kind`` in ``lang``; empty for None; a value without a word
    (a status added later) is shown as it is rather than hidden."""
    if value is None or value == "":
        return ""
    key = str(bool(value)) if isinstance(value, bool) else str(value)
    msgid = LABELS.get(kind, {}).get(key)
    return pgettext(kind, msgid, lang) if msgid else key
