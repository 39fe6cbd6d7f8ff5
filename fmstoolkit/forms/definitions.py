"""Every form, declared once: fields, types, French and English labels and help, required flags
and choices. No UI code here.

The building blocks are in :mod:`.fields`, the offboarding forms in :mod:`.offboarding`, the
staffing request in :mod:`.planning`; this module is the registry of them all (``FORMS``,
:func:`require_form`) and the one place callers import from. :mod:`fmstoolkit.ui.forms` renders
a definition as ipywidgets; the Telegram assistant renders the same definitions as a
conversation; ``fms offboard --template`` prints them as a JSON skeleton.
"""

from __future__ import annotations

from ..errors import InvalidInput
from .fields import FIELD_TYPES, Choice, FieldDef, FormDef, choice_field
from .offboarding import (
    CHECKLIST,
    CLOSING,
    DELIVERABLE_VERDICTS,
    FEEDBACK,
    ITEM_STATES,
    NA_HELP,
    NOTE,
    OFFBOARDING_FORMS,
    RATING_HELP,
    RECOMMENDATION,
    WIZARD_STEPS,
    checklist_form,
    deliverable_field,
    offboarding_forms,
    template,
)
from .planning import REQUEST

#: Every form by name.
FORMS: dict[str, FormDef] = {**OFFBOARDING_FORMS, REQUEST.name: REQUEST}


def require_form(name: str) -> FormDef:
    """The form called ``name``, or an error a manager understands."""
    if name not in FORMS:
        raise InvalidInput("Unknown form '{name}'.", name=name)
    return FORMS[name]


__all__ = [
    "CHECKLIST", "CLOSING", "DELIVERABLE_VERDICTS", "FEEDBACK", "FIELD_TYPES", "FORMS",
    "ITEM_STATES", "NA_HELP", "NOTE", "OFFBOARDING_FORMS", "RATING_HELP", "RECOMMENDATION",
    "REQUEST", "WIZARD_STEPS", "Choice", "FieldDef", "FormDef", "checklist_form", "choice_field",
    "deliverable_field", "offboarding_forms", "require_form", "template",
]  # fmt: skip
