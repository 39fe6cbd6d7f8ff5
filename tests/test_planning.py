"""Planning: working days, requests, availability, ranking, missions, polls, ledger, schedule."""

from __future__ import annotations

import datetime as dt

import icalendar
import pytest
from planning_fixtures import TODAY, freelancer, past_mission, project

from fmstoolkit import config, planning, pool
from fmstoolkit.errors import Conflict, InvalidInput, InvalidState

D = dt.date.fromisoformat


def request(db, **kw):
    args = {"project": "Site", "skill": "web developer", "start": "2026-12-07", "days": 5,
            "today": TODAY} | kw
    return planning.create_request(db, **args)


# --- working days and requests -------------------------------------------------------------------


def test_weekends_and_french_holidays_are_skipped():
    # Friday 2026-12-04 + 3 working days: Friday, Monday, Tuesday.
    assert planning.working_period(D("2026-12-04"), 3) == (D("2026-12-04"), D("2026-12-08"))
    # Christmas (Friday 25 December) is skipped, so is the weekend after it.
    assert planning.working_period(D("2026-12-24"), 2) == (D("2026-12-24"), D("2026-12-28"))
    # Bastille Day and Whit Monday 2026 are French public holidays.
    assert not planning.is_working_day(D("2026-07-14"))
    assert not planning.is_working_day(D("2026-05-25"))


def test_country_is_a_setting(monkeypatch):
    monkeypatch.setenv("FMS_COUNTRY", "DE")
    config.reload_settings()
    assert planning.is_working_day(D("2026-07-14"))  # not a holiday in Germany
    assert not planning.is_working_day(D("2026-10-03")) or D("2026-10-03").weekday() >= 5


def test_in_six_days_for_one_week(db):
    req = planning.create_request(db, project="Site web", skill="dev web", in_days=6, days=5,
                                  today=TODAY)
    # Wednesday 25 + 6 = Tuesday 1 December; 5 working days end on Monday 7.
    assert (req["start_date"], req["end_date"], req["days"]) == ("2026-12-01", "2026-12-07", 5)
    assert req["project_created"] is True
    assert req["status"] == "open"
    assert req["roles"][0]["skill"] == "web-development"


def test_start_on_a_saturday_moves_to_monday(db):
    req = request(db, start="2026-12-05", days=1)
    assert (req["start_date"], req["end_date"]) == ("2026-12-07", "2026-12-07")


def test_existing_project_is_reused_by_name_or_id(db):
    pid = project(db, "Refonte")
    assert request(db, project="refonte")["project_id"] == pid
    assert request(db, project=str(pid))["project_created"] is False


def test_a_bad_request_lists_every_problem_and_saves_nothing(db):
    with pytest.raises(InvalidInput) as err:
        planning.create_request(db, project="", skill="dev wbe", days=0, max_rate=-3,
                                today=TODAY)
    fields = {p.field for p in err.value.problems}
    assert {"project", "skill", "days", "max_rate", "start"} <= fields
    assert "did you mean 'Web development'" in str(err.value)
    assert db["requests"].count == 0 and db["projects"].count == 0


def test_validate_request_is_for_as_you_type_forms(db):
    assert planning.validate_request(db, project="P", skill="seo", in_days=3, days=2,
                                     today=TODAY) == []
    problems = planning.validate_request(db, project="P", skill="seo", start="2026-01-01",
                                         days=2, today=TODAY)
    assert [p.field for p in problems] == ["start"]
    assert "in the past" in problems[0].what("en")
    assert db["requests"].count == 0


def test_a_request_with_several_roles(db):
    req = planning.create_request(
        db, project="Campagne", start="2026-12-07", days=3, max_rate=700, today=TODAY,
        roles=[{"skill": "art direction", "min_level": 3}, {"skill": "copywriting"}],
    )
    assert [r["skill"] for r in req["roles"]] == ["art-direction", "copywriting"]
    assert req["roles"][0]["min_level"] == 3
    role_id = planning.add_role(db, req["id"], "seo", min_level=2, max_rate=400)
    assert planning.get_request(db, req["id"])["roles"][-1]["id"] == role_id


# --- availability --------------------------------------------------------------------------------


def test_touching_periods_do_not_overlap(db):
    a = freelancer(db, "Alice")
    planning.create_mission(db, freelancer_id=a, project="P", start="2026-12-01", end="2026-12-04")
    assert planning.availability(db, a, "2026-12-05", "2026-12-11")["status"] == "free"
    # ...and a mission may start the day after the other ends.
    planning.create_mission(db, freelancer_id=a, project="P", start="2026-12-07", days=1)


def test_partial_availability_names_the_busy_working_days(db):
    a = freelancer(db, "Alice")
    planning.create_mission(db, freelancer_id=a, project="P", start="2026-12-01", end="2026-12-04")
    av = planning.availability(db, a, "2026-12-03", "2026-12-09")
    assert av["status"] == "partial"
    assert av["busy_days"] == ["2026-12-03", "2026-12-04"]
    assert av["free_days"] == ["2026-12-07", "2026-12-08", "2026-12-09"]
    assert av["conflicts"][0]["kind"] == "mission"
    assert "1 December 2026 to 4 December 2026" in av["conflicts"][0]["label"]  # one date format


def test_weekend_and_holiday_unavailability_takes_no_working_day(db):
    a = freelancer(db, "Alice")
    planning.add_unavailability(db, a, "2026-12-05", "2026-12-06", reason="weekend away")
    planning.add_unavailability(db, a, "2026-12-25", "2026-12-25", reason="Christmas")
    assert planning.availability(db, a, "2026-12-01", "2026-12-31")["status"] == "free"
    planning.add_unavailability(db, a, "2026-12-01", "2026-12-31", reason="holiday")
    av = planning.availability(db, a, "2026-12-01", "2026-12-04")
    assert av["status"] == "busy" and av["free_days"] == []
    # a declared period confirms the availability
    assert db["freelancers"].get(a)["availability_confirmed_by"] == "declared"


def test_cancelled_and_offboarded_missions_leave_the_freelancer_free(db):
    a = freelancer(db, "Alice")
    past_mission(db, a, "2026-12-01", "2026-12-04", status="cancelled")
    past_mission(db, a, "2026-12-01", "2026-12-04", status="offboarded")
    assert planning.availability(db, a, "2026-12-01", "2026-12-04")["status"] == "free"


# --- ranking -------------------------------------------------------------------------------------


def test_ranking_order_on_an_obvious_case(db):
    best = freelancer(db, "Best", level=5, rate=500)
    partial = freelancer(db, "Partial", level=5, rate=500)
    busy = freelancer(db, "Busy", level=5, rate=500)
    weak = freelancer(db, "Weak", level=1, rate=500)
    opted = freelancer(db, "Opted out", level=5)
    pool.set_opt_out(db, opted)
    freelancer(db, "Inactive", level=5, status="inactive")
    freelancer(db, "Forgotten", level=5, status="forgotten")
    freelancer(db, "Other skill", skill="seo", level=5)
    planning.create_mission(db, freelancer_id=partial, project="P", start="2026-12-07", days=2)
    planning.create_mission(db, freelancer_id=busy, project="P", start="2026-12-07", days=5)
    req = request(db, max_rate=600)

    ranked = planning.rank_candidates(db, req["id"], today=TODAY)
    # a busy expert cannot do the job: a free beginner comes before them
    assert [c.name for c in ranked] == ["Best", "Partial", "Weak", "Busy"]
    assert [c.availability for c in ranked] == ["free", "partial", "free", "busy"]
    assert ranked[1].busy_days == ("2026-12-07", "2026-12-08")
    assert {best, partial, busy, weak} == {c.freelancer_id for c in ranked}
    # filters
    assert [c.name for c in planning.rank_candidates(db, req["id"], free_only=True,
                                                     today=TODAY)] == ["Best", "Weak"]
    assert [c.name for c in planning.rank_candidates(db, req["id"], min_level=3, top=2,
                                                     today=TODAY)] == ["Best", "Partial"]


def test_the_ranking_names_the_same_busy_days_as_availability(db):
    # Request: Monday 7 to Friday 11 December. One run of busy days, two runs, none, all.
    one_run = freelancer(db, "One run", level=5, rate=500)
    two_runs = freelancer(db, "Two runs", level=5, rate=500)
    freelancer(db, "Free", level=5, rate=500)
    busy = freelancer(db, "Busy", level=5, rate=500)
    planning.create_mission(db, freelancer_id=one_run, project="P", start="2026-12-08", days=2)
    planning.create_mission(db, freelancer_id=two_runs, project="P", start="2026-12-07", days=1)
    planning.add_unavailability(db, two_runs, "2026-12-09", "2026-12-09")
    planning.create_mission(db, freelancer_id=two_runs, project="P", start="2026-12-11", days=1)
    planning.create_mission(db, freelancer_id=busy, project="P", start="2026-12-07", days=5)
    req = request(db)

    ranked = {c.name: c for c in planning.rank_candidates(db, req["id"], today=TODAY)}
    assert ranked["Two runs"].busy_days == ("2026-12-07", "2026-12-09", "2026-12-11")
    assert ranked["Two runs"].free_days == ("2026-12-08", "2026-12-10")
    assert ranked["One run"].busy_days == ("2026-12-08", "2026-12-09")
    assert ranked["One run"].free_days == ("2026-12-07", "2026-12-10", "2026-12-11")
    assert (ranked["Free"].busy_days, ranked["Free"].availability) == ((), "free")
    assert (ranked["Busy"].free_days, ranked["Busy"].availability) == ((), "busy")
    for c in ranked.values():
        av = planning.availability(db, c.freelancer_id, "2026-12-07", "2026-12-11")
        assert list(c.busy_days) == av["busy_days"] and list(c.free_days) == av["free_days"]
        assert c.availability == av["status"]
    words = "(busy 7 December 2026, 9 December 2026, 11 December 2026)"
    assert words in ranked["Two runs"].explanation


def test_past_collaboration_and_budget_break_ties(db):
    liked = freelancer(db, "Liked", level=4, rate=500)
    unknown = freelancer(db, "Unknown", level=4, rate=500)
    disliked = freelancer(db, "Disliked", level=4, rate=500)
    pricey = freelancer(db, "Pricey", level=4, rate=800)
    for start, end in (("2026-03-02", "2026-03-06"), ("2026-09-07", "2026-09-11")):
        past_mission(db, liked, start, end, note=(5, "yes"))
        past_mission(db, disliked, start, end, note=(2, "no"))
    req = request(db, max_rate=600)
    ranked = planning.rank_candidates(db, req["id"], today=TODAY)
    assert [c.name for c in ranked][:2] == ["Liked", "Unknown"]
    names = [c.name for c in ranked]
    assert names.index("Disliked") > names.index("Unknown")
    assert names.index("Pricey") > names.index("Unknown")
    by = {c.name: c for c in ranked}
    assert by["Liked"].missions == 2 and by["Liked"].avg_rating == 5
    assert by["Liked"].would_rehire == "yes" and by["Disliked"].would_rehire == "no"
    assert by["Pricey"].within_budget is False and by["Unknown"].within_budget is True
    assert [c.freelancer_id for c in ranked if c.name == "Liked"] == [liked]
    assert unknown and pricey


def test_the_explanation_says_why_in_words(db):
    a = freelancer(db, "Alice", level=5, rate=550, seniority="senior")
    for i, rate in enumerate((400, 500, 600, 700)):
        other = freelancer(db, f"Senior {i}", level=3, seniority="senior", rate=rate)
        past_mission(db, other, "2025-01-06", "2025-01-10", rate=rate)
    past_mission(db, a, "2026-06-01", "2026-06-05", rate=550, note=(4, "yes"))
    past_mission(db, a, "2026-09-07", "2026-09-11", rate=550, note=(5, "yes"))
    req = request(db, max_rate=600)
    poll = planning.record_poll(db, req["id"], a, channel="telegram")
    planning.answer_poll(db, poll, "yes", when="2026-11-23")

    c = planning.rank_candidates(db, req["id"], today=TODAY)[0]
    assert c.name == "Alice"
    text = c.explanation
    assert text.startswith("Level 5/5 in Web development; free on all 5 working days")
    assert "answered yes to this request" in text
    assert "2 past missions rated 4.5/5, would rehire (2 of 2 notes)" in text
    assert "€550/day, within the €600 budget" in text  # amounts as Babel writes them
    assert "typical of the agency's rates for a senior profile (median €550)" in text
    assert "availability confirmed 2 days ago by their answer" in text
    assert c.freshness_days == 2 and c.confirmed_by == "answer"
    assert c.rate_position == "typical"
    assert set(c.components) == {"skill", "availability", "collaboration", "rate"}
    assert round(sum(c.components.values()), 1) == pytest.approx(c.score, abs=0.2)


def test_the_explanation_in_french(db):
    a = freelancer(db, "Alice", level=5, rate=500)
    req = request(db, max_rate=450)
    c = planning.rank_candidates(db, req["id"], today=TODAY, lang="fr")[0]
    assert c.freelancer_id == a
    assert c.explanation.startswith("Niveau 5/5 en Développement web ; libre les 5 jours ouvrés")
    assert "aucune mission passée avec l'agence" in c.explanation
    assert "50\u00a0€ au-dessus du budget de 450\u00a0€" in c.explanation
    assert "disponibilité jamais confirmée" in c.explanation


def test_the_seniority_is_translated_in_french(db):
    a = freelancer(db, "Alice", level=5, rate=500, seniority="confirmed")
    for i, rate in enumerate((400, 500, 600)):
        other = freelancer(db, f"Confirmé {i}", level=3, seniority="confirmed", rate=rate)
        past_mission(db, other, "2025-01-06", "2025-01-10", rate=rate)
    req = request(db, max_rate=600)
    c = next(c for c in planning.rank_candidates(db, req["id"], today=TODAY, lang="fr")
             if c.freelancer_id == a)
    assert "pour un profil confirmé (médiane 500\u00a0€)" in c.explanation
    assert "confirmed" not in c.explanation
    text = planning.rate_position(db, "dev web", "confirmed", 500, today=TODAY, lang="fr")["text"]
    assert "pour Développement web, confirmé (médiane 500\u00a0€" in text
    english = planning.rank_candidates(db, req["id"], today=TODAY, lang="en")
    assert "for a confirmed profile (median €500)" in next(
        c for c in english if c.freelancer_id == a).explanation


def test_a_no_to_the_poll_sinks_the_candidate_and_stale_availability_is_said(db):
    yes = freelancer(db, "Yes", level=3)
    no = freelancer(db, "No", level=5)
    req = request(db)
    planning.answer_poll(db, planning.record_poll(db, req["id"], no), "non", when="2026-11-24")
    planning.confirm_availability(db, yes, by="manager", when="2026-08-01")
    ranked = planning.rank_candidates(db, req["id"], today=TODAY)
    assert [c.name for c in ranked] == ["Yes", "No"]
    assert ranked[1].poll_answer == "no" and "answered no" in ranked[1].explanation
    assert "availability stale: last confirmed 4 months ago by a manager" in ranked[0].explanation


def test_each_role_is_ranked_on_its_own(db):
    designer = freelancer(db, "Designer", skill="art direction", level=4)
    writer = freelancer(db, "Writer", skill="copywriting", level=4)
    req = planning.create_request(db, project="C", start="2026-12-07", days=2, today=TODAY,
                                  roles=[{"skill": "art direction"}, {"skill": "copywriting"}])
    ranked = planning.rank_roles(db, req["id"], today=TODAY)
    a, b = (r["id"] for r in req["roles"])
    assert [c.freelancer_id for c in ranked[a]] == [designer]
    assert [c.freelancer_id for c in ranked[b]] == [writer]


def test_equal_scores_go_by_name_at_the_cut_and_all_can_be_explained(db):
    # Names are only read for the candidates shown: ties at the cut still go by name.
    for name in ("Cid", "Ana", "Bea", "Dan"):
        freelancer(db, name, level=4, rate=500)
    freelancer(db, "Top", level=5, rate=500)
    req = request(db, max_rate=600)
    everyone = planning.rank_candidates(db, req["id"], today=TODAY)
    assert [c.name for c in everyone] == ["Top", "Ana", "Bea", "Cid", "Dan"]
    assert len({c.score for c in everyone[1:]}) == 1
    assert all(c.explanation and c.reasons for c in everyone)
    assert [c.name for c in planning.rank_candidates(db, req["id"], top=3, today=TODAY)] == [
        "Top", "Ana", "Bea"]
    shown = planning.rank_candidates(db, req["id"], top=2, today=TODAY)
    assert [c.as_dict() for c in shown] == [c.as_dict() for c in everyone[:2]]


# --- rate benchmark ------------------------------------------------------------------------------


def test_rate_benchmark_quartiles_and_positions(db):
    for i, rate in enumerate((400, 500, 600, 700)):
        fid = freelancer(db, f"Senior {i}", seniority="senior", rate=rate)
        past_mission(db, fid, "2025-01-06", "2025-01-10", rate=rate)
    junior = freelancer(db, "Junior", seniority="junior", rate=300)
    past_mission(db, junior, "2025-01-06", "2025-01-10", rate=300)
    past_mission(db, junior, "2025-02-03", "2025-02-07", rate=999, status="cancelled")
    bench = planning.rate_benchmark(db, "dev web", seniority="senior", today=TODAY)
    assert (bench["count"], bench["min"], bench["q1"], bench["median"], bench["q3"],
            bench["max"]) == (4, 400, 475, 550, 625, 700)
    assert planning.rate_benchmark(db, "dev web", today=TODAY)["count"] == 5
    positions = {r: planning.rate_position(db, "dev web", "senior", r, today=TODAY)["position"]
                 for r in (350, 450, 550, 650, 800)}
    assert positions == {350: "below", 450: "low", 550: "typical", 650: "high", 800: "above"}
    text = planning.rate_position(db, "dev web", "senior", 650, today=TODAY)["text"]
    assert text == ("€650/day is in the upper quarter of the agency's rates for Web "
                    "development, senior (median €550, €475–€625 for the middle half, "
                    "4 missions)")  # amounts as Babel writes them in English
    assert planning.rate_position(db, "seo", "senior", 500)["position"] is None
    with pytest.raises(InvalidInput):
        planning.rate_benchmark(db, "dev web", seniority="guru")


# --- missions ------------------------------------------------------------------------------------


def test_assign_staffs_the_request(db):
    a = freelancer(db, "Alice", rate=520)
    req = request(db)
    mid = planning.assign(db, req["id"], a)
    m = planning.get_mission(db, mid)
    assert (m["start_date"], m["end_date"], m["days"], m["daily_rate"]) == (
        "2026-12-07", "2026-12-11", 5, 520)
    assert m["skill"] == "web-development" and m["request_id"] == req["id"]
    after = planning.get_request(db, req["id"])
    assert after["status"] == "staffed" and after["outcome"] == "network"
    assert after["roles"][0]["freelancer"] == "Alice"


def test_a_request_is_staffed_only_when_every_role_is_filled(db):
    d = freelancer(db, "Designer", skill="art direction")
    w = freelancer(db, "Writer", skill="copywriting")
    req = planning.create_request(db, project="C", start="2026-12-07", days=2, today=TODAY,
                                  roles=[{"skill": "art direction"}, {"skill": "copywriting"}])
    planning.assign(db, req["id"], d)
    assert planning.get_request(db, req["id"])["status"] == "open"
    planning.assign(db, req["id"], w)
    assert planning.get_request(db, req["id"])["status"] == "staffed"


def test_double_booking_is_refused_naming_the_mission(db):
    a = freelancer(db, "Alice")
    first = planning.create_mission(db, freelancer_id=a, project="Alpha", start="2026-12-10",
                                    days=3)
    req = request(db)
    missions_before = db["missions"].count
    with pytest.raises(Conflict) as err:
        planning.assign(db, req["id"], a)
    assert str(err.value) == (
        f"Double booking: Alice already has mission #{first} (Alpha) from 2026-12-10 to "
        "2026-12-14, which overlaps 2026-12-07 to 2026-12-11."
    )
    assert db["missions"].count == missions_before
    assert planning.get_request(db, req["id"])["status"] == "open"


def test_declared_unavailability_is_a_conflict_too(db):
    a = freelancer(db, "Alice")
    planning.add_unavailability(db, a, "2026-12-11", "2026-12-11", reason="dentist")
    with pytest.raises(Conflict, match="unavailable from 2026-12-11 to 2026-12-11"):
        planning.assign(db, request(db)["id"], a)


def test_opted_out_freelancers_cannot_be_booked(db):
    a = freelancer(db, "Alice")
    pool.set_opt_out(db, a)
    with pytest.raises(InvalidState, match="opted out"):
        planning.assign(db, request(db)["id"], a)


def test_move_extend_and_cancel_check_conflicts(db):
    a = freelancer(db, "Alice")
    req = request(db)
    mid = planning.assign(db, req["id"], a)
    other = planning.create_mission(db, freelancer_id=a, project="B", start="2026-12-21", days=2)
    with pytest.raises(Conflict, match=f"mission #{other}"):
        planning.move_mission(db, mid, "2026-12-18")
    moved = planning.move_mission(db, mid, "2026-12-14")
    assert (moved["start_date"], moved["end_date"], moved["days"]) == (
        "2026-12-14", "2026-12-18", 5)
    with pytest.raises(Conflict, match="from 2026-12-21 to 2026-12-22"):
        planning.extend_mission(db, mid, days=1)
    planning.cancel_mission(db, other, reason="client postponed")
    extended = planning.extend_mission(db, mid, days=2)
    assert (extended["end_date"], extended["days"]) == ("2026-12-22", 7)
    cancelled = planning.cancel_mission(db, mid)
    assert cancelled["status"] == "cancelled"
    after = planning.get_request(db, req["id"])
    assert after["status"] == "open" and after["roles"][0]["mission_id"] is None
    with pytest.raises(InvalidState):
        planning.move_mission(db, mid, "2027-01-04")


# --- polls, ledger, report -----------------------------------------------------------------------


def test_polls_are_idempotent_and_answers_confirm_availability(db):
    a = freelancer(db, "Alice")
    req = request(db)
    poll = planning.record_poll(db, req["id"], a, channel="email")
    assert planning.record_poll(db, req["id"], a, channel="telegram") == poll
    assert planning.get_request(db, req["id"])["status"] == "polling"
    row = planning.answer_poll(db, poll, "maybe", when="2026-11-24 10:00:00")
    assert (row["answer"], row["answered_at"]) == ("maybe", "2026-11-24 10:00:00")
    person = db["freelancers"].get(a)
    assert person["availability_confirmed_at"] == "2026-11-24 10:00:00"
    assert person["availability_confirmed_by"] == "answer"
    with pytest.raises(InvalidInput, match="yes, no or maybe"):
        planning.answer_poll(db, poll, "perhaps")


def test_the_ledger_and_the_fill_rate_report(db, frozen_clock):
    a, b = freelancer(db, "Alice"), freelancer(db, "Bob")
    frozen_clock.move_to(dt.datetime(2026, 11, 23, 9, tzinfo=dt.UTC))
    staffed = request(db)
    planning.record_poll(db, staffed["id"], b)
    planning.answer_poll(db, planning.record_poll(db, staffed["id"], a), "yes")
    frozen_clock.move_to(dt.datetime(2026, 11, 24, 9, tzinfo=dt.UTC))
    outside = request(db, start="2026-12-14")
    frozen_clock.move_to(dt.datetime(2026, 11, 24, 21, tzinfo=dt.UTC))
    planning.assign(db, staffed["id"], a)  # a day and a half after the request
    planning.close_request(db, outside["id"], "outside")  # half a day after
    unfilled = request(db, start="2026-12-14")
    planning.close_request(db, unfilled["id"], "unfilled")
    cancelled = request(db, start="2026-12-14")
    planning.close_request(db, cancelled["id"], "cancelled")
    request(db, start="2027-03-01")  # outside the period

    ledger = planning.request_ledger(db, staffed["id"])
    assert [(p["freelancer"], p["answer"]) for p in ledger["polls"]] == [
        ("Bob", None), ("Alice", "yes")]
    assert [x["freelancer"] for x in ledger["assignments"]] == ["Alice"]
    assert ledger["outcome"] == "network" and ledger["time_to_staff_days"] == 1.5

    rep = planning.requests_report(db, start="2026-12-01", end="2026-12-31", today=TODAY)
    assert rep["requests"] == 4
    assert (rep["network"], rep["outside"], rep["unfilled"]) == (1, 1, 1)
    assert rep["fill_rate"] == pytest.approx(0.667)
    assert rep["network_fill_rate"] == pytest.approx(0.333)
    assert rep["time_to_staff_days"] == {"median": 1.0, "mean": 1.0, "max": 1.5}
    assert rep["by_skill"][0]["skill"] == "web-development"


# --- schedule ------------------------------------------------------------------------------------


def test_schedule_rows_and_the_ics_file_parsed_back(db, tmp_path):
    a = freelancer(db, "Alice")
    req = request(db)
    planning.assign(db, req["id"], a)
    planning.add_unavailability(db, a, "2026-12-21", "2026-12-24", reason="holiday")
    open_req = request(db, project="Blog", start="2026-12-14", days=3)
    rows = planning.schedule(db, "2026-12-01", "2026-12-31")
    assert [(r["kind"], r["lane"], r["start"], r["end"]) for r in rows] == [
        ("mission", "Alice", "2026-12-07", "2026-12-11"),
        ("unavailability", "Alice", "2026-12-21", "2026-12-24"),
        ("request", f"Request #{open_req['id']}", "2026-12-14", "2026-12-16"),
    ]
    assert rows[0]["finish"] == "2026-12-12"
    summary = planning.schedule_summary(db, "2026-12-01", "2026-12-31", rows=rows)
    assert (summary["freelancers_booked"], summary["booked_days"], summary["open_roles"]) == (
        1, 5, 1)

    path = tmp_path / "schedule.ics"
    assert planning.write_ics(db, path, "2026-12-01", "2026-12-31") == 3
    cal = icalendar.Calendar.from_ical(path.read_bytes())
    events = cal.walk("VEVENT")
    assert len(events) == 3
    first = events[0]
    assert str(first["summary"]) == "Alice — Site · Web development"  # the label, not the code
    assert first.decoded("dtstart") == D("2026-12-07")
    assert first.decoded("dtend") == D("2026-12-12")  # exclusive end of an all-day event
    assert len({str(e["uid"]) for e in events}) == 3


def test_collaboration_stats_follow_missions_and_notes(db):
    a = freelancer(db, "Alice")
    m1 = past_mission(db, a, "2026-01-05", "2026-01-09", note=(4, "yes"))
    m2 = past_mission(db, a, "2026-03-02", "2026-03-06", note=(2, "no"))
    past_mission(db, a, "2026-12-07", "2026-12-11", status="planned")  # not a collaboration yet

    def stats():
        return db.execute(
            "SELECT missions, last_end, notes, rating_avg, rehire_yes, rehire_no "
            "FROM collaboration_stats WHERE freelancer_id = ?", [a]
        ).fetchone()

    assert stats() == (2, "2026-03-06", 2, 3.0, 1, 1)
    db.execute("UPDATE missions SET status = 'cancelled' WHERE id = ?", [m2])
    assert stats()[:2] == (1, "2026-01-09")
    db.execute("DELETE FROM notes WHERE mission_id = ?", [m2])
    assert stats() == (1, "2026-01-09", 1, 4.0, 1, 0)
    db.execute("UPDATE notes SET quality = 5, communication = 5, deadlines = 5, autonomy = 5 "
               "WHERE mission_id = ?", [m1])
    assert stats()[3] == 5.0
    c = planning.rank_candidates(db, request(db)["id"], today=TODAY)[0]
    assert (c.missions, c.avg_rating, c.would_rehire) == (1, 5.0, "yes")


def test_a_freelancer_on_a_mission_now_is_said_so(db):
    a = freelancer(db, "Alice")
    past_mission(db, a, "2026-11-16", "2026-12-02", status="active", note=None)
    c = planning.rank_candidates(db, request(db)["id"], today=TODAY)[0]
    assert "1 past mission, on a mission until 2 December 2026" in c.explanation
    assert c.availability == "free"  # the request starts on 7 December


def test_moving_onto_declared_unavailability_is_refused_unless_told(db):
    a = freelancer(db, "Alice")
    mid = planning.create_mission(db, freelancer_id=a, project="P", start="2026-12-07", days=2)
    planning.add_unavailability(db, a, "2026-12-15", "2026-12-15", reason="training")
    with pytest.raises(Conflict, match="unavailable from 2026-12-15"):
        planning.move_mission(db, mid, "2026-12-14")
    assert planning.get_mission(db, mid)["start_date"] == "2026-12-07"
    moved = planning.move_mission(db, mid, "2026-12-14", ignore_unavailability=True)
    assert moved["end_date"] == "2026-12-15"
