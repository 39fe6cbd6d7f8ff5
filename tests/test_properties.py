"""Property-based tests (hypothesis): whatever a user types or uploads ends in success or one
clear FmsError, never another exception, and a refused input writes nothing.

Covered: CSV import (random cells, delimiters, encodings), dates (any text to the date parsers
of the CLI and the forms), form answers (the pydantic answer models and the declarative forms),
Telegram texts and callback data (the chat forms and the button verifier), and the notes search
in Datasette. ``max_examples`` is modest (CI time) and there is no deadline (no timing).
"""

from __future__ import annotations

import asyncio
import csv
import io
import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from publish_fixtures import make_agency

from fmstoolkit import dates, models, planning, pool, publish, serve
from fmstoolkit.assistant.conversations import CHAT_FORMS, State
from fmstoolkit.errors import FmsError
from fmstoolkit.forms.definitions import FORMS
from fmstoolkit.notify import callbacks

PROPERTY = settings(max_examples=60, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
#: Text a spreadsheet or a chat may hold: any character but surrogates, with the troublemakers
#: (separators, quotes, line breaks, formula starts, NUL) made likely.
TRICKY = st.text(
    st.one_of(st.characters(blacklist_categories=("Cs",)), st.sampled_from(';,"\n\r=+-@\x00 ')),
    max_size=40,
)
HEADERS = st.lists(st.sampled_from(["name", "email", "skills", "TJM", "ville", "telegram",
                                    "phone", "seniority", "headline", "unknown"]),
                   min_size=1, max_size=6)  # fmt: skip


def rows_of(db) -> tuple[int, ...]:
    tables = ("freelancers", "contacts", "freelancer_skills", "requests", "request_roles",
              "projects", "missions", "feedback", "outbox")  # fmt: skip
    return tuple(db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables)


def ends_well(call, db) -> object:
    """Run ``call``: it succeeds, or raises an FmsError and the database is unchanged."""
    before = rows_of(db)
    try:
        return call()
    except FmsError as exc:
        assert exc.message("en") and exc.message("fr")
        assert rows_of(db) == before
        return exc


@PROPERTY
@given(header=HEADERS,
       cells=st.lists(st.lists(TRICKY, max_size=7), max_size=5),
       delimiter=st.sampled_from([",", ";", "\t", "|"]),
       encoding=st.sampled_from(["utf-8", "utf-8-sig", "latin-1", "utf-16", "cp1252"]))
def test_csv_import_ends_in_a_report_or_one_error(db, header, cells, delimiter, encoding):
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(cells)
    data = out.getvalue().encode(encoding, errors="replace")
    result = ends_well(lambda: pool.import_freelancers(db, data, name="pool.csv"), db)
    if not isinstance(result, FmsError):
        assert result.created + result.updated + len(result.rejected_rows) <= len(cells)
    result = ends_well(
        lambda: pool.import_freelancers(db, data, name="pool.csv", skip_invalid=True), db)
    if isinstance(result, FmsError):
        assert result.field == "file"


DATE_TEXT = st.one_of(
    TRICKY,
    st.dates().map(str),
    st.from_regex(r"\A[0-9]{1,5}-[0-9]{1,2}-[0-9]{1,2}\Z"),
    st.integers().map(str),
)


@PROPERTY
@given(text=DATE_TEXT)
def test_any_text_to_the_date_parser_is_a_date_or_one_error(text):
    try:
        day = dates.parse_date(text, "start")
    except FmsError as exc:
        assert exc.field == "start"
    else:
        typed = text.strip()
        # ISO 8601, extended ("2026-12-02") or basic ("20261202", which fromisoformat reads too)
        assert day.isoformat() == typed[:10] or day.strftime("%Y%m%d") == typed[:8] or (
            day.year < 1000
        )


@PROPERTY
@given(start=DATE_TEXT, in_days=st.one_of(st.none(), TRICKY, st.integers().map(str)),
       days=st.one_of(TRICKY, st.integers().map(str)),
       max_rate=st.one_of(st.none(), st.integers().map(str), TRICKY),
       skill=st.sampled_from(["react", "dev web", "", "reactt", "1", "99999999999999999999"]))
def test_a_request_as_typed_is_saved_or_refused_whole(db, start, in_days, days, max_rate, skill):
    def add():
        return planning.create_request(db, project="Site", skill=skill, start=start,
                                       in_days=in_days, days=days, max_rate=max_rate)
    result = ends_well(add, db)
    assert isinstance(result, (dict, FmsError))
    assert isinstance(planning.validate_request(db, project="Site", skill=skill, start=start,
                                                in_days=in_days, days=days), list)


VALUES = st.one_of(st.none(), TRICKY, st.integers(), st.booleans(), st.floats(allow_nan=True),
                   st.lists(TRICKY, max_size=3), st.sampled_from(["yes", "no", "maybe", "5"]))


@PROPERTY
@given(data=st.data())
def test_form_answers_validate_or_list_their_problems(data):
    model = data.draw(st.sampled_from([models.ChecklistAnswers, models.ClosingAnswers,
                                       models.FeedbackAnswers, models.NoteAnswers,
                                       models.RecommendationAnswers, models.RequestAnswers]))
    names = list(model.model_fields) + ["unknown_field"]
    answers = data.draw(st.dictionaries(st.sampled_from(names), VALUES, max_size=len(names)))
    try:
        models.validate(model, answers)
    except FmsError as exc:
        assert exc.problems and all(p.message("fr") for p in exc.problems)
    form = FORMS[data.draw(st.sampled_from(sorted(FORMS)))]
    values = data.draw(st.dictionaries(st.sampled_from([f.name for f in form.fields]), VALUES))
    problems = form.problems(values)
    assert all(p.message("en") for p in problems)


@PROPERTY
@given(typed=TRICKY, step=st.integers(0, 8), lang=st.sampled_from(["fr", "en"]))
def test_telegram_texts_are_accepted_or_asked_again(typed, step, lang):
    form = CHAT_FORMS["feedback"]
    state = State(form="feedback", mission_id=1, step=min(step, len(form.fields) - 1))
    outcome = form.type_text(state, typed, lang)
    assert outcome.state is not None


@PROPERTY
@given(data=st.one_of(
    TRICKY,
    st.from_regex(r"\A[a-z_]{1,16}:[0-9]{1,25}:[a-z0-9_]{1,16}:[A-Za-z0-9_-]{0,30}\Z"),
    st.builds(lambda k, i, v: callbacks.sign(k, i, v, key=b"k" * 32) + "x",
              st.sampled_from(["poll", "form"]), st.integers(0, 2**70), st.just("yes")),
))
def test_callback_data_is_verified_or_refused(data):
    try:
        kind, obj_id, value = callbacks.verify(data, key=b"k" * 32)
    except FmsError as exc:
        assert exc.field == "callback_data"
    else:
        assert callbacks.sign(kind, obj_id, value, key=b"k" * 32) == data


@pytest.fixture
def notes_site(db, tmp_path):
    make_agency(db)
    publish.publish(db)
    instance = serve.make_datasette(tmp_path / "notes.db")
    yield instance
    for database in instance.databases.values():
        database.close()


@PROPERTY
@given(query=st.one_of(TRICKY, st.text(string.printable + "éàç*\"()^:-", max_size=30)))
def test_notes_search_answers_any_string(notes_site, query):
    async def search():
        return await notes_site.client.get("/notes/notes", params={"_search": query})

    response = asyncio.run(search())
    assert response.status_code in (200, 400), (query, response.status_code)
