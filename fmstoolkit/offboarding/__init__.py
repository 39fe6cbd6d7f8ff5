"""Offboarding: the checklist, the feedback interview, the recommendation, the collaboration note
and the closing of a mission.

Lifecycle (DESIGN.md): opened → checklist_done → feedback_in → recommendation_written →
note_written → closed. Each step is saved on its own, in its own transaction, as soon as the
manager enters it (a closed notebook loses nothing); the status is the furthest step reached
with every earlier step complete. Closing is refused, with the exact list of what is missing,
until every required item is done or "not applicable" with a reason.

Modules, each importing only the ones above it:

- :mod:`.invoice`: the final invoice and its check against the mission (working days x rate);
- :mod:`.state`: the mission, the saved records, what is missing, the status, the missions due,
  opening an offboarding and the rule that a closed one no longer changes (:func:`check_open`);
- :mod:`.steps`: validating, saving and pre-filling the four steps;
- :mod:`.closing`: closing, applying a whole offboarding from answers, recording the publish;
- :mod:`.trends`: the onboarding feedback over time and its recurring themes.

This is domain code: it never publishes nor queues a message. Closing as a manager does it
(close, republish the notes database, queue the recommendation) is
:mod:`fmstoolkit.actions.offboarding`. The names below are the package's API.
"""

from __future__ import annotations

from ..models import OPEN_MISSION_STATUSES
from .closing import apply_answers, close, record_publish
from .invoice import check_invoice, invoice
from .state import (
    CHECKLIST_ITEMS,
    ITEM_LABELS,
    REQUIRED_ITEMS,
    STATUS_AFTER,
    STEPS,
    add_deliverable,
    check_open,
    checklist,
    deliverables,
    due,
    feedback_of,
    get_mission,
    get_offboarding,
    label,
    missing,
    missing_keys,
    note_of,
    open_offboarding,
    recommendation_of,
    steps_done,
)
from .steps import (
    DELIVERABLE_RE,
    checklist_values,
    mark_recommendation_delivered,
    save_checklist,
    save_feedback,
    save_note,
    save_recommendation,
)
from .trends import THEME_LABELS, THEMES, feedback_trends, themes_of

__all__ = [
    "CHECKLIST_ITEMS",
    "DELIVERABLE_RE",
    "ITEM_LABELS",
    "OPEN_MISSION_STATUSES",
    "REQUIRED_ITEMS",
    "STATUS_AFTER",
    "STEPS",
    "THEMES",
    "THEME_LABELS",
    "add_deliverable",
    "apply_answers",
    "check_invoice",
    "check_open",
    "checklist",
    "checklist_values",
    "close",
    "deliverables",
    "due",
    "feedback_of",
    "feedback_trends",
    "get_mission",
    "get_offboarding",
    "invoice",
    "label",
    "missing",
    "missing_keys",
    "note_of",
    "open_offboarding",
    "recommendation_of",
    "record_publish",
    "save_checklist",
    "save_feedback",
    "save_note",
    "mark_recommendation_delivered",
    "save_recommendation",
    "steps_done",
    "themes_of",
]
