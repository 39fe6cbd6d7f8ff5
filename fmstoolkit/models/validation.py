"""Pydantic's errors as sentences: ``validate(Model, data, row=...)`` returns the record or
raises an :class:`~fmstoolkit.errors.InvalidInput` that lists every problem, with its field and
row, each a sentence translated when shown (:data:`BY_TYPE`).

The bounds of input (date window, mission length, daily rates, ids, CSV cells) and their checks
are defined in :mod:`.limits` and re-exported here."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from ..errors import InvalidInput, Problem
from ..i18n import N_
from .limits import (  # noqa: F401 - re-exported: the bounds of input, in one place
    EARLIEST_DAY,
    FUTURE_YEARS,
    LATEST_DAY,
    MAX_CSV_CELL,
    MAX_DAILY_RATE,
    MAX_ID,
    MAX_MISSION_DAYS,
    MIN_DAILY_RATE,
    PAST_YEARS,
    check_day,
    check_id,
    check_mission_days,
    date_window,
    day_problem,
)
from .records import END_BEFORE_START, TELEGRAM_WITHOUT_CHAT_ID

#: Pydantic's sentence for each type of error, as a msgid: its English message (with the
#: values of its ``ctx`` as placeholders), translated when shown. Other types keep pydantic's
#: English message.
BY_TYPE = {
    "missing": N_("field required"),
    "string_too_long": N_("string should have at most {max_length} characters"),
    "int_parsing": N_("input should be a valid integer, unable to parse string as an integer"),
    "int_from_float": N_("input should be a valid integer, got a number with a fractional part"),
    "float_parsing": N_("input should be a valid number, unable to parse string as a number"),
    "greater_than": N_("input should be greater than {gt}"),
    "greater_than_equal": N_("input should be greater than or equal to {ge}"),
    "less_than": N_("input should be less than {lt}"),
    "less_than_equal": N_("input should be less than or equal to {le}"),
    # pydantic's own {error} would put an English fragment in a French sentence
    "date_parsing": N_("'{value}' is not a date; write it YYYY-MM-DD"),
    "date_from_datetime_parsing": N_("'{value}' is not a date; write it YYYY-MM-DD"),
    "date_type": N_("input should be a valid date"),
    "enum": N_("input should be {expected}"),
    "literal_error": N_("input should be {expected}"),
    "string_pattern_mismatch": N_("string should match pattern '{pattern}'"),
    "extra_forbidden": N_("extra inputs are not permitted"),
    "bool_parsing": N_("input should be a valid boolean, unable to interpret input"),
}
#: "at least 1 character" / "at least 2 characters" (pydantic's singular and plural).
TOO_SHORT = (
    N_("string should have at least {min_length} character"),
    N_("string should have at least {min_length} characters"),
)
#: The sentences the records' validators raise (``ValueError``), msgids themselves.
VALUE_ERRORS = (END_BEFORE_START, TELEGRAM_WITHOUT_CHAT_ID)


def _problem(err: dict[str, Any], row: int | None) -> Problem:
    field = ".".join(str(p) for p in err.get("loc", ()) if not isinstance(p, int)) or None
    ctx = dict(err.get("ctx") or {})
    if err["type"] in ("date_parsing", "date_from_datetime_parsing"):
        ctx = {"value": err.get("input")}
    msg = err.get("msg", "")
    if err["type"] == "value_error":
        msg = msg.removeprefix("Value error, ")
        if msg not in VALUE_ERRORS and field == "email":
            msg = N_("invalid email address")
        return Problem(msg or err["type"], field=field, row=row)
    if err["type"] == "string_too_short":
        text = TOO_SHORT[ctx.get("min_length") != 1]
    else:
        text = BY_TYPE.get(err["type"])
    try:
        text.format(**ctx)  # every placeholder has its value
    except (AttributeError, KeyError, IndexError):  # no msgid for this type: pydantic's message
        return Problem(msg[:1].lower() + msg[1:] or err["type"], field=field, row=row)
    return Problem(text, field=field, row=row, params=ctx)


def problem_of(error: dict[str, Any]) -> Problem:
    """One of pydantic's error dicts (``ValidationError.errors()``) as a problem sentence."""
    return _problem(error, None)


M = TypeVar("M", bound=BaseModel)


def problems_of(error: ValidationError, row: int | None = None) -> list[Problem]:
    return [_problem(e, row) for e in error.errors(include_url=False)]


def invalid(problems: list[Problem]) -> InvalidInput:
    """The error that lists ``problems`` (nothing was saved)."""
    return InvalidInput(
        "Some values are not valid; nothing was saved.",
        field=problems[0].field if len({p.field for p in problems}) == 1 else None,
        problems=problems,
    )


def validate(model: type[M], data: dict[str, Any], *, row: int | None = None) -> M:
    """Validate ``data`` as ``model`` or raise :class:`InvalidInput` listing every problem."""
    return validate_all((model, data), row=row)[0]


def validate_all(
    *pairs: tuple[type[BaseModel], dict[str, Any]],
    row: int | None = None,
    extra: list[Problem] | None = None,
) -> list[Any]:
    """Validate several (model, data) pairs together, so that one error lists every problem
    (plus ``extra`` problems found by the caller)."""
    out, problems = [], list(extra or [])
    for model, data in pairs:
        try:
            out.append(model.model_validate(data))
        except ValidationError as exc:
            problems += problems_of(exc, row)
    if problems:
        raise invalid(problems)
    return out
