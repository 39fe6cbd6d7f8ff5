"""``fms app NAME``: one of the manager's apps, served by Voila with no code shown."""

from __future__ import annotations

import click

from .. import apps_server
from ..config import get_settings
from ..i18n import _


@click.command("app")
@click.argument("name", type=click.Choice(apps_server.APPS))
@click.option(
    "--port",
    type=click.IntRange(1, 65535),
    default=None,
    help="Port to listen on (default: FMS_APPS_PORT or 8866).",
)
def app_cmd(name: str, port: int | None) -> None:
    """Serve an app (home, planning, offboarding, paperwork, pool) in the browser, code hidden
    (Ctrl+C to stop)."""
    url = apps_server.app_url(name, port)
    # one notebook served alone is at the server's root
    url = url.rsplit("/voila/render/", 1)[0] + "/"
    apps_server.check_port_free(port or get_settings().apps_port, "FMS_APPS_PORT")
    click.echo(_("App '{name}': {url} (Ctrl+C to stop)").format(name=name, url=url))
    raise SystemExit(apps_server.serve(name, port))
