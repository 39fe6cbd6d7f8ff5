"""``fms publish`` (the notes database) and ``fms serve`` (Datasette over it)."""

from __future__ import annotations

from pathlib import Path

import click

from .. import db as dbmod
from .. import publish, serve
from ..config import get_settings
from ..i18n import _
from .common import db_option, echo_json, json_option, with_db


@click.command("publish")
@with_db
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    default=None,
    help="Notes database to write (default: FMS_NOTES_DB or data/notes.db).",
)
@click.option(
    "--metadata-out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Also write the Datasette metadata here (.json or .yml), for `datasette publish`.",
)
@json_option
def publish_cmd(db, out: Path | None, metadata_out: Path | None, as_json: bool) -> None:
    """Publish the collaboration notes (no contact data) for Datasette, atomically."""
    stats = publish.publish(db, out)
    if metadata_out:
        stats["metadata"] = str(publish.write_metadata(metadata_out))
    if as_json:
        echo_json(stats)
        return
    click.echo(
        f"{stats['path']}: {stats['freelancers']} freelancers, {stats['missions']} missions, "
        f"{stats['notes']} notes, {stats['recommendations']} recommendations, "
        f"{stats['feedback']} feedback ({stats['seconds']} s)."
    )
    if metadata_out:
        click.echo(f"metadata: {stats['metadata']}")


@click.command("serve")
@db_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option(
    "--port",
    type=click.IntRange(1, 65535),
    default=None,
    help="Port to listen on (default: FMS_DATASETTE_PORT or 8001).",
)
@click.option(
    "--notes-db",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Notes database to serve (default: FMS_NOTES_DB); published first when missing.",
)
def serve_cmd(db_path: Path | None, host: str, port: int | None, notes_db: Path | None) -> None:
    """Serve the notes database read-only with Datasette (Ctrl+C to stop)."""
    notes_path = publish.notes_path(notes_db)
    if not notes_path.is_file():
        database = dbmod.open_db(db_path)
        try:
            publish.publish(database, notes_path)
        finally:
            database.close()
        click.echo(_("published {path}").format(path=notes_path))
    port = port or get_settings().datasette_port
    click.echo(_("Datasette: {url} (Ctrl+C to stop)").format(url=f"http://{host}:{port}/notes"))
    serve.serve(notes_path, host=host, port=port)
