"""The offboarding forms, declared once: the checklist (one verdict per deliverable added for
each mission), the feedback interview, the recommendation, the collaboration note and the
closing, in the order of the wizard; and the JSON skeleton of a whole offboarding
(``fms offboard MISSION_ID --template``). Values are validated through the answer models of
:mod:`fmstoolkit.models` (the single source of truth for the rules).
"""

from __future__ import annotations

from typing import Any

from .. import offboarding
from ..i18n import N_
from ..models import (
    ChecklistAnswers,
    ClosingAnswers,
    FeedbackAnswers,
    NoteAnswers,
    RecommendationAnswers,
)
from .fields import Choice, FieldDef, FormDef, choice_field

ITEM_STATES = (
    Choice("pending", N_("not yet")),
    Choice("done", N_("done")),
    Choice("not_applicable", N_("not applicable")),
)
NA_HELP = N_("When not applicable, say why here.")


def _item(name: str, text: str, help_text: str = "") -> FieldDef:
    return FieldDef(
        name, "choice", text, help_text, required=True, choices=ITEM_STATES, default="pending",
    )  # fmt: skip


def _comment(name: str, text: str = N_("Comment")) -> FieldDef:
    return FieldDef(name, "text", text, NA_HELP)


CHECKLIST = FormDef(
    "checklist",
    N_("End-of-mission checklist"),
    (
        choice_field(
            "objectives",
            N_("Were the mission's objectives met?"),
            (
                ("pending", N_("not assessed yet")),
                ("yes", N_("yes")),
                ("partly", N_("partly")),
                ("no", N_("no")),
                ("not_applicable", N_("not applicable")),
            ),
            N_("Partly or no: say what was not met in the comment."),
            default="pending",
        ),
        FieldDef(
            "objectives_comment", "longtext", N_("Objectives: comment")),
        FieldDef(
            "deliverables_comment",
            "text",
            N_("Deliverables: comment"),
        ),
        _item(
            "handover",
            N_("Knowledge handed over to the permanent staff"),
        ),
        FieldDef(
            "handover_to",
            "text",
            N_("Handed over to (name)"),
            N_("Who among the permanent staff takes the project over."),
        ),
        FieldDef(
            "handover_doc",
            "text",
            N_("Where the handover document is (URL or path)"),
        ),
        _comment("handover_comment"),
        _item("accesses", N_("Accesses revoked")),
        FieldDef(
            "accesses_systems",
            "text",
            N_("Systems whose accesses were revoked"),
            N_("For example: GitLab, Slack, VPN, Google Workspace."),
        ),
        _comment("accesses_comment"),
        _item("equipment", N_("Equipment returned")),
        _comment("equipment_comment"),
        _item(
            "invoice_received",
            N_("Final invoice received and checked"),
            N_("Expected amount: working days between the mission dates x agreed daily rate."),
        ),
        FieldDef("invoice_amount", "number", N_("Invoice amount (€)")),
        FieldDef(
            "invoice_daily_rate",
            "number",
            N_("Daily rate on the invoice (€)"),
        ),
        FieldDef("invoice_days", "number", N_("Days billed")),
        FieldDef("invoice_last_day", "date", N_("Last day billed")),
        _comment("invoice_comment"),
        _item("invoice_paid", N_("Final invoice paid")),
        FieldDef("invoice_paid_on", "date", N_("Paid on")),
        _comment("invoice_paid_comment"),
        _item(
            "confidentiality",
            N_("Confidentiality obligations reminded"),
        ),
        _comment("confidentiality_comment"),
    ),
    ChecklistAnswers,
    N_("Save as you go: items left 'not yet' stay on the list of what is missing."),
)

DELIVERABLE_VERDICTS = (
    Choice("pending", N_("not reviewed yet")),
    Choice("accepted", N_("delivered and accepted")),
    Choice("changes_requested", N_("sent back for changes")),
    Choice("not_applicable", N_("not applicable")),
)


def deliverable_field(deliverable: dict[str, Any]) -> FieldDef:
    return FieldDef(
        f"deliverable_{deliverable['id']}",
        "choice",
        N_("Deliverable: {title}"),
        required=True,
        choices=DELIVERABLE_VERDICTS,
        default="pending",
        label_params=(("title", deliverable["title"]),),
    )


def checklist_form(deliverables: list[dict[str, Any]]) -> FormDef:
    """The checklist of one mission: one verdict field per deliverable."""
    return CHECKLIST.with_fields(
        *(deliverable_field(d) for d in deliverables), after="objectives_comment"
    )


FEEDBACK = FormDef(
    "feedback",
    N_("Feedback interview"),
    (
        FieldDef(
            "onboarding",
            "rating",
            N_("How was the onboarding?"),
            N_("1 = poor, 5 = excellent."),
            required=True,
        ),
        FieldDef(
            "integration",
            "rating",
            N_("Integration in the team"),
            N_("1 = poor, 5 = excellent."),
            required=True,
        ),
        FieldDef(
            "clarity",
            "rating",
            N_("Clarity of the mission"),
            N_("1 = unclear, 5 = very clear."),
            required=True,
        ),
        FieldDef(
            "suggestions",
            "longtext",
            N_("Suggestions to improve how we welcome freelancers"),
        ),
        choice_field(
            "source",
            N_("Source"),
            (
                ("interview", N_("interview")),
                ("freelancer", N_("from the freelancer")),
            ),
            N_("Interview typed by the manager, or sent by the freelancer."),
            default="interview",
        ),
    ),
    FeedbackAnswers,
    N_("The freelancer's view of the onboarding, of their integration and of the mission."),
)

RECOMMENDATION = FormDef(
    "recommendation",
    N_("Recommendation"),
    (
        FieldDef(
            "text",
            "longtext",
            N_("Recommendation for the freelancer"),
            N_("Written for the freelancer, who can reuse it for their next missions."),
            required=True,
        ),
        FieldDef("author", "text", N_("Signed by")),
    ),
    RecommendationAnswers,
)

RATING_HELP = N_("1 = poor, 5 = excellent.")

NOTE = FormDef(
    "note",
    N_("Collaboration note"),
    (
        FieldDef("author", "text", N_("Author"), required=True),
        FieldDef("quality", "rating", N_("Quality"), RATING_HELP, required=True),
        FieldDef(
            "communication",
            "rating",
            N_("Communication"),
            RATING_HELP,
            required=True,
        ),  # fmt: skip
        FieldDef(
            "deadlines", "rating", N_("Deadlines"), RATING_HELP, required=True
        ),
        FieldDef("autonomy", "rating", N_("Autonomy"), RATING_HELP, required=True),
        choice_field(
            "would_rehire",
            N_("Would you work with them again?"),
            (("yes", N_("yes")), ("maybe", N_("maybe")), ("no", N_("no"))),
        ),
        FieldDef(
            "text",
            "longtext",
            N_("Note for the other project leads"),
            N_("Published (read-only) for the other project leads."),
        ),
        FieldDef(
            "tags",
            "list",
            N_("Tags"),
            N_("For example: react, autonomous."),
        ),  # fmt: skip
        FieldDef(
            "end_reason",
            "longtext",
            N_("Why the mission ended (private)"),
            N_("Private: never published."),
        ),
    ),
    NoteAnswers,
    N_(
        "Keeps a trace of the collaboration so that the next project lead can rehire with "
        "confidence."
    ),
)

CLOSING = FormDef(
    "closing",
    N_("Closing"),
    (
        FieldDef(
            "lists",
            "list",
            N_("Add to talent lists"),
            N_("For example: 'rehire first for React'. Lists are created when missing."),
        ),
    ),
    ClosingAnswers,
    N_("Closing marks the mission offboarded, schedules the alumni check-in and republishes the "
    "notes."),
)

#: The offboarding forms by name, in wizard order (the checklist without its deliverables).
OFFBOARDING_FORMS: dict[str, FormDef] = {
    f.name: f for f in (CHECKLIST, FEEDBACK, RECOMMENDATION, NOTE, CLOSING)
}
WIZARD_STEPS = tuple(OFFBOARDING_FORMS)


def offboarding_forms(db, mission_id: int) -> list[FormDef]:
    """The forms of one mission's offboarding, in wizard order."""
    return [
        checklist_form(offboarding.deliverables(db, mission_id)),
        FEEDBACK,
        RECOMMENDATION,
        NOTE,
        CLOSING,
    ]


def template(db, mission_id: int, lang: str | None = None) -> dict[str, Any]:
    """The JSON skeleton of a whole offboarding (``fms offboard MISSION_ID --template``).

    Fill each ``value`` (or replace the field's object by its value) and pass the file to
    ``fms offboard MISSION_ID --answers FILE.json``.
    """
    mission = offboarding.get_mission(db, mission_id)
    out: dict[str, Any] = {
        "mission_id": mission_id,
        "_mission": {
            k: mission[k] for k in ("freelancer", "project", "start_date", "end_date", "daily_rate")
        },
    }
    for form in offboarding_forms(db, mission_id):
        out[form.name] = form.describe(lang)
    return out
