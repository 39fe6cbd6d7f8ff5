"""``fms contracts``: a mission's contract and NDA, drafted from the agency's templates, sent by
e-mail through the outbox, recorded signed; and the missions starting soon without them."""

from __future__ import annotations

from pathlib import Path

import click

from .. import contracts
from ..actions.paperwork import send_documents
from ..i18n import _, format_date
from ..i18n_labels import status_label
from .common import DAY, ID, echo_json, echo_table, json_option, with_db

KIND_CHOICES = click.Choice(["contract", "nda", "both"])
LANG_OPTION = click.option("--lang", type=click.Choice(["fr", "en"]),
                           help="Language of the document (default: the freelancer's, else "
                                "FMS_LANG).")  # fmt: skip


def _first_up(text: str) -> str:
    """A sentence starting with a kind's word starts with a capital ("Contrat", "NDA")."""
    return text[:1].upper() + text[1:]


def _kinds(kind: str) -> tuple[str, ...]:
    return contracts.KINDS if kind == "both" else (kind,)


def _echo_documents(rows: list[dict]) -> None:
    echo_table(
        [{"mission_id": r["mission_id"], "kind": contracts.kind_word(r["kind"]),
          "lang": r["lang"], "state": status_label("document", r["state"]),
          "file": r["signed_file"] or r["file"],
          "sent_at": r["sent_at"], "signed_at": r["signed_at"]} for r in rows],
        ["mission_id", "kind", "lang", "state", "file", "sent_at", "signed_at"],
    )  # fmt: skip


@click.group("contracts")
def contracts_group() -> None:
    """The contract and NDA of each mission: draft, send, signed, and which are missing."""


@contracts_group.command("draft")
@click.argument("mission_id", type=ID)
@click.option("--kind", type=KIND_CHOICES, default="both", show_default=True,
              help="Which document to make.")  # fmt: skip
@LANG_OPTION
@click.option("--replace", is_flag=True,
              help="Make again a document already sent (the freelancer gets the new one).")
@json_option
@with_db
def contracts_draft(db, mission_id, kind, lang, replace, as_json) -> None:
    """Make MISSION_ID's contract and/or NDA as PDF drafts (again, if the mission changed)."""
    rows = [contracts.draft(db, mission_id, k, lang, replace=replace) for k in _kinds(kind)]
    if as_json:
        echo_json(rows)
        return
    for row in rows:
        click.echo(_first_up(_("{kind} of mission #{id} drafted: {file}").format(
            kind=contracts.kind_word(row["kind"]), id=mission_id,
            file=contracts.path_of(row["file"]))))  # fmt: skip


@contracts_group.command("send")
@click.argument("mission_id", type=ID)
@click.option("--kind", type=KIND_CHOICES, default="both", show_default=True,
              help="Which document to send.")  # fmt: skip
@LANG_OPTION
@json_option
@with_db
def contracts_send(db, mission_id, kind, lang, as_json) -> None:
    """Queue the e-mail carrying MISSION_ID's contract and NDA (drafted first if needed);
    they are marked sent when fms outbox send (or the assistant) sends it."""
    result = send_documents(db, mission_id, _kinds(kind), lang)
    if as_json:
        echo_json(result)
        return
    words = contracts.missing_words([d["kind"] for d in result["documents"]])
    click.echo(_("Queued (message #{msg}): {kinds} of mission #{id}, sent with the next fms "
                 "outbox send.").format(msg=result["message_id"], kinds=words,
                                        id=mission_id))  # fmt: skip


@contracts_group.command("signed")
@click.argument("mission_id", type=ID)
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--kind", type=click.Choice(contracts.KINDS), required=True,
              help="Which document FILE is the signed copy of.")  # fmt: skip
@click.option("--on", type=DAY, help="The day it was signed (default: today).")
@json_option
@with_db
def contracts_signed(db, mission_id, file, kind, on, as_json) -> None:
    """Record MISSION_ID's contract or NDA signed, with FILE, the signed copy (a PDF)."""
    row = contracts.record_signed(db, mission_id, kind, file, on)
    if as_json:
        echo_json(row)
        return
    click.echo(_first_up(_("{kind} of mission #{id} signed on {day}: {file}").format(
        kind=contracts.kind_word(kind), id=mission_id, day=format_date(row["signed_at"]),
        file=contracts.path_of(row["signed_file"]))))  # fmt: skip


@contracts_group.command("list")
@click.argument("mission_id", type=ID, required=False)
@json_option
@with_db
def contracts_list(db, mission_id, as_json) -> None:
    """The contracts and NDAs (of MISSION_ID, or all), with their state and file."""
    rows = contracts.list_documents(db, mission_id)
    if as_json:
        echo_json(rows)
        return
    _echo_documents(rows)


@contracts_group.command("due")
@click.option("--days", type=click.IntRange(0, 365),
              help="Missions starting within this many days (default: "
                   "FMS_CONTRACT_WARNING_DAYS, 7).")  # fmt: skip
@json_option
@with_db
def contracts_due(db, days, as_json) -> None:
    """Missions starting soon without a signed contract or NDA, soonest first."""
    rows = contracts.due(db, days)
    if as_json:
        echo_json(rows)
        return
    echo_table(
        [r | {"missing": contracts.missing_words(r["missing"]),
              "contract": status_label("document", r["contract"]),
              "nda": status_label("document", r["nda"])} for r in rows],
        ["mission_id", "freelancer", "project", "start_date", "days_left", "contract", "nda",
         "missing"],
    )  # fmt: skip


@contracts_group.command("templates")
@click.option("--copy-to", type=click.Path(file_okay=False, path_type=Path),
              help="Copy the shipped templates there (default: the agency's templates folder, "
                   "FMS_PAPERWORK_TEMPLATES).")  # fmt: skip
@click.option("--copy", is_flag=True, help="Copy them to the agency's templates folder.")
@click.option("--force", is_flag=True, help="Overwrite templates already copied (edits lost).")
def contracts_templates(copy_to, copy, force) -> None:
    """Where the templates are; with --copy or --copy-to, copy the shipped ones to edit."""
    if not (copy or copy_to):
        click.echo(_("The agency's templates: {folder} (a template missing there is the one "
                     "fmstoolkit ships).").format(folder=contracts.agency_folder()))  # fmt: skip
        for name in contracts.shipped_templates():
            click.echo(f"  {name}")
        return
    result = contracts.copy_templates(copy_to, force=force)
    click.echo(_("Templates copied to {folder}: {copied}.").format(
        folder=result["folder"], copied=", ".join(result["copied"]) or "-"))  # fmt: skip
    if result["kept"]:
        click.echo(_("Kept as they were (edited copies; --force overwrites them): {kept}.")
                   .format(kept=", ".join(result["kept"])))  # fmt: skip
