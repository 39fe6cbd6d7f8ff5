import datetime as dt
import json
from pathlib import Path

import pytest
from offboarding_fixtures import FEEDBACK, NOTE, full_checklist, make_mission

from fmstoolkit import config, offboarding
from fmstoolkit.errors import InvalidInput
from fmstoolkit.forms import definitions as d
from fmstoolkit.ui.forms import FormWidget


def all_forms(deliverables=()):
    return [d.checklist_form(list(deliverables)), d.FEEDBACK, d.RECOMMENDATION, d.NOTE, d.CLOSING]


def test_every_field_is_declared_in_french_and_english_with_a_known_type():
    for form in all_forms([{"id": 1, "title": "Maquettes"}]):
        assert form.title("fr") and form.title("en")
        names = [f.name for f in form.fields]
        assert len(names) == len(set(names))
        for field in form.fields:
            assert field.type in d.FIELD_TYPES
            assert field.label("fr") and field.label("en")
            assert field.label("fr") != "" and (field.help("fr") == "") == (field.help("en") == "")
            for choice in field.options():
                assert choice.label("fr") and choice.label("en")
            if field.type == "choice":
                assert field.choices
        # every field of the answer model is on the form (nothing hidden from the user)
        model_fields = set(form.model.model_fields)
        assert model_fields <= set(names), model_fields - set(names)


def test_definitions_hold_no_ui_code():
    for module in Path(d.__file__).parent.glob("*.py"):
        source = module.read_text(encoding="utf-8")
        assert "import ipywidgets" not in source and "import telegram" not in source, module
        assert "from ipywidgets" not in source and "from telegram" not in source, module


def test_labels_follow_the_language_setting(monkeypatch):
    assert d.NOTE.field("deadlines").label() == "Deadlines"  # tests run in English
    monkeypatch.setenv("FMS_LANG", "fr")
    config.reload_settings()
    assert d.NOTE.field("deadlines").label() == "Respect des délais"
    assert d.NOTE.field("would_rehire").options()[1].label() == "peut-être"


def test_problems_come_from_the_pydantic_models_and_the_required_flags():
    problems = d.FEEDBACK.problems({"onboarding": 7, "integration": None, "clarity": 3})
    assert {p.field: p.what("en") for p in problems} == {
        "integration": "this field is required",
        "onboarding": "input should be less than or equal to 5",
    }
    problems = d.CHECKLIST.problems({"objectives": "no", "handover": "maybe"})
    assert {p.field for p in problems} == {"handover", "objectives_comment"}
    assert d.NOTE.validate(NOTE | {"tags": ["a", "b"]})["tags"] == ["a", "b"]
    with pytest.raises(InvalidInput):
        d.RECOMMENDATION.validate({"text": "   "})


def test_template_describes_every_field_type_choice_and_required(db):
    m = make_mission(db)
    tpl = d.template(db, m["mission_id"])
    json.dumps(tpl)  # printable as JSON
    assert list(tpl)[2:] == ["checklist", "feedback", "recommendation", "note", "closing"]
    objectives = tpl["checklist"]["objectives"]
    assert objectives["type"] == "choice" and objectives["required"] is True
    assert objectives["choices"] == ["pending", "yes", "partly", "no", "not_applicable"]
    first = tpl["checklist"][f"deliverable_{m['deliverables'][0]}"]
    assert first["label"] == "Deliverable: Maquettes" and "help" not in first
    field = d.deliverable_field({"id": 1, "title": "Maquettes {v2}"})
    assert field.label("fr") == "Livrable : Maquettes {v2}"  # the French screen says it in French
    assert "changes_requested" in first["choices"]
    assert tpl["feedback"]["onboarding"] == {
        "type": "rating",
        "required": True,
        "label": "How was the onboarding?",
        "help": "1 = poor, 5 = excellent.",
        "choices": [1, 2, 3, 4, 5],
        "choice_labels": {str(i): str(i) for i in range(1, 6)},
        "value": None,
    }
    assert tpl["note"]["tags"]["type"] == "list"
    assert tpl["checklist"]["invoice_last_day"]["type"] == "date"
    assert tpl["_mission"]["freelancer"] == "Alice Martin"


# --- the widgets --------------------------------------------------


def test_a_form_shows_the_error_beside_the_field_on_change_and_on_submit():
    saved = []
    form = FormWidget(d.FEEDBACK, on_submit=saved.append)
    form.controls["onboarding"].value = 4
    assert form.errors() == {}  # no error for fields not touched yet
    assert form.submit() is False
    errors = form.errors()
    assert set(errors) == {"integration", "clarity"}
    assert "this field is required" in errors["clarity"]
    assert saved == []
    form.controls["integration"].value = 5
    assert "integration" not in form.errors()  # cleared on change
    form.controls["clarity"].value = 2
    form.controls["suggestions"].value = "Plus de doc"
    assert form.submit() is True
    assert saved == [
        {
            "onboarding": 4,
            "integration": 5,
            "clarity": 2,
            "suggestions": "Plus de doc",
            "source": "interview",
        }  # fmt: skip
    ]
    assert form.errors() == {} and "Saved" in form.message.value


def test_a_conditional_rule_shows_beside_the_field_it_concerns():
    form = FormWidget(d.CHECKLIST)
    form.controls["objectives"].value = "partly"
    assert "what was not met" in form.errors()["objectives_comment"]
    form.controls["objectives_comment"].value = "SEO not done"
    assert form.errors() == {}


def test_a_number_typed_as_text_is_checked():
    form = FormWidget(d.CHECKLIST)
    form.controls["invoice_amount"].value = "cinq mille"
    assert "valid integer" in form.errors()["invoice_amount"]
    form.controls["invoice_amount"].value = "5000"
    assert "invoice_amount" not in form.errors()


def test_errors_raised_when_saving_are_shown_beside_their_fields(db):
    m = make_mission(db)
    form = FormWidget(
        d.checklist_form(offboarding.deliverables(db, m["mission_id"])),
        on_submit=lambda v: offboarding.save_checklist(db, m["mission_id"], v),
    )
    form.set_values(full_checklist(m["deliverables"]))
    form.controls["invoice_received"].value = "pending"  # but paid: the model refuses
    assert form.submit() is False
    assert "cannot be paid before it is received" in form.errors()["invoice_paid"]
    assert db["invoices"].count == 0
    form.controls["invoice_received"].value = "done"
    assert form.submit() is True
    assert offboarding.invoice(db, m["mission_id"])["amount"] == 5000


def test_values_round_trip_through_the_widgets(db):
    form = FormWidget(d.NOTE, NOTE)
    values = form.values()
    assert values["tags"] == ["react", "autonome"] and values["quality"] == 5
    form = FormWidget(d.CHECKLIST, {"invoice_last_day": "2026-03-13", "invoice_days": 10.0})
    assert form.controls["invoice_last_day"].value == dt.date(2026, 3, 13)
    assert form.controls["invoice_days"].value == "10"
    assert d.CHECKLIST.clean(form.values())["invoice_last_day"] == "2026-03-13"


def test_french_labels_and_errors_in_the_widgets(monkeypatch):
    monkeypatch.setenv("FMS_LANG", "fr")
    config.reload_settings()
    form = FormWidget(d.FEEDBACK, FEEDBACK | {"clarity": None})
    assert "Clarté de la mission" in form.box.children[3].children[0].value
    form.submit()
    assert "ce champ est obligatoire" in form.errors()["clarity"]
