"""The ``fms`` command. Every command is a thin call into the library or the actions.

Errors a user can cause (:class:`~fmstoolkit.errors.FmsError`) are printed as one clear sentence
on stderr with exit code 2 and no traceback. Commands that print data take ``--json``.

One module per command group; this one only declares the ``cli`` group and registers them.
"""

from __future__ import annotations

import click

from .. import redact
from ..config import get_settings
from .apps import app_cmd
from .assistant import assistant_cmd, bot
from .common import FmsGroup
from .contracts import contracts_group
from .database import backup_cmd, demo, init, restore_cmd
from .followups import followups_group
from .mail import mail_group
from .manager import manager_group
from .offboarding import offboard, offboarding_group
from .outbox import outbox_group
from .paperwork import invoice_group, payments_group
from .planning import (
    ask,
    assign_cmd,
    benchmark_rate_cmd,
    match_cmd,
    mission_group,
    poll_group,
    request_group,
    requests_group,
    schedule_cmd,
)
from .pool import freelancers, import_cmd, lists_group, privacy_group, skills_cmd
from .publishing import publish_cmd, serve_cmd

__all__ = ["cli", "main"]


@click.group(cls=FmsGroup)
@click.version_option(package_name="fmstoolkit")
def cli() -> None:
    """fmstoolkit: run an agency's freelancers, from staffing to offboarding and follow-ups."""
    _quiet_logging()


def _quiet_logging() -> None:
    """Warnings and errors on stderr, through the one redaction filter (no secret in a line)."""
    try:
        settings = get_settings()
    except Exception:  # a wrong setting is reported by the command that reads it
        settings = None
    redact.install_logging(settings)
    redact.install_excepthook()


for _command in (
    # database
    init, demo, backup_cmd, restore_cmd,
    # pool
    skills_cmd, freelancers, import_cmd, lists_group, privacy_group,
    # planning
    request_group, requests_group, match_cmd, assign_cmd, schedule_cmd, benchmark_rate_cmd,
    mission_group, poll_group, ask,
    # offboarding
    offboarding_group, offboard,
    # paperwork
    invoice_group, payments_group, contracts_group,
    # publishing
    publish_cmd, serve_cmd,
    # notifications
    outbox_group, followups_group, mail_group, manager_group,
    # assistant
    assistant_cmd, bot,
    # the manager's apps
    app_cmd,
):  # fmt: skip
    cli.add_command(_command)


def main() -> None:  # pragma: no cover - console entry point
    cli(prog_name="fms")
