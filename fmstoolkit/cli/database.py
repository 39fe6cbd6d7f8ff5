"""``fms init``, ``fms demo``, ``fms backup`` and ``fms restore``: create or upgrade the
database, build the demo agency, copy the database to a file and back."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from tqdm import tqdm

from .. import db as dbmod
from .. import demo as demomod
from ..config import get_settings
from ..db import backup as backupmod
from ..i18n import N_, _, ngettext
from .common import DAY, db_option, echo_json, json_option, with_db


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
@click.option("--today", type=DAY, default=None,
              help="Pretend today is this date (YYYY-MM-DD); default: today.")
@click.option("--refresh", is_flag=True,
              help="Keep a demo current: create it when missing, rebuild it when it was built "
              "for another day, never touch a database that is not a demo (what make run does).")
def demo(db_path: Path | None, freelancers: int, seed: int, force: bool, today,
         refresh: bool) -> None:
    """Create a realistic demo agency: freelancers, two years of missions, notes, requests."""
    path = db_path or get_settings().db
    day = today
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


@click.command("backup")
@with_db
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--force", is_flag=True, help="Replace FILE if it already exists.")
@json_option
def backup_cmd(db, file: Path, force: bool, as_json: bool) -> None:
    """Copy the database to FILE (safe while the assistant or a notebook write); the copy is
    checked and readable by you only."""
    report = backupmod.backup(db, file, force=force)
    if as_json:
        echo_json(report.as_dict())
        return
    click.echo(_("Backup written to {path} ({freelancers} freelancers, {missions} missions, "
                 "integrity checked).").format(path=report.path, freelancers=report.freelancers,
                                               missions=report.missions))


@click.command("restore")
@db_option
@click.argument("file", type=click.Path(path_type=Path))
@json_option
def restore_cmd(db_path: Path | None, file: Path, as_json: bool) -> None:
    """Replace the database with the backup FILE (checked first; the current database is kept
    aside as <db>.before-restore-<time>)."""
    database = dbmod.connect(db_path or get_settings().db, create=True)
    try:
        report = backupmod.restore(database, file)
    finally:
        database.close()
    if as_json:
        echo_json(report.as_dict())
        return
    click.echo(_("{path} restored from {file} ({freelancers} freelancers, {missions} missions); "
                 "the previous database is kept in {aside}.").format(
        path=report.path, file=file, freelancers=report.freelancers, missions=report.missions,
        aside=report.kept_aside))
