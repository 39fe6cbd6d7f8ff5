"""The offboarding forms, declared once: fields, types, French and English labels and help,
required flags and choices. No UI code here.

``forms/widgets.py`` renders a definition as ipywidgets; the Telegram assistant will render the
same definitions as a conversation; ``fms offboard --template`` prints them as a JSON skeleton.
Values are validated through the pydantic answer models of :mod:`fmstoolkit.models` (the single
source of truth for the rules), plus the choice and required checks the definition itself
states. Plain frozen dataclasses are enough to declare forms; a form library would bring its
own UI assumptions.

Field types: ``rating`` (1-5), ``choice``, ``yesno``, ``text``, ``longtext``, ``date``,
``number`` and ``list`` (of short texts).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import Any

from pydantic import BaseModel, ValidationError

from ..config import get_settings
from ..errors import InvalidInput, Problem
from ..models import (
    ChecklistAnswers,
    ClosingAnswers,
    FeedbackAnswers,
    NoteAnswers,
    RecommendationAnswers,
    invalid,
    problems_of,
)

FIELD_TYPES = ("rating", "choice", "yesno", "text", "longtext", "date", "number", "list")


@dataclass(frozen=True)
class Choice:
    value: Any
    en: str
    fr: str

    def label(self, lang: str | None = None) -> str:
        return self.fr if (lang or get_settings().lang) == "fr" else self.en


@dataclass(frozen=True)
class FieldDef:
    name: str
    type: str
    en: str
    fr: str
    help_en: str = ""
    help_fr: str = ""
    required: bool = False
    choices: tuple[Choice, ...] = ()
    default: Any = None

    def __post_init__(self) -> None:
        if self.type not in FIELD_TYPES:
            raise ValueError(f"unknown field type {self.type!r}")

    def label(self, lang: str | None = None) -> str:
        return self.fr if (lang or get_settings().lang) == "fr" else self.en

    def help(self, lang: str | None = None) -> str:
        return self.help_fr if (lang or get_settings().lang) == "fr" else self.help_en

    def options(self) -> tuple[Choice, ...]:
        """The choices, including the implicit ones of ratings and yes/no fields."""
        if self.type == "rating":
            return tuple(Choice(i, str(i), str(i)) for i in range(1, 6))
        if self.type == "yesno" and not self.choices:
            return (Choice("yes", "yes", "oui"), Choice("no", "no", "non"))
        return self.choices

    def describe(self, lang: str | None = None) -> dict[str, Any]:
        """The field as the JSON skeleton of ``fms offboard --template``."""
        out: dict[str, Any] = {
            "type": self.type,
            "required": self.required,
            "label": self.label(lang),
        }
        if self.help(lang):
            out["help"] = self.help(lang)
        if self.options():
            out["choices"] = [c.value for c in self.options()]
            out["choice_labels"] = {str(c.value): c.label(lang) for c in self.options()}
        out["value"] = self.default
        return out


@dataclass(frozen=True)
class FormDef:
    name: str
    en: str
    fr: str
    fields: tuple[FieldDef, ...]
    model: type[BaseModel]
    intro_en: str = ""
    intro_fr: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def title(self, lang: str | None = None) -> str:
        return self.fr if (lang or get_settings().lang) == "fr" else self.en

    def intro(self, lang: str | None = None) -> str:
        return self.intro_fr if (lang or get_settings().lang) == "fr" else self.intro_en

    def field(self, name: str) -> FieldDef:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)

    def with_fields(self, *more: FieldDef, after: str | None = None) -> FormDef:
        """A copy of the form with ``more`` fields inserted after the field ``after``."""
        fields = list(self.fields)
        at = len(fields) if after is None else [f.name for f in fields].index(after) + 1
        return replace(self, fields=tuple(fields[:at] + list(more) + fields[at:]))

    def defaults(self) -> dict[str, Any]:
        return {f.name: f.default for f in self.fields}

    def clean(self, values: dict[str, Any]) -> dict[str, Any]:
        """Blank texts and empty lists become None; dates become ISO text."""
        out = {}
        for f in self.fields:
            value = values.get(f.name, f.default)
            if isinstance(value, str) and not value.strip():
                value = None
            if isinstance(value, (list, tuple)) and not value:
                value = None if f.type != "list" else []
            if isinstance(value, dt.date):
                value = value.isoformat()
            out[f.name] = value
        return out

    def problems(self, values: dict[str, Any]) -> list[Problem]:
        """Every problem of ``values`` (required, choices, then the answer model's rules)."""
        data = self.clean(values)
        out: list[Problem] = []
        for f in self.fields:
            value = data[f.name]
            if f.required and (value is None or value == []):
                out.append(
                    Problem(
                        en="this field is required",
                        fr="ce champ est obligatoire",
                        field=f.name,
                    )
                )
            elif value is not None and f.type == "choice" and f.choices:
                if value not in [c.value for c in f.choices]:
                    choices = ", ".join(str(c.value) for c in f.choices)
                    out.append(
                        Problem(
                            en=f"unknown value; possible values: {choices}",
                            fr=f"valeur inconnue ; valeurs possibles : {choices}",
                            field=f.name,
                        )
                    )
        known = set(self.model.model_fields)
        model_data = {k: v for k, v in data.items() if k in known and v is not None}
        missing_reported = {p.field for p in out}
        try:
            instance = self.model.model_validate(model_data)
        except ValidationError as exc:
            out += [p for p in problems_of(exc) if p.field not in missing_reported]
            # the rules between fields still apply to the values as typed
            instance = self.model.model_construct(**model_data)
        out += self.related_problems(instance, {p.field for p in out})
        return out

    def related_problems(self, instance: BaseModel, reported: set[str | None]) -> list[Problem]:
        """Rules between fields (a reason when "not applicable"...), from the model's
        ``problems()`` method when it has one."""
        rules = getattr(instance, "problems", None)
        if rules is None:
            return []
        try:
            return [p for p in rules() if p.field not in reported]
        except (AttributeError, TypeError, ValueError):  # values too broken to compare
            return []

    def rule_problems(self, values: dict[str, Any]) -> list[Problem]:
        """Only the problems of rules between fields (what a change may cause elsewhere)."""
        data = self.clean(values)
        known = set(self.model.model_fields)
        model_data = {k: v for k, v in data.items() if k in known and v is not None}
        return self.related_problems(self.model.model_construct(**model_data), set())

    def validate(self, values: dict[str, Any]) -> dict[str, Any]:
        """The cleaned values, or :class:`InvalidInput` listing every problem."""
        problems = self.problems(values)
        if problems:
            raise invalid(problems)
        return self.clean(values)

    def describe(self, lang: str | None = None) -> dict[str, Any]:
        return {f.name: f.describe(lang) for f in self.fields}


# --- shared choices ------------------------------------------------------------------------------

ITEM_STATES = (
    Choice("pending", "not yet", "pas encore"),
    Choice("done", "done", "fait"),
    Choice("not_applicable", "not applicable", "non applicable"),
)
NA_HELP = (
    "When not applicable, say why here.",
    "Si non applicable, indiquez pourquoi ici.",
)


def _item(name: str, en: str, fr: str, help_en: str = "", help_fr: str = "") -> FieldDef:
    return FieldDef(
        name, "choice", en, fr, help_en, help_fr, required=True, choices=ITEM_STATES,
        default="pending",
    )  # fmt: skip


def _comment(name: str, en: str = "Comment", fr: str = "Commentaire") -> FieldDef:
    return FieldDef(name, "text", en, fr, NA_HELP[0], NA_HELP[1])


def _choice_field(
    name: str,
    en: str,
    fr: str,
    options: tuple[tuple[Any, str, str], ...],
    help_en: str = "",
    help_fr: str = "",
    *,
    default: Any = None,
) -> FieldDef:
    """A required choice field; ``options`` are (value, English label, French label)."""
    return FieldDef(
        name,
        "choice",
        en,
        fr,
        help_en,
        help_fr,
        required=True,
        choices=tuple(Choice(*option) for option in options),
        default=default,
    )


CHECKLIST = FormDef(
    "checklist",
    "End-of-mission checklist",
    "Checklist de fin de mission",
    (
        _choice_field(
            "objectives",
            "Were the mission's objectives met?",
            "Les objectifs de la mission sont-ils atteints ?",
            (
                ("pending", "not assessed yet", "pas encore évalué"),
                ("yes", "yes", "oui"),
                ("partly", "partly", "en partie"),
                ("no", "no", "non"),
                ("not_applicable", "not applicable", "non applicable"),
            ),
            "Partly or no: say what was not met in the comment.",
            "En partie ou non : précisez ce qui manque en commentaire.",
            default="pending",
        ),
        FieldDef(
            "objectives_comment", "longtext", "Objectives: comment", "Objectifs : commentaire"
        ),
        FieldDef(
            "deliverables_comment",
            "text",
            "Deliverables: comment",
            "Livrables : commentaire",
        ),
        _item(
            "handover",
            "Knowledge handed over to the permanent staff",
            "Passation faite à l'équipe permanente",
        ),
        FieldDef(
            "handover_to",
            "text",
            "Handed over to (name)",
            "Passation à (nom)",
            "Who among the permanent staff takes the project over.",
            "Qui, dans l'équipe permanente, reprend le projet.",
        ),
        FieldDef(
            "handover_doc",
            "text",
            "Where the handover document is (URL or path)",
            "Où est le document de passation (URL ou chemin)",
        ),
        _comment("handover_comment"),
        _item("accesses", "Accesses revoked", "Accès révoqués"),
        FieldDef(
            "accesses_systems",
            "text",
            "Systems whose accesses were revoked",
            "Systèmes dont les accès ont été révoqués",
            "For example: GitLab, Slack, VPN, Google Workspace.",
            "Par exemple : GitLab, Slack, VPN, Google Workspace.",
        ),
        _comment("accesses_comment"),
        _item("equipment", "Equipment returned", "Matériel rendu"),
        _comment("equipment_comment"),
        _item(
            "invoice_received",
            "Final invoice received and checked",
            "Facture finale reçue et vérifiée",
            "Expected amount: working days between the mission dates x agreed daily rate.",
            "Montant attendu : jours ouvrés entre les dates de mission x TJM convenu.",
        ),
        FieldDef("invoice_amount", "number", "Invoice amount (€)", "Montant de la facture (€)"),
        FieldDef(
            "invoice_daily_rate",
            "number",
            "Daily rate on the invoice (€)",
            "TJM facturé (€)",
        ),
        FieldDef("invoice_days", "number", "Days billed", "Jours facturés"),
        FieldDef("invoice_last_day", "date", "Last day billed", "Dernier jour facturé"),
        _comment("invoice_comment"),
        _item("invoice_paid", "Final invoice paid", "Facture finale payée"),
        FieldDef("invoice_paid_on", "date", "Paid on", "Payée le"),
        _comment("invoice_paid_comment"),
        _item(
            "confidentiality",
            "Confidentiality obligations reminded",
            "Obligations de confidentialité rappelées",
        ),
        _comment("confidentiality_comment"),
    ),
    ChecklistAnswers,
    "Save as you go: items left 'not yet' stay on the list of what is missing.",
    "Enregistrez au fur et à mesure : les points « pas encore » restent dans ce qui manque.",
)

DELIVERABLE_VERDICTS = (
    Choice("pending", "not reviewed yet", "pas encore revu"),
    Choice("accepted", "delivered and accepted", "livré et accepté"),
    Choice("changes_requested", "sent back for changes", "renvoyé pour corrections"),
    Choice("not_applicable", "not applicable", "non applicable"),
)


def deliverable_field(deliverable: dict[str, Any]) -> FieldDef:
    return FieldDef(
        f"deliverable_{deliverable['id']}",
        "choice",
        f"Deliverable: {deliverable['title']}",
        f"Livrable : {deliverable['title']}",
        required=True,
        choices=DELIVERABLE_VERDICTS,
        default="pending",
    )


def checklist_form(deliverables: list[dict[str, Any]]) -> FormDef:
    """The checklist of one mission: one verdict field per deliverable."""
    return CHECKLIST.with_fields(
        *(deliverable_field(d) for d in deliverables), after="objectives_comment"
    )


FEEDBACK = FormDef(
    "feedback",
    "Feedback interview",
    "Entretien de feedback",
    (
        FieldDef(
            "onboarding",
            "rating",
            "How was the onboarding?",
            "Comment s'est passé l'accueil ?",
            "1 = poor, 5 = excellent.",
            "1 = mauvais, 5 = excellent.",
            required=True,
        ),
        FieldDef(
            "integration",
            "rating",
            "Integration in the team",
            "Intégration dans l'équipe",
            "1 = poor, 5 = excellent.",
            "1 = mauvaise, 5 = excellente.",
            required=True,
        ),
        FieldDef(
            "clarity",
            "rating",
            "Clarity of the mission",
            "Clarté de la mission",
            "1 = unclear, 5 = very clear.",
            "1 = floue, 5 = très claire.",
            required=True,
        ),
        FieldDef(
            "suggestions",
            "longtext",
            "Suggestions to improve how we welcome freelancers",
            "Suggestions pour améliorer l'accueil des freelances",
        ),
        _choice_field(
            "source",
            "Source",
            "Source",
            (
                ("interview", "interview", "entretien"),
                ("freelancer", "from the freelancer", "du freelance"),
            ),
            "Interview typed by the manager, or sent by the freelancer.",
            "Entretien saisi par le manager, ou envoyé par le freelance.",
            default="interview",
        ),
    ),
    FeedbackAnswers,
    "The freelancer's view of the onboarding, of their integration and of the mission.",
    "Le regard du freelance sur l'accueil, son intégration et la mission.",
)

RECOMMENDATION = FormDef(
    "recommendation",
    "Recommendation",
    "Recommandation",
    (
        FieldDef(
            "text",
            "longtext",
            "Recommendation for the freelancer",
            "Recommandation pour le freelance",
            "Written for the freelancer, who can reuse it for their next missions.",
            "Rédigée pour le freelance, qui pourra la réutiliser pour ses prochaines missions.",
            required=True,
        ),
        FieldDef("author", "text", "Signed by", "Signée par"),
    ),
    RecommendationAnswers,
)

RATING_HELP = ("1 = poor, 5 = excellent.", "1 = insuffisant, 5 = excellent.")

NOTE = FormDef(
    "note",
    "Collaboration note",
    "Note de collaboration",
    (
        FieldDef("author", "text", "Author", "Auteur", required=True),
        FieldDef("quality", "rating", "Quality", "Qualité", *RATING_HELP, required=True),
        FieldDef(
            "communication",
            "rating",
            "Communication",
            "Communication",
            *RATING_HELP,
            required=True,
        ),  # fmt: skip
        FieldDef(
            "deadlines", "rating", "Deadlines", "Respect des délais", *RATING_HELP, required=True
        ),
        FieldDef("autonomy", "rating", "Autonomy", "Autonomie", *RATING_HELP, required=True),
        _choice_field(
            "would_rehire",
            "Would you work with them again?",
            "Retravailleriez-vous avec ce freelance ?",
            (("yes", "yes", "oui"), ("maybe", "maybe", "peut-être"), ("no", "no", "non")),
        ),
        FieldDef(
            "text",
            "longtext",
            "Note for the other project leads",
            "Note pour les autres chefs de projet",
            "Published (read-only) for the other project leads.",
            "Publiée (en lecture seule) pour les autres chefs de projet.",
        ),
        FieldDef(
            "tags",
            "list",
            "Tags",
            "Étiquettes",
            "For example: react, autonomous.",
            "Par exemple : react, autonome.",
        ),  # fmt: skip
        FieldDef(
            "end_reason",
            "longtext",
            "Why the mission ended (private)",
            "Raison de la fin de mission (privée)",
            "Private: never published.",
            "Privée : jamais publiée.",
        ),
    ),
    NoteAnswers,
    "Keeps a trace of the collaboration so that the next project lead can rehire with confidence.",
    "Garde une trace de la collaboration pour que le prochain chef de projet puisse rappeler "
    "ce freelance en confiance.",
)

CLOSING = FormDef(
    "closing",
    "Closing",
    "Clôture",
    (
        FieldDef(
            "lists",
            "list",
            "Add to talent lists",
            "Ajouter aux listes de talents",
            "For example: 'rehire first for React'. Lists are created when missing.",
            "Par exemple : « à rappeler en priorité pour React ». Créées si besoin.",
        ),
    ),
    ClosingAnswers,
    "Closing marks the mission offboarded, schedules the alumni check-in and republishes the "
    "notes.",
    "La clôture marque la mission terminée, planifie le suivi alumni et republie les notes.",
)

FORMS: dict[str, FormDef] = {
    f.name: f for f in (CHECKLIST, FEEDBACK, RECOMMENDATION, NOTE, CLOSING)
}
WIZARD_STEPS = ("checklist", "feedback", "recommendation", "note", "closing")


def offboarding_forms(db, mission_id: int) -> list[FormDef]:
    """The forms of one mission's offboarding, in wizard order."""
    from .. import offboarding

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
    from .. import offboarding

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


def require_form(name: str) -> FormDef:
    if name not in FORMS:
        raise InvalidInput("Unknown form '{name}'.", "Formulaire inconnu « {name} ».", name=name)
    return FORMS[name]


# --- staffing request (issue 3: planning notebook) -----------------------------------------------


from ..models import DaysCount, Level, Name, Rate, Record, Text  # noqa: E402


class RequestAnswers(Record):
    """The values of the request form. The skill and the project are checked against the
    database by the notebook app (``fmstoolkit.ui.planning``), which knows the catalogue."""

    project: Name
    skill: Name
    start: dt.date
    days: DaysCount
    max_rate: Rate | None = None
    min_level: Level = 1
    notes: Text | None = None


REQUEST = FormDef(
    "request",
    "Staffing request",
    "Demande de staffing",
    (
        FieldDef(
            "project",
            "text",
            "Project",
            "Projet",
            "An existing project's name, or a new one.",
            "Le nom d'un projet existant, ou d'un nouveau.",
            required=True,
        ),
        FieldDef(
            "skill",
            "text",
            "Skill",
            "Compétence",
            "Type a few letters and pick a skill of the catalogue.",
            "Tapez quelques lettres et choisissez une compétence du catalogue.",
            required=True,
        ),
        FieldDef(
            "start",
            "date",
            "Start date",
            "Date de début",
            "A weekend or a public holiday moves the start to the next working day.",
            "Un week-end ou un jour férié décale le début au jour ouvré suivant.",
            required=True,
        ),
        FieldDef(
            "days",
            "number",
            "Working days",
            "Jours ouvrés",
            "Length in working days (one week = 5).",
            "Durée en jours ouvrés (une semaine = 5).",
            required=True,
            default=5,
        ),
        FieldDef(
            "max_rate",
            "number",
            "Maximum daily rate (€)",
            "TJM maximum (€)",
            "Leave empty when there is no budget limit.",
            "Laissez vide s'il n'y a pas de limite de budget.",
        ),
        FieldDef(
            "min_level",
            "rating",
            "Minimum level",
            "Niveau minimum",
            "1 = beginner, 5 = expert.",
            "1 = débutant, 5 = expert.",
            required=True,
            default=3,
        ),
        FieldDef("notes", "longtext", "Notes", "Notes"),
    ),
    RequestAnswers,
    "What the project lead needs: who, from when, for how long, for how much.",
    "Ce dont le chef de projet a besoin : qui, à partir de quand, combien de temps, à quel prix.",
)
FORMS[REQUEST.name] = REQUEST
