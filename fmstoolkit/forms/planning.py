"""The planning forms, declared once: the staffing request of the planning notebook
(``fmstoolkit.ui.planning``), validated through :class:`fmstoolkit.models.RequestAnswers`."""

from __future__ import annotations

from ..i18n import N_
from ..models import RequestAnswers
from .fields import FieldDef, FormDef

REQUEST = FormDef(
    "request",
    N_("Staffing request"),
    (
        FieldDef(
            "project",
            "text",
            N_("Project"),
            N_("An existing project's name, or a new one."),
            required=True,
        ),
        FieldDef(
            "skill",
            "text",
            N_("Skill"),
            N_("Type a few letters and pick a skill of the catalogue."),
            required=True,
        ),
        FieldDef(
            "start",
            "date",
            N_("Start date"),
            N_("A weekend or a public holiday moves the start to the next working day."),
            required=True,
        ),
        FieldDef(
            "days",
            "number",
            N_("Working days"),
            N_("Length in working days (one week = 5)."),
            required=True,
            default=5,
        ),
        FieldDef(
            "max_rate",
            "number",
            N_("Maximum daily rate (€)"),
            N_("Leave empty when there is no budget limit."),
        ),
        FieldDef(
            "min_level",
            "rating",
            N_("Minimum level"),
            N_("1 = beginner, 5 = expert."),
            required=True,
            default=3,
        ),
        FieldDef("notes", "longtext", N_("Notes")),
    ),
    RequestAnswers,
    N_("What the project lead needs: who, from when, for how long, for how much."),
)
