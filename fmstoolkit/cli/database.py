"""``fms init`` and ``fms demo``: create or upgrade the database, build the demo agency."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from tqdm import tqdm

from .. import db as dbmod
from .. import demo as demomod
from ..config import get_settings
from ..i18n import N_, _, ngettext
from .common import db_option


@click.command()
@db_option
def init(db_path: Path | None) -> None:
    """Create the database, or upgrade it to the current schema. Safe to run again."""
    path = db_path or get_settings().db
    database = dbmod.connect(path, create=True)
    try:
        applied = dbmod.migrate(database)
    finally:
        database.close()
    if applied:
        click.echo(ngettext("{path}: {n} migration applied ({names}).",
                            "{path}: {n} migrations applied ({names}).", len(applied)).format(
            path=path, n=len(applied), names=", ".join(applied)))
    else:
        click.echo(_("{path}: already up to date.").format(path=path))


@click.command()
@db_option
@click.option(
    "--freelancers", type=click.IntRange(1, 100_000), default=200, show_default=True,
    help="How many freelancers the demo agency has.",
)
@click.option("--seed", type=int, default=0, show_default=True,
              help="Random seed: the same seed gives the same database.")
@click.option("--force", is_flag=True, help="Replace the database if it already exists.")
@click.option("--today", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="Pretend today is this date (YYYY-MM-DD); default: today.")
@click.option("--refresh", is_flag=True,
              help="Keep a demo current: create it when missing, rebuild it when it was built "
              "for another day, never touch a database that is not a demo (what make run does).")
def demo(db_path: Path | None, freelancers: int, seed: int, force: bool, today,
         refresh: bool) -> None:
    """Create a realistic demo agency: freelancers, two years of missions, notes, requests."""
    path = db_path or get_settings().db
    day = today.date() if today else None
    if refresh:
        action, size, _seed = demomod.refresh_plan(path, freelancers=freelancers, seed=seed,
                                               today=day)
        if action in ("create", "rebuild"):
            with tqdm(total=2 * size, desc=_("Demo agency"), file=sys.stderr) as bar:
                demomod.refresh(path, freelancers=freelancers, seed=seed, today=day,
                                progress=bar.update)
        said = {
            "create": N_("demo agency created"),
            "current": N_("the demo agency is current"),
            "rebuild": N_("demo agency rebuilt for today"),
            "not a demo": N_("not a demo database: left untouched"),
        }[action]
        click.echo(f"{path}: {_(said)}")
        return
    demomod.refuse_overwrite(path, force)
    with tqdm(total=2 * freelancers, desc=_("Demo agency"), file=sys.stderr) as bar:
        counts = demomod.create(
            path, freelancers=freelancers, seed=seed, force=force, today=day,
            progress=bar.update,
        )
    summary = ", ".join(f"{table} {n}" for table, n in counts.items() if n)
    click.echo(f"{path}: {summary}")
