"""What every ``fms`` command shares: the ``--db`` and ``--json`` options, opening the
database, printing JSON or a table, the group that turns FmsError into a sentence, and the
parameter types of record ids (:data:`ID`) and dates of a query (:data:`DAY`)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import json
import sqlite3
from pathlib import Path
from typing import Any

import click

from .. import db as dbmod
from ..config import SettingsError
from ..errors import FmsError, InvalidInput
from ..i18n import _
from ..models.validation import EARLIEST_DAY, LATEST_DAY, check_id
from ..models.validation import problem_of as problems_of_error


def setting_error(exc: SettingsError) -> InvalidInput:
    """An invalid ``FMS_*`` setting as the sentence the CLI prints (in ``FMS_LANG``, or French,
    the default, when the language setting itself is the one that is wrong)."""
    problem = problems_of_error(exc.error).what(exc.lang)
    if exc.value is None:
        return InvalidInput("The setting {name} is not valid: {problem}. Fix it in the "
                            "environment or in the .env file.", field=exc.setting,
                            name=exc.setting, problem=problem)  # fmt: skip
    return InvalidInput("The setting {name} is not valid: {problem} (it is '{value}'). Fix it in "
                        "the environment or in the .env file.", field=exc.setting,
                        name=exc.setting, problem=problem, value=exc.value)  # fmt: skip


class FmsGroup(click.Group):
    """A click group that turns FmsError (and an invalid setting) into a sentence on stderr and
    exit code 2."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except FmsError as exc:
            click.echo(exc.message(), err=True)
            ctx.exit(exc.exit_code)
        except SettingsError as exc:
            error = setting_error(exc)
            click.echo(error.message(exc.lang), err=True)
            ctx.exit(error.exit_code)
        except sqlite3.OperationalError as exc:
            # A write outside a transaction of ours (sqlite-utils' own) that waited out the busy
            # timeout: the same sentence as in a transaction, no traceback.
            if not dbmod.is_busy(exc):
                raise
            error = dbmod.busy_error(exc)
            click.echo(error.message(), err=True)
            ctx.exit(error.exit_code)


class RecordId(click.ParamType):
    """A record id: a whole number from 1 to 2**63 - 1 (SQLite's integers); anything else is
    refused by click with our sentence (exit code 2) instead of an OverflowError in SQLite."""

    name = "id"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None):
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        try:
            return check_id(value, param.name if param else "id")
        except InvalidInput as exc:
            self.fail(exc.message(), param, ctx)


class QueryDay(click.ParamType):
    """A date of a query (a report, a schedule window, the demo's "today"), YYYY-MM-DD, from
    :data:`EARLIEST_DAY` to :data:`LATEST_DAY`: far enough for any report, and far from the
    ends of Python's calendar, where adding a month overflows. Returns a ``datetime.date``."""

    name = "date"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None):
        if isinstance(value, dt.date):
            day = value
        else:
            try:
                day = dt.date.fromisoformat(str(value).strip())
            except ValueError:
                self.fail(_("'{value}' is not a date; write it YYYY-MM-DD.").format(value=value),
                          param, ctx)  # fmt: skip
        if not EARLIEST_DAY <= day <= LATEST_DAY:
            self.fail(_("{day} is out of range: give a date from {first} to {last}.").format(
                day=day.isoformat(), first=EARLIEST_DAY.isoformat(), last=LATEST_DAY.isoformat()),
                param, ctx)  # fmt: skip
        return day


#: The parameter types of record ids and of dates of a query.
ID = RecordId()
DAY = QueryDay()


def db_option(func):
    """The ``--db PATH`` option every command shares (default: FMS_DB or data/fms.db)."""
    return click.option(
        "--db",
        "db_path",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help="Operational database (default: FMS_DB or data/fms.db).",
    )(func)


def json_option(func):
    return click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")(
        func
    )


def with_db(func):
    """Open the database named by ``--db`` and pass it to the command as ``db``."""

    @db_option
    @functools.wraps(func)
    def wrapper(*args, db_path: Path | None = None, **kwargs):
        database = dbmod.open_db(db_path)
        try:
            return func(*args, db=database, **kwargs)
        finally:
            database.close()

    return wrapper


def default_json(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    if hasattr(value, "model_dump"):
        return value.model_dump()
    if hasattr(value, "__dataclass_fields__"):
        return dataclasses.asdict(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def echo_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=default_json))


def echo_table(rows: list[dict[str, Any]], columns: list[str] | None = None) -> None:
    """Print rows as an aligned plain-text table (nothing when there are no rows)."""
    if not rows:
        click.echo(_("(no results)"))
        return
    columns = columns or list(rows[0])
    cells = [[("" if r.get(c) is None else str(r.get(c))) for c in columns] for r in rows]
    widths = [max(len(c), *(len(row[i]) for row in cells)) for i, c in enumerate(columns)]
    click.echo("  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip())
    click.echo("  ".join("-" * w for w in widths))
    for row in cells:
        click.echo("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip())
